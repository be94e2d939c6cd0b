import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestRow } from '../../renderer/src/api/types.ts';
import { RequestDetail, RequestsPage } from '../../renderer/src/pages/Requests.tsx';
import { mockApi } from './api-mock.ts';
import { app, route } from './fixtures.ts';

const row = (overrides: Partial<RequestRow> = {}): RequestRow => ({
  id: 'req_fallback',
  time: '2025-01-01T12:00:00.000Z',
  app: 'claude-code',
  route: 'openai',
  vendor: 'openai',
  model: 'gpt-4.1-mini',
  upstreamModel: 'gpt-4.1-mini-2025-04-14',
  endpoint: 'messages',
  stream: true,
  status: 200,
  errorCode: null,
  errorMessage: null,
  retryAfter: null,
  inputTokens: 10,
  outputTokens: 2,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  costUsd: 0.0001,
  latencyMs: 2400,
  ttfbMs: 2100,
  partial: false,
  attempts: [
    {
      route: 'claude',
      model: 'claude-sonnet-4-5',
      status: 529,
      errorCode: 'overloaded_error',
      durationMs: 310,
    },
    { route: 'claude', model: 'claude-sonnet-4-5', status: null, errorCode: 'ECONNRESET', durationMs: 1200 },
    { route: 'openai', model: 'gpt-4.1-mini', status: 200, errorCode: null, durationMs: 640 },
  ],
  ...overrides,
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function openDetail(request: RequestRow) {
  mockApi({ 'GET /requests/req_fallback/bodies': { logged: false } });
  render(<RequestDetail row={request} onClose={() => {}} />);
  return screen.getByRole('dialog', { name: 'Request' });
}

/** The attempts table's cells, row by row. */
const attemptCells = (dialog: HTMLElement) =>
  within(within(dialog).getByRole('table', { name: 'Upstream attempts, in the order they were made' }))
    .getAllByRole('row')
    .slice(1)
    .map((item) =>
      within(item)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    );

const definition = (dialog: HTMLElement, term: string) =>
  within(dialog).getByText(term, { selector: 'dt' }).nextElementSibling?.textContent;

describe('a request’s attempts in its details', () => {
  it('lists every upstream call in order, the last marked as the one that answered', () => {
    const dialog = openDetail(row());
    expect(within(dialog).getByRole('heading', { name: 'Attempts' })).toBeTruthy();
    expect(dialog.textContent).toContain('3 upstream calls, in order');
    expect(attemptCells(dialog)).toEqual([
      ['1', 'claude claude-sonnet-4-5', '529 overloaded_error', '310 ms'],
      ['2', 'claude claude-sonnet-4-5', 'no answer ECONNRESET', '1.20 s'],
      ['3', 'openai answered gpt-4.1-mini', '200', '640 ms'],
    ]);
    // The row's route is the one that served it.
    expect(definition(dialog, 'Served by')).toBe('openai · openai');
  });

  it('marks the last attempt of a request that failed as the final one, and its route as the last tried', () => {
    const dialog = openDetail(
      row({
        status: 502,
        errorCode: 'upstream_error',
        attempts: [
          {
            route: 'claude',
            model: 'claude-sonnet-4-5',
            status: 529,
            errorCode: 'overloaded_error',
            durationMs: 300,
          },
          {
            route: 'openai',
            model: 'gpt-4.1-mini',
            status: 503,
            errorCode: 'upstream_error',
            durationMs: 90,
          },
        ],
      }),
    );
    expect(attemptCells(dialog).at(-1)).toEqual([
      '2',
      'openai final gpt-4.1-mini',
      '503 upstream_error',
      '90 ms',
    ]);
    expect(definition(dialog, 'Last tried')).toBe('openai · openai');
  });

  it('shows no attempts for a request answered by its one call', () => {
    const dialog = openDetail(row({ attempts: [] }));
    expect(within(dialog).queryByRole('heading', { name: 'Attempts' })).toBeNull();
    expect(definition(dialog, 'Route')).toBe('openai · openai');
  });
});

describe('a request that fell back, in the log', () => {
  it('says so beside its route', async () => {
    mockApi({
      'GET /requests': { data: [row(), row({ id: 'req_plain', route: 'claude', attempts: [] })] },
      'GET /apps': { data: [app()] },
      'GET /routes': { data: [route()] },
    });
    render(<RequestsPage />);
    await screen.findAllByText('claude-code');
    const [fellBack, plain] = screen.getAllByRole('row').slice(1);
    expect(within(fellBack!).getAllByRole('cell')[2]!.textContent).toBe('openai fallback');
    expect(within(plain!).getAllByRole('cell')[2]!.textContent).toBe('claude');
  });
});

describe("a request's timings", () => {
  it("shows the vendor's time apart from Switchboard's own, where calls were made", () => {
    const dialog = openDetail(row({ upstreamMs: 2380, gatewayMs: 20 }));
    const timings = within(dialog).getByText('The vendor').closest('dl')!;
    expect(within(timings).getByText('The vendor').nextElementSibling!.textContent).toBe('2.38 s');
    expect(within(timings).getByText('Switchboard itself').nextElementSibling!.textContent).toBe('20 ms');
    cleanup();
    const none = openDetail(row({ upstreamMs: null, gatewayMs: null }));
    expect(within(none).queryByText('The vendor')).toBeNull();
  });
});

describe('a logged request, read', () => {
  const STREAM = [
    { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
    { choices: [{ index: 0, delta: { content: 'Hello' } }] },
    { choices: [{ index: 0, delta: { content: ', world.' } }] },
  ]
    .map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`)
    .join('')
    .concat('data: [DONE]\n\n');
  const PROMPT = JSON.stringify({
    model: 'gpt-4.1-mini',
    stream: true,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ],
  });

  it('shows the prompt as a conversation and the streamed answer as text, the raw bodies a click away', async () => {
    mockApi({ 'GET /requests/req_fallback/bodies': { logged: true, request: PROMPT, response: STREAM } });
    render(<RequestDetail row={row()} onClose={() => {}} />);
    const conversation = await screen.findByLabelText('The request as a conversation');
    expect(within(conversation).getByText('Be brief.')).toBeTruthy();
    expect(within(conversation).getByText('Say hello')).toBeTruthy();
    expect(within(conversation).getByText('Hello, world.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show raw JSON' }));
    expect(screen.queryByLabelText('The request as a conversation')).toBeNull();
    expect(screen.getByText(/data: \[DONE\]/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Show as a conversation' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
  });
});

describe('a request Switchboard itself ended while shutting down', () => {
  it('says so, rather than calling it the vendor’s own error code', () => {
    const dialog = openDetail(
      row({ status: 200, partial: true, errorCode: 'shutting_down', attempts: [], errorMessage: null }),
    );
    expect(within(dialog).getByText(/Switchboard was shutting down/)).toBeTruthy();
    expect(within(dialog).queryByText(/vendor’s own error code/)).toBeNull();
  });
});
