import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlaygroundResult } from '../../renderer/src/api/playground.ts';
import type { RequestRow } from '../../renderer/src/api/types.ts';
import { AppsPage } from '../../renderer/src/pages/Apps.tsx';
import { PlaygroundPage, suggestedModel } from '../../renderer/src/pages/Playground.tsx';
import { mockApi, reply, type Call } from './api-mock.ts';
import { app, route } from './fixtures.ts';

// Issue 15, item 5: the playground's prompt form, its answers side by side, and replay.

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ROUTES = {
  data: [
    route({ id: 'gpt', vendor: 'openai', defaultModel: 'gpt-4.1-nano', models: [] }),
    route({ id: 'claude', vendor: 'anthropic', models: ['claude-sonnet-*', 'claude-haiku-4-5'] }),
  ],
};

const row = (fields: Partial<RequestRow> = {}): RequestRow => ({
  id: 'req_1',
  time: '2026-12-07T10:00:00.000Z',
  app: 'playground',
  route: 'gpt',
  vendor: 'openai',
  model: 'gpt-4.1-nano',
  upstreamModel: 'gpt-4.1-nano-2025-04-14',
  endpoint: 'chat.completions',
  stream: false,
  status: 200,
  errorCode: null,
  errorMessage: null,
  retryAfter: null,
  inputTokens: 1234,
  outputTokens: 56,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  costUsd: 1.25,
  latencyMs: 850,
  ttfbMs: 850,
  partial: false,
  attempts: [],
  ...fields,
});

const chatAnswer = (text: string) =>
  JSON.stringify({
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  });

const result = (fields: Partial<PlaygroundResult> = {}): PlaygroundResult => ({
  format: 'openai-chat',
  status: 200,
  response: chatAnswer('Galaxy Day'),
  cut: false,
  request: row(),
  ...fields,
});

const NONE = new URLSearchParams();

/** The answer card named `name` once it shows `text` (a waiting card is replaced by another element). */
async function answered(name: string, text: string): Promise<HTMLElement> {
  await waitFor(() => within(screen.getByRole('region', { name })).getByText(text));
  return screen.getByRole('region', { name });
}
const modelsOf = { 'GET /routes/gpt/models': { data: ['gpt-4.1-nano', 'gpt-4.1-mini'] } };

describe('suggestedModel', () => {
  it('is the route’s default, else the first name its allow-list spells out, else nothing', () => {
    expect(suggestedModel(ROUTES.data[0])).toBe('gpt-4.1-nano');
    expect(suggestedModel(ROUTES.data[1])).toBe('claude-haiku-4-5');
    expect(suggestedModel(route({ models: ['x-*'], defaultModel: null }))).toBe('');
    expect(suggestedModel(undefined)).toBe('');
  });
});

