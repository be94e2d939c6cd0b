import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentSession, AgentSessionDetail } from '../../renderer/src/api/sessions.ts';
import type { RequestRow } from '../../renderer/src/api/types.ts';
import { SessionsPage } from '../../renderer/src/pages/Sessions.tsx';
import { sharesByModel, spans } from '../../renderer/src/pages/sessions/time-shares.ts';
import { mockApi, reply, type Call } from './api-mock.ts';
import { app } from './fixtures.ts';

const START = Date.UTC(2025, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(START + ms).toISOString();

const session = (overrides: Partial<AgentSession> = {}): AgentSession => ({
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  agent: 'claude-code',
  app: 'cursor',
  routes: ['claude', 'local'],
  models: ['claude-sonnet-4-5', 'llama3.2'],
  turns: 3,
  inputTokens: 12_000,
  outputTokens: 900,
  costUsd: 0.042,
  unpriced: 0,
  errors: 0,
  firstAt: iso(0),
  lastAt: iso(10_000),
  durationMs: 10_000,
  latencyMs: 7_000,
  partial: false,
  ...overrides,
});

const request = (
  index: number,
  at: number,
  latencyMs: number,
  overrides: Partial<RequestRow> = {},
): RequestRow => ({
  id: `req_${index}`,
  time: iso(at),
  app: 'cursor',
  route: 'claude',
  vendor: 'anthropic',
  model: 'claude-sonnet-4-5',
  upstreamModel: 'claude-sonnet-4-5-20250929',
  endpoint: 'messages',
  stream: true,
  status: 200,
  errorCode: null,
  errorMessage: null,
  retryAfter: null,
  inputTokens: 4000,
  outputTokens: 300,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  costUsd: 0.02,
  latencyMs,
  ttfbMs: 400,
  partial: false,
  attempts: [],
  session: 'a1b2c3d4-0000-4000-8000-000000000001',
  agent: 'claude-code',
  requestedModel: null,
  ...overrides,
});

/** A run: the main model twice, a background call on a local model (no price) in between. */
const detail = (): AgentSessionDetail => ({
  ...session({ costUsd: 0.04, unpriced: 1 }),
  requests: [
    request(1, 0, 5_000),
    request(2, 5_000, 500, {
      route: 'local',
      vendor: 'ollama',
      model: 'llama3.2',
      upstreamModel: 'llama3.2',
      requestedModel: 'claude-haiku-4-5',
      costUsd: null,
    }),
    request(3, 8_500, 1_500, { status: 500, errorCode: 'upstream_error' }),
  ],
});

beforeEach(() => {
  window.location.hash = '#/sessions';
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = '';
});

const bodyRows = (table: HTMLElement) => within(table).getAllByRole('row').slice(1);

describe('the sessions list', () => {
  it('shows one row per session: tool, app, models, turns, tokens, cost, duration, last activity', async () => {
    mockApi({
      'GET /sessions': {
        data: [
          session(),
          session({
            id: 'run-2',
            agent: null,
            app: 'scripts',
            models: ['gpt-5'],
            turns: 1,
            errors: 2,
            costUsd: null,
          }),
        ],
      },
      'GET /apps': { data: [app()] },
    });
    render(<SessionsPage params={new URLSearchParams()} />);
    await screen.findByText('Claude Code');
    const [first, second] = bodyRows(screen.getByRole('table'));
    const cells = within(first!).getAllByRole('cell');
    expect(cells.map((cell) => cell.textContent)).toEqual([
      'Claude Code',
      'cursor',
      'claude-sonnet-4-5, llama3.2',
      '3',
      '12,000 / 900',
      '$0.04',
      '10.00 s',
      expect.any(String),
    ]);
    for (const cell of cells.slice(3, 7)) expect(cell.className).toContain('num');
    // A client that said only its session; its failures and unknown price are said, never as zero.
    const other = within(second!).getAllByRole('cell');
    expect(other[0]!.textContent).toBe('Other2 errors');
    expect(other[5]!.textContent).toBe('—');
  });

  it('opens a session from its row', async () => {
    mockApi({ 'GET /sessions': { data: [session({ id: 'run 1' })] }, 'GET /apps': { data: [] } });
    render(<SessionsPage params={new URLSearchParams()} />);
    const link = await screen.findByRole('link', { name: 'Claude Code, session run 1' });
    expect(link.getAttribute('href')).toBe('#/sessions?id=run%201');
    fireEvent.click(link.closest('tr')!);
    expect(window.location.hash).toBe('#/sessions?id=run+1');
  });

  it('filters by app and tool through the API', async () => {
    const { calls } = mockApi({
      'GET /sessions': ({ query }: Call) => ({
        data: query.get('agent') === 'gemini-cli' ? [] : [session()],
      }),
      'GET /apps': { data: [app()] },
    });
    render(<SessionsPage params={new URLSearchParams()} />);
    await screen.findByText('Claude Code');
    fireEvent.change(screen.getByLabelText('Tool'), { target: { value: 'gemini-cli' } });
    expect(await screen.findByRole('region', { name: 'No session matches' })).toBeTruthy();
    const last = calls.filter((call) => call.path === '/sessions').at(-1)!;
    expect(last.query.get('agent')).toBe('gemini-cli');
    expect(last.query.get('limit')).toBe('50');
  });

  it('says how to get sessions when there are none', async () => {
    mockApi({ 'GET /sessions': { data: [] }, 'GET /apps': { data: [] } });
    render(<SessionsPage params={new URLSearchParams()} />);
    const empty = await screen.findByRole('region', { name: 'No agent sessions yet' });
    const text = empty.textContent ?? '';
    expect(text).toContain('Claude Code');
    expect(text).toContain(`ANTHROPIC_BASE_URL=${window.location.origin}`);
    expect(text).toContain('Gemini CLI');
    expect(text).toContain('GOOGLE_GEMINI_BASE_URL=');
    expect(text).toContain('x-switchboard-session');
  });
});

describe('one session', () => {
  it('answers what it cost and where the time went', async () => {
    mockApi({ 'GET /sessions/run-1': detail() });
    render(<SessionsPage params={new URLSearchParams({ id: 'run-1' })} />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Claude Code session' })).toBeTruthy();
    const totals = screen.getByRole('region', { name: 'Session totals' });
    expect(totals.textContent).toContain('$0.04+?');
    expect(totals.textContent).toContain('1 turn with no price');
    expect(totals.textContent).toContain('7.00 s');
    expect(totals.textContent).toContain('70% of the duration');

    // Model by model, the one that took the most time first.
    const byModel = within(screen.getByRole('region', { name: 'By model' })).getByRole('table');
    expect(
      bodyRows(byModel).map((row) =>
        within(row)
          .getAllByRole('cell')
          .slice(0, 5)
          .map((cell) => cell.textContent),
      ),
    ).toEqual([
      ['claude-sonnet-4-5', '2', '8,000 / 600', '$0.04', '6.50 s'],
      ['llama3.2', '1', '4,000 / 300', '—', '500 ms'],
    ]);

    // Request by request, in order, each with its place in the session's time.
    const requests = within(screen.getByRole('region', { name: 'Requests' })).getByRole('table');
    const rows = bodyRows(requests);
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]!.textContent)).toEqual([
      '+0 ms',
      '+5.00 s',
      '+8.50 s',
    ]);
    expect(within(rows[1]!).getAllByRole('cell')[1]!.getAttribute('title')).toBe(
      'claude-haiku-4-5 → llama3.2',
    );
    expect(within(rows[2]!).getAllByRole('cell')[2]!.textContent).toBe('500');
    const bars = rows.map((row) => within(row).getByRole('img'));
    expect(bars.map((bar) => (bar.firstElementChild as HTMLElement).style.left)).toEqual([
      '0%',
      '50%',
      '85%',
    ]);
    expect(bars.map((bar) => (bar.firstElementChild as HTMLElement).style.width)).toEqual([
      '50%',
      '5%',
      '15%',
    ]);
    expect(bars[0]!.getAttribute('aria-label')).toBe(
      'Started +0 ms into the session, took 5.00 s (50% of it)',
    );
  });

  it('opens a request of the session in the request drawer', async () => {
    mockApi({ 'GET /sessions/run-1': detail(), 'GET /requests/req_3/bodies': { logged: false } });
    render(<SessionsPage params={new URLSearchParams({ id: 'run-1' })} />);
    fireEvent.click(await screen.findByRole('button', { name: /details of request 3,/ }));
    const drawer = await screen.findByRole('dialog', { name: 'Request' });
    expect(drawer.textContent).toContain('req_3');
    expect(drawer.textContent).toContain('upstream_error');
  });

  it('says so when the session does not exist', async () => {
    mockApi({
      'GET /sessions/gone': reply(404, {
        error: { message: 'Agent session "gone" does not exist.', code: 'not_found' },
      }),
    });
    render(<SessionsPage params={new URLSearchParams({ id: 'gone' })} />);
    expect(await screen.findByText('Agent session "gone" does not exist.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'All sessions' }).getAttribute('href')).toBe('#/sessions');
  });
});

describe('time shares', () => {
  it('places each request on the session timeline, clamped to it', () => {
    expect(
      spans(
        [
          { time: iso(0), latencyMs: 2_000 },
          { time: iso(9_000), latencyMs: 5_000 },
        ],
        iso(0),
        10_000,
      ),
    ).toEqual([
      { start: 0, width: 0.2 },
      { start: 0.9, width: expect.closeTo(0.1, 10) },
    ]);
    expect(spans([{ time: iso(0), latencyMs: 0 }], iso(0), 0)).toEqual([{ start: 0, width: 1 }]);
  });

  it('sums per model, unknown cost as null, the slowest first', () => {
    const shares = sharesByModel(detail().requests);
    expect(shares.map((share) => [share.model, share.turns, share.costUsd, share.latencyMs])).toEqual([
      ['claude-sonnet-4-5', 2, 0.04, 6_500],
      ['llama3.2', 1, null, 500],
    ]);
  });
});
