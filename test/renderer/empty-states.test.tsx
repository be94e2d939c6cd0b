import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Overview } from '../../renderer/src/api/types.ts';
import { App, SecretsWarning } from '../../renderer/src/App.tsx';
import { AppsPage } from '../../renderer/src/pages/Apps.tsx';
import { FiltersPage } from '../../renderer/src/pages/Filters.tsx';
import { OverviewPage } from '../../renderer/src/pages/Overview.tsx';
import { RequestsPage } from '../../renderer/src/pages/Requests.tsx';
import { RoutesPage } from '../../renderer/src/pages/Routes.tsx';
import { UsagePage } from '../../renderer/src/pages/Usage.tsx';
import { mockApi, reply } from './api-mock.ts';
import { route } from './fixtures.ts';

const NONE = new URLSearchParams();
const PRESETS = {
  data: [
    { id: 'openai', label: 'OpenAI', vendor: 'openai', baseUrl: 'https://api.openai.com/v1', needsKey: true },
  ],
};

const overview = (routes: number, apps: number): Overview => ({
  today: { requests: 0, errors: 0, costUsd: 0, unpriced: 0, errorRate: 0, medianLatencyMs: null },
  month: { requests: 0, errors: 0, costUsd: 0, unpriced: 0 },
  last24h: [],
  last30d: [],
  budgets: [],
  alerts: [],
  routes,
  apps,
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = '';
});

describe('empty states tell a new user what to do first', () => {
  it('overview: three steps, starting with "Add a route"', async () => {
    mockApi({ 'GET /overview': overview(0, 0) });
    render(<OverviewPage />);
    const steps = await screen.findByRole('region', { name: 'Get started in three steps' });
    const items = within(steps).getAllByRole('listitem');
    expect(items.map((item) => within(item).getByRole('heading').textContent)).toEqual([
      'Add a route',
      'Create an app key',
      'Point a tool at Switchboard',
    ]);
    expect(within(items[0]!).getByRole('link', { name: 'Add a route' }).getAttribute('href')).toBe(
      '#/routes?new=1',
    );
    expect(screen.getByText('No requests in the last 24 hours yet.')).toBeTruthy();
  });

  it('overview: a done step is marked, and the steps go once there are routes and apps', async () => {
    mockApi({ 'GET /overview': overview(1, 0) });
    render(<OverviewPage />);
    const steps = await screen.findByRole('region', { name: 'Get started in three steps' });
    expect(within(steps).getByText('(done)')).toBeTruthy();
    expect(within(steps).queryByRole('link', { name: 'Add a route' })).toBeNull();
    cleanup();
    mockApi({ 'GET /overview': overview(1, 1) });
    render(<OverviewPage />);
    await screen.findByText('No budgets yet.', { exact: false });
    expect(screen.queryByRole('region', { name: 'Get started in three steps' })).toBeNull();
  });

  it('overview: reserves the place of every number while loading', () => {
    mockApi({ 'GET /overview': () => new Promise(() => {}) });
    const { container } = render(<OverviewPage />);
    expect(container.querySelectorAll('.stat')).toHaveLength(5);
    expect(container.querySelectorAll('.stat .skeleton').length).toBeGreaterThanOrEqual(5);
    expect(container.querySelector('.chart-skeleton')).toBeTruthy();
  });

  it('routes: "Add a route", with what a route is', async () => {
    mockApi({
      'GET /routes': { data: [] },
      'GET /presets': PRESETS,
      'GET /apps': { data: [] },
      'GET /filters': { data: [], builtinPatternSets: [] },
    });
    render(<RoutesPage params={NONE} />);
    const empty = await screen.findByRole('region', { name: 'Add a route' });
    expect(empty.textContent).toContain('Ollama or LM Studio');
    expect(within(empty).getByRole('button', { name: 'Add a route' })).toBeTruthy();
  });

  it('apps: "Create an app key", and a pointer to routes when there are none', async () => {
    mockApi({
      'GET /apps': { data: [] },
      'GET /routes': { data: [] },
      'GET /filters': { data: [], builtinPatternSets: [] },
      'GET /budgets': { data: [] },
    });
    render(<AppsPage params={NONE} />);
    const empty = await screen.findByRole('region', { name: 'Create an app key' });
    expect(within(empty).getByRole('button', { name: 'Create an app key' })).toBeTruthy();
    await waitFor(() =>
      expect(within(empty).getByRole('link', { name: 'add one' }).getAttribute('href')).toBe(
        '#/routes?new=1',
      ),
    );
  });

  it('requests, filters and usage each say what fills them', async () => {
    mockApi({
      'GET /requests': { data: [] },
      'GET /apps': { data: [] },
      'GET /routes': { data: [route()] },
      'GET /filters': { data: [], builtinPatternSets: [] },
      'GET /usage': { data: [] },
    });
    render(<RequestsPage />);
    expect((await screen.findByRole('region', { name: 'No requests yet' })).textContent).toContain(
      'create an app key',
    );
    cleanup();
    render(<FiltersPage params={NONE} />);
    expect((await screen.findByRole('region', { name: 'No filters yet' })).textContent).toContain(
      'redacts API keys',
    );
    cleanup();
    render(<UsagePage />);
    expect(await screen.findByRole('region', { name: 'No usage in this period' })).toBeTruthy();
  });

  it('shows the gateway’s own error message when a list cannot load', async () => {
    mockApi({
      'GET /routes': reply(500, {
        error: { message: 'Switchboard hit an internal error; see its log.', code: 'internal_error' },
      }),
      'GET /presets': PRESETS,
      'GET /apps': { data: [] },
      'GET /filters': { data: [], builtinPatternSets: [] },
    });
    render(<RoutesPage params={NONE} />);
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Switchboard hit an internal error; see its log.',
    );
  });
});

