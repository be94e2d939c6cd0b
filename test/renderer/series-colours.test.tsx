import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { cloneElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import type * as Recharts from 'recharts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Overview, UsageRow } from '../../renderer/src/api/types.ts';
import { SeriesSlots } from '../../renderer/src/lib/series.ts';
import { mockApi } from './api-mock.ts';

// happy-dom lays nothing out, so ResponsiveContainer would measure 0×0 and draw no bars: give it a size.
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

const { seriesSlots } = await import('../../renderer/src/components/charts.tsx');
const { OverviewPage } = await import('../../renderer/src/pages/Overview.tsx');
const { UsagePage } = await import('../../renderer/src/pages/Usage.tsx');

const DAY = 86_400_000;
const HOUR = 3_600_000;

const row = (start: number, key: string, costUsd: number, tokens: number): UsageRow => ({
  start: new Date(start).toISOString(),
  key,
  requests: 1,
  errors: 0,
  inputTokens: tokens,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  costUsd,
  unpriced: 0,
  latencyMsAvg: 10,
});

/** Each series' fill in one chart, by name, read from the bars drawn. */
function fills(chart: HTMLElement): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const bar of chart.querySelectorAll('path.recharts-rectangle'))
    seen[bar.getAttribute('name')!] = bar.getAttribute('fill')!;
  return seen;
}

const chartIn = (regionName: string) =>
  screen.getByRole('region', { name: regionName }).querySelector<HTMLElement>('.chart')!;

beforeEach(() => {
  window.localStorage.clear();
  seriesSlots.clear();
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('one colour per series, everywhere', () => {
  it('gives a model the same colour in the Cost and the Tokens chart, though it ranks differently', async () => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    // "pricey" costs most, "chatty" uses the most tokens: the two charts stack them in opposite orders.
    mockApi({
      'GET /usage': {
        data: [
          row(today, 'pricey', 5, 100),
          row(today, 'chatty', 1, 90_000),
          row(today - DAY, 'local', 0.5, 5_000),
        ],
      },
    });
    render(<UsagePage />);
    await waitFor(() => expect(Object.keys(fills(chartIn('Cost')))).toHaveLength(3));
    const cost = fills(chartIn('Cost'));
    const tokens = fills(chartIn('Tokens'));
    expect(tokens).toEqual(cost);
    expect(new Set(Object.values(cost)).size).toBe(3);
  });

  it('keeps a series’ colour when the overview’s period changes', async () => {
    const now = Date.now();
    const data: Overview = {
      today: { requests: 3, errors: 0, costUsd: 3, unpriced: 0, errorRate: 0, medianLatencyMs: 200 },
      month: { requests: 30, errors: 0, costUsd: 60, unpriced: 0 },
      // Today "fresh" leads; over thirty days "steady" leads, and a third model appears.
      last24h: [row(now - 2 * HOUR, 'fresh', 2, 10), row(now - 3 * HOUR, 'steady', 1, 10)],
      last30d: [
        row(now - 10 * DAY, 'steady', 40, 10),
        row(now - 5 * DAY, 'old', 15, 10),
        row(now, 'fresh', 2, 10),
      ],
      budgets: [],
      alerts: [],
      routes: 1,
      apps: 1,
    };
    mockApi({ 'GET /overview': data });
    render(<OverviewPage />);
    await waitFor(() => expect(Object.keys(fills(chartIn('Activity')))).toHaveLength(2));
    const day = fills(chartIn('Activity'));
    fireEvent.click(screen.getByRole('radio', { name: '30 days' }));
    await waitFor(() => expect(Object.keys(fills(chartIn('Activity')))).toHaveLength(3));
    const month = fills(chartIn('Activity'));
    expect(month['fresh']).toBe(day['fresh']);
    expect(month['steady']).toBe(day['steady']);
    expect(new Set(Object.values(month)).size).toBe(3);
  });
});

describe('palette slots', () => {
  it('follow the key, not its rank, and survive a reload through storage', () => {
    let saved: string | null = null;
    const storage = { get: () => saved, set: (value: string) => void (saved = value) };
    const slots = new SeriesSlots(4, storage);
    expect([...slots.assign(['a', 'b'])]).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(slots.assign(['c', 'b', 'a'])).toEqual(
      new Map([
        ['c', 2],
        ['b', 1],
        ['a', 0],
      ]),
    );
    const reloaded = new SeriesSlots(4, storage);
    expect(reloaded.assign(['b'])).toEqual(new Map([['b', 1]]));
  });

  it('never give two series of one chart the same slot, even past the palette', () => {
    const slots = new SeriesSlots(3);
    slots.assign(['a', 'b', 'c']);
    // "d" is remembered on slot 0 with "a"; in a chart with both, "d" borrows the free slot.
    const chart = slots.assign(['a', 'd', 'c']);
    expect(new Set(chart.values()).size).toBe(3);
    expect(chart.get('a')).toBe(0);
    expect(chart.get('c')).toBe(2);
    // Without "a" beside it, "d" has its own slot back.
    expect(slots.assign(['d']).get('d')).toBe(0);
  });

  it('start afresh on a damaged stored value', () => {
    const slots = new SeriesSlots(3, { get: () => '{not json', set: () => {} });
    expect(slots.assign(['x']).get('x')).toBe(0);
    const foreign = new SeriesSlots(3, { get: () => '{"x": 7, "y": "1", "z": 2}', set: () => {} });
    expect(foreign.assign(['x', 'z']).get('z')).toBe(2);
    expect(foreign.assign(['x', 'z']).get('x')).toBe(0);
  });
});
