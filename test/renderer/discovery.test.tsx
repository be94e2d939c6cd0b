import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DiscoveryLook, ServerOffer } from '../../renderer/src/api/discovery.ts';
import type { Overview, Route } from '../../renderer/src/api/types.ts';
import { parsePort } from '../../renderer/src/pages/Discovery.tsx';
import { OverviewPage } from '../../renderer/src/pages/Overview.tsx';
import { RoutesPage } from '../../renderer/src/pages/Routes.tsx';
import { mockApi, reply } from './api-mock.ts';
import { route } from './fixtures.ts';

const NONE = new URLSearchParams();

const overview = (routes: number): Overview => ({
  today: { requests: 0, errors: 0, costUsd: 0, unpriced: 0, errorRate: 0, medianLatencyMs: null },
  month: { requests: 0, errors: 0, costUsd: 0, unpriced: 0 },
  last24h: [],
  last30d: [],
  budgets: [],
  alerts: [],
  routes,
  apps: 0,
});

const ollama: ServerOffer = {
  port: 11434,
  kind: 'ollama',
  name: 'Ollama',
  baseUrl: 'http://127.0.0.1:11434/v1',
  models: ['llama3.2:latest', 'qwen3:8b', 'gemma3:4b', 'phi4:latest'],
  configuredAs: [],
  route: {
    id: 'ollama',
    vendor: 'ollama',
    baseUrl: 'http://127.0.0.1:11434/v1',
    defaultModel: 'llama3.2:latest',
  },
};

const studio: ServerOffer = {
  port: 1234,
  kind: 'lm-studio',
  name: 'LM Studio',
  baseUrl: 'http://127.0.0.1:1234/v1',
  models: ['qwen2.5-7b-instruct'],
  configuredAs: ['studio'],
  route: null,
};

const look = (servers: ServerOffer[], misses: DiscoveryLook['misses'] = []): DiscoveryLook => ({
  lookedAt: '2026-01-01T00:00:00.000Z',
  ports: [11434, 1234, 8080, 8000, 1337],
  servers,
  misses,
});