describe('the playground', () => {
  it('sends the prompt to the route and model picked, and shows the answer with its tokens and cost', async () => {
    const { calls } = mockApi({ 'GET /routes': ROUTES, ...modelsOf, 'POST /playground': result() });
    render(<PlaygroundPage params={NONE} />);
    const model = await screen.findByLabelText('Model');
    expect((model as HTMLInputElement).value).toBe('gpt-4.1-nano');
    // The models offered are the ones the route's allow-list takes, as the gateway lists them.
    await waitFor(() =>
      expect(
        calls.some((call) => call.path === '/routes/gpt/models' && call.query.get('allowed') === 'true'),
      ).toBe(true),
    );
    fireEvent.change(screen.getByLabelText('System prompt'), { target: { value: 'Be brief.' } });
    fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'Invent a holiday.' } });
    fireEvent.change(screen.getByLabelText('Max tokens'), { target: { value: '200' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));

    const card = await answered('gpt · gpt-4.1-nano', 'Galaxy Day');
    expect(within(card).getByText('1,234 / 56')).toBeTruthy();
    expect(within(card).getByText('$1.25')).toBeTruthy();
    expect(within(card).getByText('gpt-4.1-nano-2025-04-14')).toBeTruthy();
    expect(calls.find((call) => call.method === 'POST')!.body).toEqual({
      route: 'gpt',
      model: 'gpt-4.1-nano',
      maxTokens: 200,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Invent a holiday.' },
      ],
    });
  });

  it('asks for a message before sending anything', async () => {
    const { calls } = mockApi({ 'GET /routes': ROUTES, ...modelsOf });
    render(<PlaygroundPage params={NONE} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Write a message to send.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'hi' } });
    fireEvent.change(screen.getByLabelText('Max tokens'), { target: { value: '1.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText(/Max tokens: a whole number/)).toBeTruthy();
    expect(calls.filter((call) => call.method === 'POST')).toEqual([]);
  });

  it('sends one prompt to two routes and shows the answers side by side', async () => {
    const { calls } = mockApi({
      'GET /routes': ROUTES,
      ...modelsOf,
      'GET /routes/claude/models': { data: ['claude-haiku-4-5'] },
      'POST /playground': (call: Call) =>
        (call.body as { route: string }).route === 'claude'
          ? result({
              response: chatAnswer('Hello from Claude'),
              request: row({ id: 'req_2', route: 'claude' }),
            })
          : result(),
    });
    render(<PlaygroundPage params={NONE} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Compare with another route or model' }));
    const second = screen.getByRole('group', { name: 'Answer 2' });
    fireEvent.change(within(second).getByLabelText('Route'), { target: { value: 'claude' } });
    expect((within(second).getByLabelText('Model') as HTMLInputElement).value).toBe('claude-haiku-4-5');
    fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'hi' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await answered('Answer 1 · gpt · gpt-4.1-nano', 'Galaxy Day');
    await answered('Answer 2 · claude · claude-haiku-4-5', 'Hello from Claude');
    expect(
      calls.filter((call) => call.method === 'POST').map((call) => (call.body as { route: string }).route),
    ).toEqual(['gpt', 'claude']);
    // Back to one target.
    fireEvent.click(screen.getByRole('button', { name: 'Remove the second model' }));
    expect(screen.queryByRole('group', { name: 'Answer 2' })).toBeNull();
  });

  it('shows what the gateway refused, in its words, where there is no answer', async () => {
    mockApi({
      'GET /routes': ROUTES,
      ...modelsOf,
      'POST /playground': result({
        status: 429,
        response: JSON.stringify({
          error: { message: 'Budget of app playground is spent.', code: 'budget_exceeded' },
        }),
        request: row({
          status: 429,
          errorCode: 'budget_exceeded',
          errorMessage: 'Budget of app playground is spent.',
        }),
      }),
    });
    render(<PlaygroundPage params={NONE} />);
    fireEvent.change(await screen.findByLabelText('Message'), { target: { value: 'hi' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const card = await answered('gpt · gpt-4.1-nano', 'Budget of app playground is spent.');
    expect(within(card).getByText('budget_exceeded')).toBeTruthy();
    expect(within(card).getByText('429')).toBeTruthy();
  });

  it('says nothing of cost where the row was not written in time, and "unknown" where it has no price', async () => {
    let answer = result({ request: null });
    mockApi({ 'GET /routes': ROUTES, ...modelsOf, 'POST /playground': () => answer });
    render(<PlaygroundPage params={NONE} />);
    fireEvent.change(await screen.findByLabelText('Message'), { target: { value: 'hi' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    let card = await answered('gpt · gpt-4.1-nano', 'Galaxy Day');
    expect(within(card).queryByText('unknown')).toBeNull();
    answer = result({ request: row({ costUsd: null }) });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() =>
      within(screen.getByRole('region', { name: 'gpt · gpt-4.1-nano' })).getByText('unknown'),
    );
    card = screen.getByRole('region', { name: 'gpt · gpt-4.1-nano' });
    expect(within(card).getByText('1,234 / 56')).toBeTruthy();
  });

  it('stops waiting when asked, and says so', async () => {
    mockApi({ 'GET /routes': ROUTES, ...modelsOf });
    const mocked = globalThis.fetch;
    const calls: { path: string }[] = [];
    // The prompt never answers: only Stop ends it.
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init: RequestInit = {}) => {
      if (String(input).endsWith('/playground')) calls.push({ path: '/playground' });
      return String(input).endsWith('/playground')
        ? new Promise((_, reject) =>
            init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
          )
        : mocked(input, init);
    });
    render(<PlaygroundPage params={NONE} />);
    fireEvent.change(await screen.findByLabelText('Message'), { target: { value: 'hi' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByRole('status')).textContent).toMatch(/^Waiting for the answer… \d+ s$/);
    // The seconds are shown, not announced every second.
    expect(screen.getByText(/^\d+ s$/).getAttribute('aria-hidden')).toBe('true');
    // Ctrl+Enter while waiting does not send again (which would stop the prompt out).
    fireEvent.keyDown(screen.getByLabelText('Message'), { key: 'Enter', ctrlKey: true });
    expect(calls.filter((call) => call.path === '/playground')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(await screen.findByText('Stopped before the answer came.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('sends the user to add a route when there is none', async () => {
    mockApi({ 'GET /routes': { data: [] } });
    render(<PlaygroundPage params={NONE} />);
    expect(await screen.findByRole('region', { name: 'No routes yet' })).toBeTruthy();
  });
});

describe('replay', () => {
  const replayParams = new URLSearchParams({ replay: 'req_9' });
  const original = row({ id: 'req_9', app: 'cli', stream: true, costUsd: 0.5 });
  const bodies = {
    logged: true,
    request: JSON.stringify({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'Original question' }],
    }),
    response: [
      'data: {"choices":[{"index":0,"delta":{"content":"Original "}}]}',
      'data: {"choices":[{"index":0,"delta":{"content":"answer"}}]}',
      'data: [DONE]',
    ].join('\n\n'),
  };

  it('shows the original answer, replays on the route and model picked, and shows both side by side', async () => {
    const { calls } = mockApi({
      'GET /routes': ROUTES,
      ...modelsOf,
      'GET /routes/claude/models': { data: [] },
      'GET /requests/req_9': original,
      'GET /requests/req_9/bodies': bodies,
      'POST /requests/req_9/replay': result({
        response: chatAnswer('Cheaper answer'),
        request: row({ id: 'req_10', route: 'claude', model: 'claude-haiku-4-5', costUsd: 0.01 }),
      }),
    });
    render(<PlaygroundPage params={replayParams} />);
    const left = await screen.findByRole('region', { name: 'Original · gpt · gpt-4.1-nano' });
    // Put together from its logged stream.
    await within(left).findByText('Original answer');
    expect(within(left).getByText('$0.50')).toBeTruthy();
    expect(screen.getByText('Original question')).toBeTruthy();
    // The original's route and model are picked to start with.
    const target = screen.getByRole('group', { name: 'Send it to' });
    expect((within(target).getByLabelText('Route') as HTMLSelectElement).value).toBe('gpt');
    expect((within(target).getByLabelText('Model') as HTMLInputElement).value).toBe('gpt-4.1-nano');
    fireEvent.change(within(target).getByLabelText('Route'), { target: { value: 'claude' } });
    fireEvent.change(within(target).getByLabelText('Model'), { target: { value: 'claude-haiku-4-5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Replay' }));
    const right = await answered('Replay · claude · claude-haiku-4-5', 'Cheaper answer');
    expect(within(right).getByText('$0.01')).toBeTruthy();
    expect(calls.find((call) => call.method === 'POST')!.body).toEqual({
      route: 'claude',
      model: 'claude-haiku-4-5',
    });
  });

  it('says why when the request’s body was not logged', async () => {
    mockApi({
      'GET /routes': ROUTES,
      ...modelsOf,
      'GET /requests/req_9': original,
      'GET /requests/req_9/bodies': { logged: false },
    });
    render(<PlaygroundPage params={replayParams} />);
    expect(await screen.findByText(/was not logged, so there is nothing to send again/)).toBeTruthy();
  });

  it('says so when the log has no such request', async () => {
    mockApi({
      'GET /routes': ROUTES,
      ...modelsOf,
      'GET /requests/req_9': reply(404, { error: { message: 'No request req_9.', code: 'not_found' } }),
      'GET /requests/req_9/bodies': { logged: false },
    });
    render(<PlaygroundPage params={replayParams} />);
    expect(await screen.findByText('No such request')).toBeTruthy();
    expect(screen.getByText(/There is no request/)).toBeTruthy();
  });

  it('shows the gateway’s refusal of a replay', async () => {
    mockApi({
      'GET /routes': ROUTES,
      ...modelsOf,
      'GET /requests/req_9': original,
      'GET /requests/req_9/bodies': bodies,
      'POST /requests/req_9/replay': reply(400, {
        error: { message: 'Only chat requests can be replayed.', code: 'not_replayable' },
      }),
    });
    render(<PlaygroundPage params={replayParams} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Replay' }));
    expect(await screen.findByText('Only chat requests can be replayed.')).toBeTruthy();
  });
});

describe('the built-in app on Apps & keys', () => {
  it('is marked built in, says what it is for, and offers no new key', async () => {
    mockApi({
      'GET /apps': { data: [app({ name: 'playground', builtIn: true, keys: [] }), app({ name: 'cursor' })] },
      'GET /routes': ROUTES,
      'GET /filters': { data: [], builtins: [] },
      'GET /budgets': { data: [] },
    });
    render(<AppsPage params={NONE} />);
    const card = await screen.findByRole('region', { name: 'playground' });
    expect(within(card).getByText('built in')).toBeTruthy();
    expect(within(card).getByText(/sends its prompts and replays as this app/)).toBeTruthy();
    expect(within(card).queryByRole('button', { name: /New key/ })).toBeNull();
    expect(within(card).queryByText('no active key')).toBeNull();
    const other = screen.getByRole('region', { name: 'cursor' });
    expect(within(other).getByRole('button', { name: /New key/ })).toBeTruthy();
    // Deleting it says what happens then.
    fireEvent.click(within(card).getByRole('button', { name: 'Delete app playground' }));
    expect(await screen.findByText(/creates it again, without limits/)).toBeTruthy();
    expect(screen.getByText(/Its 0 active keys stop working at once/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(other).getByRole('button', { name: 'Delete app cursor' }));
    expect(await screen.findByText(/Its 1 active key stops working at once/)).toBeTruthy();
  });
});
