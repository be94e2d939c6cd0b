import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { cloneElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import type * as Recharts from 'recharts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ComparisonAnswer, LatencyAnswer, LatencyRow } from '../../renderer/src/api/usage-latency.ts';
import { niceTicks } from '../../renderer/src/lib/format.ts';
import { mockApi, type Call } from './api-mock.ts';

// happy-dom lays nothing out, so ResponsiveContainer would measure 0×0 and draw nothing: give it a size.
vi.mock('recharts', async (importOriginal) => {
  const actual = await importOriginal<typeof Recharts>();
  return {
    ...actual,
    ResponsiveContainer: ({ children }: { children: ReactNode }) =>
      isValidElement(children)
        ? cloneElement(children as ReactElement<{ width: number; height: number }>, {
            width: 640,
            height: 240,
          })
        : null,
  };
});

const { formatDuration, formatRate, seriesSlots } = await import('../../renderer/src/components/charts.tsx');
const { LatencyPage, latencyPivot, latencyRange } = await import('../../renderer/src/pages/Latency.tsx');

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;

const point = (start: number, key: string, p50: number, fields: Partial<LatencyRow> = {}): LatencyRow => ({
  start: new Date(start).toISOString(),
  key,
  requests: 10,
  latencyMs: { p50, p95: p50 * 2, p99: p50 * 3 },
  ttftMs: null,
  streams: 0,
  tokensPerSecond: null,
  gatewayMs: null,
  ...fields,
});

const LATENCY: LatencyAnswer = {
  data: [
    point(today - DAY, 'gpt-4o-mini', 800, {
      ttftMs: { p50: 200, p95: 400, p99: 600 },
      streams: 10,
      tokensPerSecond: 90,
      gatewayMs: { p50: 3, p95: 6, p99: 9 },
    }),
    point(today, 'gpt-4o-mini', 700, { gatewayMs: { p50: 4, p95: 8, p99: 12 } }),
    point(today, 'claude-sonnet-4-5', 2900, { requests: 3 }),
  ],
  sample: { rows: 23, fraction: 1 },
};

const MODELS: ComparisonAnswer = {
  data: [
    {
      key: 'gpt-4o-mini',
      requests: 21,
      errors: 1,
      errorRate: 1 / 21,
      costUsd: 0.02,
      unpriced: 0,
      inputTokens: 2000,
      outputTokens: 400,
      latencyMsP50: 700,
      latencyMsP95: 1600,
      ttftMsP50: 200,
      tokensPerSecond: 90,
      gatewayMsP50: null,
      upstreamModels: ['gpt-4o-mini-2024-07-18'],
      requestedAs: [],
    },
  ],
  sample: { rows: 23, fraction: 1 },
};

let calls: Call[];
const chartIn = (region: string) => screen.getByRole('region', { name: region }).querySelector('.chart')!;

beforeEach(() => {
  window.localStorage.clear();
  seriesSlots.clear();
  ({ calls } = mockApi({ 'GET /usage/latency': LATENCY, 'GET /usage/models': MODELS }));
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the Latency & models page', () => {
  it('draws a line per model with round ticks, and lists the models below', async () => {
    render(<LatencyPage />);
    await screen.findByRole('row', { name: /^gpt-4o-mini/ });
    const chart = chartIn('End-to-end latency, p50');
    expect(chart.getAttribute('aria-label')).toBe(
      'p50 end-to-end latency per day by model; the table below compares them',
    );
    await waitFor(() => expect(chart.querySelectorAll('.recharts-line').length).toBe(2));
    const ticks = [
      ...chart.querySelectorAll('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value'),
    ].map((tick) => tick.textContent);
    expect(ticks).toEqual(['0 ms', '1 s', '2 s', '3 s']);
    expect(screen.getByRole('rowheader', { name: /gpt-4o-mini/ }).textContent).toContain(
      'gpt-4o-mini-2024-07-18',
    );
  });

  it('asks for the period, bucket and grouping chosen, and switches percentile without asking again', async () => {
    render(<LatencyPage />);
    await screen.findByRole('row', { name: /^gpt-4o-mini/ });
    const first = calls.find((call) => call.path === '/usage/latency')!;
    expect(first.query.get('bucket')).toBe('day');
    expect(first.query.get('groupBy')).toBe('model');
    expect(Date.parse(first.query.get('from')!)).toBe(today - 6 * DAY);

    const asked = calls.length;
    fireEvent.click(screen.getByRole('radio', { name: 'p95' }));
    await screen.findByRole('region', { name: 'End-to-end latency, p95' });
    expect(calls.length).toBe(asked);

    fireEvent.click(screen.getByRole('radio', { name: 'Route' }));
    fireEvent.click(screen.getByRole('radio', { name: 'Hour' }));
    await waitFor(() =>
      expect(
        calls.some(
          (call) =>
            call.path === '/usage/latency' &&
            call.query.get('groupBy') === 'route' &&
            call.query.get('bucket') === 'hour',
        ),
      ).toBe(true),
    );
    expect(calls.some((call) => call.path === '/usage/models' && call.query.get('groupBy') === 'route')).toBe(
      true,
    );
    await screen.findByRole('region', { name: 'Routes compared' });
  });

  it("draws Switchboard's own time apart, in the percentile chosen, for the models that recorded it", async () => {
    render(<LatencyPage />);
    await screen.findByRole('row', { name: /^gpt-4o-mini/ });
    const chart = chartIn('Switchboard’s own time, p50');
    expect(chart.getAttribute('aria-label')).toBe(
      'p50 of Switchboard’s own time per day by model, apart from the vendors’ time',
    );
    const ticks = (rank: string) =>
      [
        ...chartIn(`Switchboard’s own time, ${rank}`).querySelectorAll(
          '.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value',
        ),
      ].map((tick) => tick.textContent);
    // claude recorded no vendor time: one line, gpt-4o-mini's 3 and 4 ms, on an axis of its own.
    await waitFor(() => expect(chart.querySelectorAll('.recharts-line').length).toBe(1));
    expect(ticks('p50')).toEqual(['0 ms', '1 ms', '2 ms', '3 ms', '4 ms']);

    fireEvent.click(screen.getByRole('radio', { name: 'p95' }));
    await screen.findByRole('region', { name: 'Switchboard’s own time, p95' });
    await waitFor(() => expect(ticks('p95')).toEqual(['0 ms', '2 ms', '4 ms', '6 ms', '8 ms']));
  });

  it("says so when no answer recorded its vendor's time", async () => {
    mockApi({
      'GET /usage/latency': {
        ...LATENCY,
        data: LATENCY.data.map((row) => ({ ...row, gatewayMs: null })),
      },
      'GET /usage/models': MODELS,
    });
    render(<LatencyPage />);
    await screen.findByRole('row', { name: /^gpt-4o-mini/ });
    const region = screen.getByRole('region', { name: 'Switchboard’s own time, p50' });
    expect(within(region).getByText('No answer in this period recorded its vendor’s time.')).toBeTruthy();
    expect(region.querySelector('.recharts-line')).toBeNull();
    // The end-to-end chart beside it still draws.
    await waitFor(() =>
      expect(chartIn('End-to-end latency, p50').querySelectorAll('.recharts-line').length).toBe(2),
    );
  });

  it('says when percentiles come from a sample', async () => {
    mockApi({
      'GET /usage/latency': { ...LATENCY, sample: { rows: 100_000, fraction: 0.1 } },
      'GET /usage/models': MODELS,
    });
    render(<LatencyPage />);
    expect((await screen.findByText(/even sample of/)).textContent).toContain(
      '100,000 answered requests, about 10%',
    );
  });

  it('says what to do when the period has no requests', async () => {
    mockApi({
      'GET /usage/latency': { data: [], sample: { rows: 0, fraction: 1 } },
      'GET /usage/models': { data: [], sample: { rows: 0, fraction: 1 } },
    });
    render(<LatencyPage />);
    const empty = await screen.findByRole('heading', { name: 'No requests in this period' });
    expect(within(empty.parentElement!).getByRole('link', { name: 'Create an app key' })).toBeTruthy();
  });

  it('leaves a gap where a model measured nothing, and puts the busiest first', () => {
    const pivot = latencyPivot(LATENCY.data, (row) => row.ttftMs?.p50 ?? null, [today - DAY, today]);
    expect(pivot.keys).toEqual(['gpt-4o-mini', 'claude-sonnet-4-5']);
    expect(pivot.rows).toEqual([{ start: today - DAY, 'gpt-4o-mini': 200 }, { start: today }]);
  });

  it('takes the last 24 hours from the hour before, days as whole UTC days', () => {
    const now = Date.parse('2026-11-02T09:30:00Z');
    expect(latencyRange('1', now)).toEqual({ from: Date.parse('2026-11-01T09:00:00Z'), to: now + 1 });
    expect(latencyRange('7', now)).toEqual({
      from: Date.parse('2026-10-27T00:00:00Z'),
      to: Date.parse('2026-11-03T00:00:00Z') - 1,
    });
  });
});

describe('latency numbers', () => {
  it('puts ticks at round values', () => {
    expect(niceTicks(2900)).toEqual([0, 1000, 2000, 3000]);
    expect(niceTicks(430)).toEqual([0, 200, 400, 600]);
    expect(niceTicks(90)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it('writes durations and rates with their units', () => {
    expect(formatDuration(850)).toBe('850 ms');
    // Switchboard's own time is often under a millisecond.
    expect(formatDuration(0.25)).toBe('0.25 ms');
    expect(formatDuration(4)).toBe('4 ms');
    expect(formatDuration(2400)).toBe('2.4 s');
    expect(formatDuration(1250)).toBe('1.25 s');
    expect(formatDuration(150_000)).toBe('2.5 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatRate(85.4)).toBe('85 tok/s');
    expect(formatRate(7.25)).toBe('7.3 tok/s');
  });
});
