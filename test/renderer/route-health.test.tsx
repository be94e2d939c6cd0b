import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Route, RouteHealth, VendorPreset } from '../../renderer/src/api/types.ts';
import { formatTime } from '../../renderer/src/lib/format.ts';
import { ROUTES_POLL_MS, RoutesPage } from '../../renderer/src/pages/Routes.tsx';
import { mockApi } from './api-mock.ts';
import { route } from './fixtures.ts';

const PRESETS: { data: VendorPreset[] } = {
  data: [
    { id: 'openai', label: 'OpenAI', vendor: 'openai', baseUrl: 'https://api.openai.com/v1', needsKey: true },
  ],
};
const UNTIL = '2025-01-01T12:00:30.000Z';
const FAILED_AT = '2025-01-01T12:00:00.000Z';
const COOLING: RouteHealth = {
  state: 'cooling',
  until: UNTIL,
  recentFailures: 3,
  lastError: { time: FAILED_AT, status: 529, code: 'overloaded_error', message: 'Overloaded' },
};

let routes: Route[] = [];

beforeEach(() => {
  // Only the list's poll is faked; Testing Library's waits keep real timeouts.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  mockApi({
    'GET /routes': () => ({ data: routes }),
    'GET /presets': PRESETS,
    'GET /apps': { data: [] },
    'GET /filters': { data: [], builtinPatternSets: [] },
  });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const rowOf = (id: string) => screen.findByRole('row', { name: new RegExp(`^${id}\\b`) });
const healthCell = (row: HTMLElement) => within(row).getAllByRole('cell')[4]!;

describe('a route’s health on the Routes page', () => {
  it('says healthy in words, and counts recent failures without alarm', async () => {
    routes = [
      route({ id: 'claude', vendor: 'anthropic' }),
      route({
        id: 'openai',
        health: {
          state: 'healthy',
          until: null,
          recentFailures: 1,
          lastError: { time: FAILED_AT, status: 503, code: 'upstream_error', message: 'Service Unavailable' },
        },
      }),
    ];
    render(<RoutesPage params={new URLSearchParams()} />);
    expect(screen.getByRole('columnheader', { name: 'Health' })).toBeTruthy();
    expect(healthCell(await rowOf('claude')).textContent).toBe('Healthy');
    const openai = healthCell(await rowOf('openai'));
    expect(openai.textContent).toBe('Healthy 1 recent failure');
    // The last error is a hover away.
    expect(openai.querySelector('[title]')?.getAttribute('title')).toBe(
      `Last error at ${formatTime(FAILED_AT)}: 503 upstream_error: Service Unavailable`,
    );
    // A healthy route gets no line under its row.
    expect(screen.queryByText(/Cooling down until/)).toBeNull();
  });

  it('says “cooling down until” a local time, with the last error under the row in text', async () => {
    routes = [route({ id: 'claude', vendor: 'anthropic', fallbacks: ['openai'], health: COOLING }), route()];
    render(<RoutesPage params={new URLSearchParams()} />);
    const row = await rowOf('claude');
    expect(healthCell(row).textContent).toBe(`Cooling down until ${formatTime(UNTIL)}`);
    expect(row.textContent).toContain('Falls back to openai');
    const detail = screen.getByText(/^Cooling down until/, { selector: '.route-cooling > span' });
    expect(detail.textContent).toBe(
      `Cooling down until ${formatTime(UNTIL)}: requests skip it for its fallbacks until then, and the first ` +
        `one after tries it again. Last error at ${formatTime(FAILED_AT)}: 529 overloaded_error Overloaded`,
    );
    // The line belongs to the cooling route's row: the next one down, across the whole table.
    const extra = row.nextElementSibling as HTMLElement;
    expect(extra.className).toBe('extra-row');
    expect(extra.contains(detail)).toBe(true);
    expect(extra.querySelector('td')?.getAttribute('colspan')).toBe('7');
  });

  it('says “no answer” for a failure that never got a status, and leaves out fallbacks it has none of', async () => {
    routes = [
      route({
        health: {
          ...COOLING,
          lastError: { time: FAILED_AT, status: null, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
        },
      }),
    ];
    render(<RoutesPage params={new URLSearchParams()} />);
    await rowOf('openai');
    const detail = screen.getByText(/^Cooling down until/, { selector: '.route-cooling > span' });
    expect(detail.textContent).toContain('requests skip it until then');
    expect(detail.textContent).toContain(': no answer ECONNREFUSED connect ECONNREFUSED');
  });

  it('reads the list again on its own, so that a cooldown shows without a reload', async () => {
    routes = [route()];
    render(<RoutesPage params={new URLSearchParams()} />);
    expect(healthCell(await rowOf('openai')).textContent).toBe('Healthy');
    routes = [route({ health: COOLING })];
    await act(async () => void (await vi.advanceTimersByTimeAsync(ROUTES_POLL_MS)));
    await waitFor(() =>
      expect(healthCell(screen.getByRole('row', { name: /^openai\b/ })).textContent).toMatch(
        /^Cooling down until/,
      ),
    );
  });
});
