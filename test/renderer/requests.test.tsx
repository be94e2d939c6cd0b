import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestRow } from '../../renderer/src/api/types.ts';
import { POLL_MS, RequestsPage } from '../../renderer/src/pages/Requests.tsx';
import { mockApi, type Call } from './api-mock.ts';
import { app, route } from './fixtures.ts';

const ROW_HEIGHT = 40;

const row = (index: number, overrides: Partial<RequestRow> = {}): RequestRow => ({
  id: `req_${String(index).padStart(4, '0')}`,
  time: new Date(Date.UTC(2025, 0, 1, 12, 0, index)).toISOString(),
  app: 'cursor',
  route: 'openai',
  vendor: 'openai',
  model: 'gpt-4.1-mini',
  upstreamModel: 'gpt-4.1-mini-2025-04-14',
  endpoint: 'chat.completions',
  stream: false,
  status: 200,
  errorCode: null,
  errorMessage: null,
  retryAfter: null,
  inputTokens: 1200 + index,
  outputTokens: 34,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  costUsd: 0.00042,
  latencyMs: 812,
  ttfbMs: 300,
  partial: false,
  attempts: [],
  ...overrides,
});

/** The request log, newest first, as the gateway answers it (paging with `before`). */
let log: RequestRow[] = [];
let scrollTop = 0;

function answer({ query }: Call) {
  let rows = log;
  for (const name of ['app', 'route', 'model'] as const) {
    const value = query.get(name);
    if (value) rows = rows.filter((item) => item[name] === value);
  }
  const before = query.get('before');
  if (before) rows = rows.slice(rows.findIndex((item) => item.id === before) + 1);
  return { data: rows.slice(0, Number(query.get('limit') ?? 50)) };
}

/**
 * happy-dom lays nothing out, so the scroll container gets a height that grows with its rows, as a
 * browser's would: enough to check that prepending keeps the reader's row in place.
 */
function renderInScroller() {
  const utils = render(
    <main className="main">
      <RequestsPage />
    </main>,
  );
  const main = utils.container.querySelector('main')!;
  Object.defineProperty(main, 'scrollHeight', {
    configurable: true,
    get: () => 300 + main.querySelectorAll('tbody tr').length * ROW_HEIGHT,
  });
  Object.defineProperty(main, 'scrollTop', {
    configurable: true,
    get: () => scrollTop,
    set: (value: number) => {
      scrollTop = value;
    },
  });
  return { ...utils, main };
}

/** The tokens cell of a row, by its input tokens (the cell's text is split by a separator span). */
const tokens = (input: string) => (_: string, element: Element | null) =>
  element?.tagName === 'TD' && (element.textContent ?? '').startsWith(`${input} /`);

/** The definition of a term in a details list. */
const definition = (container: HTMLElement, term: string) =>
  within(container).getByText(term, { selector: 'dt' }).nextElementSibling?.textContent;

const poll = () => act(async () => void (await vi.advanceTimersByTimeAsync(POLL_MS)));
const bodyRows = () => screen.getAllByRole('row').slice(1);