describe('the shell', () => {
  it('has a labelled navigation that marks the current page', async () => {
    mockApi({
      'GET /status': { status: 'ok', secrets: 'file-key', routes: 0 },
      'GET /overview': overview(0, 0),
    });
    window.location.hash = '#/overview';
    render(<App />);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual([
      'Overview',
      'Routes',
      'Apps & keys',
      'Filters',
      'Spend & usage',
      'Latency & models',
      'Requests',
      'Sessions',
      'Playground',
      'Settings',
    ]);
    expect(within(nav).getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Overview' })).toBeTruthy();
  });

  it('warns on every page when vendor keys are sealed with a fixed key', async () => {
    render(<SecretsWarning secrets="basic-text" />);
    expect(screen.getByText('Vendor keys are stored with a fixed key').parentElement?.textContent).toContain(
      'Install a keyring',
    );
    cleanup();
    mockApi({
      'GET /status': { status: 'ok', secrets: 'basic-text', routes: 0 },
      'GET /overview': overview(0, 0),
    });
    render(<App />);
    expect(await screen.findByText('Vendor keys are stored with a fixed key')).toBeTruthy();
  });

  it('says how to sign in again when the session has ended', async () => {
    mockApi({
      'GET /status': reply(401, {
        error: { message: 'The admin API needs the admin token.', code: 'invalid_api_key' },
      }),
      'GET /overview': overview(0, 0),
    });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Signed out' })).toBeTruthy();
  });

  it('uses the desktop bridge’s URL and admin token when the preload gives them', async () => {
    const { calls, fetchMock } = mockApi({
      'GET /status': { status: 'ok', secrets: 'keychain', routes: 0 },
      'GET /overview': overview(1, 1),
    });
    window.switchboard = { baseUrl: 'http://127.0.0.1:4141', adminToken: 'admin-token' };
    try {
      render(<App />);
      await waitFor(() => expect(calls.length).toBeGreaterThan(0));
      const [url, init] = fetchMock.mock.calls[0]!;
      expect(String(url)).toMatch(/^http:\/\/127\.0\.0\.1:4141\/admin\/api\//);
      expect(new Headers(init?.headers).get('authorization')).toBe('Bearer admin-token');
      expect(init?.credentials).toBe('omit');
      expect(screen.getByRole('button', { name: 'Copy base URL' })).toBeTruthy();
    } finally {
      delete window.switchboard;
    }
  });
});