const routesPage = (routes: () => Route[]) => ({
  'GET /routes': () => ({ data: routes() }),
  'GET /presets': { data: [] },
  'GET /apps': { data: [] },
  'GET /filters': { data: [], builtinPatternSets: [] },
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('local servers on the overview’s first run', () => {
  it('offers Ollama before anything else, and adds it as a route in one click', async () => {
    const { calls } = mockApi({
      'GET /overview': () => overview(calls.some((call) => call.method === 'POST') ? 1 : 0),
      'GET /discovery': look([ollama, studio]),
      'POST /routes': route({ id: 'ollama', vendor: 'ollama', baseUrl: ollama.baseUrl, hasApiKey: false }),
    });
    const { container } = render(<OverviewPage />);
    const card = await screen.findByRole('region', { name: 'Model servers on this machine' });
    // First on the page, before the three steps.
    expect(container.querySelector('section.card')).toBe(card);
    const item = await within(card).findByText('Ollama is running on this machine');
    expect(item.parentElement?.textContent).toBe('Ollama is running on this machine — 4 models');
    expect(card.textContent).toContain('llama3.2:latest, qwen3:8b, gemma3:4b +1');
    // LM Studio is a route already: shown as one, not offered again.
    expect(within(card).queryByRole('button', { name: 'Add LM Studio as a route' })).toBeNull();
    expect(within(card).getByRole('link', { name: 'studio' }).getAttribute('href')).toBe('#/routes');

    fireEvent.click(within(card).getByRole('button', { name: 'Add Ollama as a route' }));
    expect((await within(card).findByRole('status')).textContent).toContain('Route “ollama” added');
    expect(calls.find((call) => call.method === 'POST')).toMatchObject({
      path: '/routes',
      body: ollama.route,
    });
    expect(within(card).queryByRole('button', { name: 'Add Ollama as a route' })).toBeNull();
    expect(within(card).getByRole('link', { name: 'ollama' })).toBeTruthy();
    expect(within(card).getByRole('link', { name: 'Create an app key' }).getAttribute('href')).toBe(
      '#/apps?new=1',
    );
    // The overview reads again, so that the first step shows as done; the card stays.
    await waitFor(() => expect(screen.getByText('(done)')).toBeTruthy());
    expect(screen.getByRole('region', { name: 'Model servers on this machine' })).toBe(card);
  });

  it('is not there once a route exists', async () => {
    const { calls } = mockApi({ 'GET /overview': overview(1) });
    render(<OverviewPage />);
    await screen.findByRole('region', { name: 'Get started in three steps' });
    expect(screen.queryByRole('region', { name: 'Model servers on this machine' })).toBeNull();
    expect(calls.some((call) => call.path === '/discovery')).toBe(false);
  });

  it('says where it looked when nothing is running', async () => {
    mockApi({ 'GET /overview': overview(0), 'GET /discovery': look([]) });
    render(<OverviewPage />);
    const card = await screen.findByRole('region', { name: 'Model servers on this machine' });
    await waitFor(() => expect(card.textContent).toContain('No model server is running on the usual ports'));
    expect(card.textContent).toContain('Ollama 11434, LM Studio 1234');
  });

  it('says what went wrong when the route cannot be added', async () => {
    mockApi({
      'GET /overview': overview(0),
      'GET /discovery': look([ollama]),
      'POST /routes': reply(409, { error: { message: 'Route "ollama" already exists.', code: 'conflict' } }),
    });
    render(<OverviewPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add Ollama as a route' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Route "ollama" already exists.');
    expect(screen.getByRole('button', { name: 'Add Ollama as a route' })).toBeTruthy();
  });
});

describe('looking again, and on a port the user names', () => {
  it('checks the port, looks at it with the usual ones, and says why nothing is there', async () => {
    const other: ServerOffer = {
      ...ollama,
      port: 9000,
      kind: 'openai-compatible',
      name: 'OpenAI-compatible server',
      baseUrl: 'http://127.0.0.1:9000/v1',
      models: [],
      route: {
        id: 'local-9000',
        vendor: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:9000/v1',
      },
    };
    const { calls } = mockApi({
      'GET /overview': overview(0),
      'GET /discovery': look([]),
      'POST /discovery': (call) => {
        const ports = (call.body as { ports: number[] }).ports;
        return look(
          ports.includes(9000) ? [other] : [],
          ports.filter((port) => port !== 9000).map((port) => ({ port, reason: 'timeout' as const })),
        );
      },
    });
    render(<OverviewPage />);
    const card = await screen.findByRole('region', { name: 'Model servers on this machine' });
    const field = within(card).getByLabelText('Look on another port');

    fireEvent.change(field, { target: { value: 'abc' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Look' }));
    expect(card.textContent).toContain('Type a port number, such as 9000.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((call) => call.method === 'POST')).toBe(false);

    fireEvent.change(field, { target: { value: '9000' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Look' }));
    await within(card).findByText('An OpenAI-compatible server is running on port 9000');
    expect(card.textContent).toContain('no models listed yet');
    expect(within(card).getByRole('button', { name: 'Add the server on port 9000 as a route' })).toBeTruthy();

    fireEvent.change(field, { target: { value: '9001' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Look' }));
    await within(card).findByText('Port 9001: it did not answer within a second.');

    fireEvent.click(within(card).getByRole('button', { name: 'Look again' }));
    await waitFor(() => expect(calls.filter((call) => call.method === 'POST')).toHaveLength(3));
    expect(calls.filter((call) => call.method === 'POST').map((call) => call.body)).toEqual([
      { ports: [9000] },
      { ports: [9000, 9001] },
      { ports: [9000, 9001] },
    ]);
  });

  it('reads a port as a whole number from 1 to 65535', () => {
    expect(parsePort(' 11434 ')).toBe(11434);
    expect(parsePort('0')).toBe('A port is a number from 1 to 65535.');
    expect(parsePort('65536')).toBe('A port is a number from 1 to 65535.');
    expect(parsePort('80.5')).toBe('Type a port number, such as 9000.');
    expect(parsePort('')).toBe('Type a port number, such as 9000.');
  });
});

describe('local servers on the Routes page', () => {
  it('come before the empty state, and the route added is listed', async () => {
    let routes: Route[] = [];
    mockApi({
      ...routesPage(() => routes),
      'GET /discovery': look([ollama]),
      'POST /routes': () => {
        routes = [route({ id: 'ollama', vendor: 'ollama', baseUrl: ollama.baseUrl, hasApiKey: false })];
        return routes[0]!;
      },
    });
    const { container } = render(<RoutesPage params={NONE} />);
    const card = await screen.findByRole('region', { name: 'Model servers on this machine' });
    const empty = screen.getByRole('region', { name: 'Add a route' });
    expect(card.compareDocumentPosition(empty) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    fireEvent.click(await within(card).findByRole('button', { name: 'Add Ollama as a route' }));
    const row = await screen.findByRole('row', { name: /^ollama\b/ });
    expect(row.textContent).toContain('http://127.0.0.1:11434/v1');
    // The card moved above the list with what it said.
    const moved = screen.getByRole('region', { name: 'Model servers on this machine' });
    expect(moved.textContent).toContain('Route “ollama” added');
    expect(within(moved).getByRole('link', { name: 'ollama' })).toBeTruthy();
    expect(container.querySelector('.empty-state')).toBeNull();
  });

  it('are looked for on demand once routes exist', async () => {
    const { calls } = mockApi({ ...routesPage(() => [route()]), 'GET /discovery': look([studio]) });
    render(<RoutesPage params={NONE} />);
    await screen.findByRole('row', { name: /^openai\b/ });
    expect(screen.queryByRole('region', { name: 'Model servers on this machine' })).toBeNull();
    expect(calls.some((call) => call.path === '/discovery')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Find local servers' }));
    const card = await screen.findByRole('region', { name: 'Model servers on this machine' });
    await within(card).findByText('LM Studio is running on this machine');
    expect(screen.queryByRole('button', { name: 'Find local servers' })).toBeNull();
  });
});