beforeEach(() => {
  // Only the poll's interval is faked; Testing Library's waits keep real timeouts.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  scrollTop = 0;
  log = [row(2), row(1)];
  mockApi({
    'GET /requests': answer,
    'GET /apps': { data: [app()] },
    'GET /routes': { data: [route()] },
  });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the live request log', () => {
  it('lists requests newest first with right-aligned tokens, cost and latency', async () => {
    renderInScroller();
    await screen.findByText(tokens('1,202'));
    const [first] = bodyRows();
    const cells = within(first!).getAllByRole('cell');
    expect(cells.map((cell) => cell.textContent)).toEqual([
      expect.any(String),
      'cursor',
      'openai',
      // The model as requested, as the filter and the charts name it (the vendor's name is in the details).
      'gpt-4.1-mini',
      '200',
      '1,202 / 34',
      '$0.00042',
      '812 ms',
    ]);
    for (const cell of cells.slice(5)) expect(cell.className).toContain('num');
    // Bodies are kept where a route logs them: the page does not say they never are.
    expect(screen.getByText(/kept only for routes with body logging on/)).toBeTruthy();
  });

  it('prepends new requests every two seconds without a reload', async () => {
    renderInScroller();
    await screen.findByText(tokens('1,202'));
    log = [row(4), row(3), ...log];
    await poll();
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    expect(bodyRows().map((item) => within(item).getAllByRole('cell')[5]!.textContent)).toEqual([
      '1,204 / 34',
      '1,203 / 34',
      '1,202 / 34',
      '1,201 / 34',
    ]);
    expect(bodyRows()[0]!.className).toContain('fresh');
    // Nothing new: nothing changes.
    await poll();
    expect(bodyRows()).toHaveLength(4);
  });

  it('keeps the row being read in place when the reader has scrolled down', async () => {
    renderInScroller();
    await screen.findByText(tokens('1,202'));
    scrollTop = 120;
    log = [row(5), row(4), row(3), ...log];
    await poll();
    await waitFor(() => expect(bodyRows()).toHaveLength(5));
    // Three rows came in above: the view moved down by exactly their height.
    expect(scrollTop).toBe(120 + 3 * ROW_HEIGHT);
    expect(screen.getByRole('button', { name: '↑ 3 new requests' })).toBeTruthy();
  });

  it('leaves the view at the top when the reader is there, so new rows show', async () => {
    renderInScroller();
    await screen.findByText(tokens('1,202'));
    log = [row(3), ...log];
    await poll();
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    expect(scrollTop).toBe(0);
    expect(screen.queryByRole('button', { name: /new request/ })).toBeNull();
  });

  it('stops polling while paused', async () => {
    renderInScroller();
    await screen.findByText(tokens('1,202'));
    fireEvent.click(screen.getByRole('button', { name: 'Live' }));
    log = [row(3), ...log];
    await poll();
    expect(bodyRows()).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Paused' }));
    await poll();
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
  });

  it('filters by app and asks the gateway for only those rows', async () => {
    log = [row(3, { app: 'agent' }), ...log];
    renderInScroller();
    await screen.findByText(tokens('1,203'));
    fireEvent.change(screen.getByLabelText('App'), { target: { value: 'cursor' } });
    // The filtered page replaces the list once it arrives (not while it loads): wait for both.
    await waitFor(() => {
      expect(screen.queryByText(tokens('1,203'))).toBeNull();
      expect(bodyRows()).toHaveLength(2);
    });
  });

  it('opens a row’s detail: timings, tokens, cost, error, and the route and model actually used', async () => {
    log = [
      row(3, {
        status: 429,
        errorCode: 'budget_exceeded',
        costUsd: null,
        inputTokens: null,
        outputTokens: null,
      }),
      ...log,
    ];
    renderInScroller();
    await screen.findByText(tokens('1,202'));
    fireEvent.click(within(bodyRows()[1]!).getAllByRole('button')[0]!);
    const detail = screen.getByRole('dialog', { name: 'Request' });
    const text = detail.textContent ?? '';
    expect(text).toContain('gpt-4.1-mini-2025-04-14');
    expect(text).toContain('Model asked for');
    expect(text).toContain('1,202');
    expect(text).toContain('$0.00042');
    expect(text).toContain('812 ms');
    expect(text).toContain('300 ms');
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.click(within(bodyRows()[0]!).getAllByRole('button')[0]!);
    const failed = screen.getByRole('dialog', { name: 'Request' }).textContent ?? '';
    expect(failed).toContain('budget_exceeded');
    expect(failed).toContain('A budget could not cover');
  });

  it('shows in the details the vendor’s name of the model, and what a failed request’s caller was told', async () => {
    log = [
      row(3, {
        status: 429,
        upstreamModel: 'gpt-4.1-mini',
        errorCode: 'rate_limit_exceeded',
        errorMessage: 'Rate limit reached for gpt-4.1-mini on requests per min (RPM): Limit 3, Used 3.',
        retryAfter: '17',
        costUsd: null,
        inputTokens: null,
        outputTokens: null,
      }),
      ...log,
    ];
    renderInScroller();
    await screen.findByText(tokens('1,202'));
    // An answer and a failure of one model carry one name in the table.
    expect(bodyRows().map((item) => within(item).getAllByRole('cell')[3]!.textContent)).toEqual([
      'gpt-4.1-mini',
      'gpt-4.1-mini',
      'gpt-4.1-mini',
    ]);
    fireEvent.click(within(bodyRows()[1]!).getAllByRole('button')[0]!);
    const answered = screen.getByRole('dialog', { name: 'Request' });
    expect(definition(answered, 'Model asked for')).toBe('gpt-4.1-mini');
    expect(definition(answered, 'Model used')).toBe('gpt-4.1-mini-2025-04-14 (as the vendor named it)');
    expect(answered.textContent).not.toContain('What the caller was told');
    fireEvent.keyDown(document.body, { key: 'Escape' });
    fireEvent.click(within(bodyRows()[0]!).getAllByRole('button')[0]!);
    const failed = screen.getByRole('dialog', { name: 'Request' });
    expect(failed.textContent).toContain('rate_limit_exceeded');
    expect(
      within(failed).getByText(/^Rate limit reached for gpt-4\.1-mini on requests per min/),
    ).toBeTruthy();
    expect(failed.textContent).toContain('Retry after 17 s');
  });

  it('scrolls the table sideways inside its card in a narrow window, instead of clipping its right columns', async () => {
    // happy-dom applies style sheets but lays nothing out: the page's own rules are loaded as the app loads them.
    const style = document.createElement('style');
    style.textContent = readFileSync(join(process.cwd(), 'renderer/src/pages/requests.css'), 'utf8');
    document.head.append(style);
    try {
      renderInScroller();
      await screen.findByText(tokens('1,202'));
      const table = screen.getByRole('table');
      const scroller = table.parentElement!;
      // The card clips what overflows it (styles.css), so the table's own wrapper must scroll.
      expect(scroller.closest('.table-card')).not.toBeNull();
      expect(scroller.classList.contains('table-card')).toBe(false);
      expect(getComputedStyle(scroller).overflowX).toBe('auto');
    } finally {
      style.remove();
    }
  });

  it('pages to older requests', async () => {
    log = Array.from({ length: 60 }, (_, index) => row(60 - index));
    renderInScroller();
    await waitFor(() => expect(bodyRows()).toHaveLength(50));
    fireEvent.click(screen.getByRole('button', { name: 'Show older requests' }));
    await waitFor(() => expect(bodyRows()).toHaveLength(60));
    expect(screen.queryByRole('button', { name: 'Show older requests' })).toBeNull();
  });
});
