import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestRow } from '../../renderer/src/api/types.ts';
import { download } from '../../renderer/src/lib/download.ts';
import { formatStamp } from '../../renderer/src/lib/format.ts';
import { RequestsPage } from '../../renderer/src/pages/Requests.tsx';
import { mockApi, reply, type Call } from './api-mock.ts';
import { app, route } from './fixtures.ts';

vi.mock('../../renderer/src/lib/download.ts', () => ({ download: vi.fn() }));

const row = (id: string, overrides: Partial<RequestRow> = {}): RequestRow => ({
  id,
  time: '2025-03-04T05:06:07.000Z',
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
  inputTokens: 1200,
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

const LOG = [
  row('req_failed', {
    status: 502,
    errorCode: 'upstream_error',
    errorMessage: 'The vendor is overloaded',
  }),
  row('req_ok'),
];

let calls: Call[];
/** The query of the newest call to a path, as a plain object. */
const lastQuery = (path: string) =>
  Object.fromEntries(calls.filter((call) => call.path === path).at(-1)?.query ?? []);

beforeEach(() => {
  ({ calls } = mockApi({
    'GET /requests': ({ query }: Call) => ({
      data: query.get('q') ? LOG.filter((item) => item.id.includes(query.get('q')!)) : LOG,
    }),
    'GET /requests.csv': { text: 'csv' },
    'GET /requests.jsonl': { text: 'jsonl' },
    'GET /apps': { data: [app()] },
    'GET /routes': { data: [route()] },
  }));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.mocked(download).mockClear();
});

const bodyRows = () => screen.getAllByRole('row').slice(1);

async function shown() {
  render(<RequestsPage />);
  await waitFor(() => expect(bodyRows()).toHaveLength(2));
}

/** Types into a typed filter and applies it with Enter, as a user does. */
function type(label: string, text: string) {
  const input = screen.getByLabelText(label);
  fireEvent.change(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: 'Enter' });
}

describe('the request log’s search and filters', () => {
  it('finds a request by its id with the search field, applied on Enter', async () => {
    await shown();
    const search = screen.getByLabelText('Search');
    fireEvent.change(search, { target: { value: ' req_fail ' } });
    // Not at each key: only on Enter (or leaving the field).
    expect(lastQuery('/requests')['q']).toBeUndefined();
    fireEvent.keyDown(search, { key: 'Enter' });
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    expect(lastQuery('/requests')['q']).toBe('req_fail');
    // Leaving the field unchanged (to click a row) does not reload the list under the pointer.
    const loads = calls.filter((call) => call.path === '/requests').length;
    fireEvent.blur(search);
    expect(calls.filter((call) => call.path === '/requests').length).toBe(loads);
    expect(bodyRows()).toHaveLength(1);
    // Emptying the field shows everything again at once.
    fireEvent.change(search, { target: { value: '' } });
    await waitFor(() => expect(bodyRows()).toHaveLength(2));
    expect(lastQuery('/requests')['q']).toBeUndefined();
  });

  it('sends each filter to the gateway under its own parameter', async () => {
    await shown();
    fireEvent.change(screen.getByLabelText('App'), { target: { value: 'cursor' } });
    fireEvent.change(screen.getByLabelText('Route'), { target: { value: 'openai' } });
    type('Model', 'gpt-4.1-mini');
    type('Session', 'sess-42');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: '5xx' } });
    fireEvent.click(screen.getByLabelText('Errors only'));
    fireEvent.change(screen.getByLabelText('From (local time)'), { target: { value: '2025-03-04T05:00' } });
    fireEvent.change(screen.getByLabelText('To (local time)'), { target: { value: '2025-03-05T00:30' } });
    await waitFor(() =>
      expect(lastQuery('/requests')).toEqual({
        limit: '50',
        app: 'cursor',
        route: 'openai',
        model: 'gpt-4.1-mini',
        session: 'sess-42',
        statusClass: '5xx',
        errors: 'true',
        // What the user typed is their own time; the gateway is given the instant.
        from: new Date('2025-03-04T05:00').toISOString(),
        to: new Date('2025-03-05T00:30').toISOString(),
      }),
    );
    // A single status goes as status, not as a class.
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: '429' } });
    await waitFor(() => expect(lastQuery('/requests')['status']).toBe('429'));
    expect(lastQuery('/requests')['statusClass']).toBeUndefined();
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(lastQuery('/requests')).toEqual({ limit: '50' }));
    expect((screen.getByLabelText('Model') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Errors only') as HTMLInputElement).checked).toBe(false);
  });

  it('exports the filtered log, every row the filters select, as CSV and as JSONL', async () => {
    await shown();
    type('Search', 'overloaded');
    fireEvent.click(screen.getByLabelText('Errors only'));
    await waitFor(() => expect(lastQuery('/requests')['errors']).toBe('true'));
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(download).toHaveBeenCalledTimes(1));
    // The filters, without the page's limit: the export is the whole selection.
    expect(lastQuery('/requests.csv')).toEqual({ q: 'overloaded', errors: 'true' });
    expect(vi.mocked(download).mock.calls[0]![1]).toBe('switchboard-requests.csv');
    fireEvent.click(screen.getByRole('button', { name: 'Export JSONL' }));
    await waitFor(() => expect(download).toHaveBeenCalledTimes(2));
    expect(lastQuery('/requests.jsonl')).toEqual({ q: 'overloaded', errors: 'true' });
    expect(vi.mocked(download).mock.calls[1]![1]).toBe('switchboard-requests.jsonl');
  });

  it('says what the gateway refused in a filter, instead of an empty log', async () => {
    mockApi({
      'GET /requests': reply(400, {
        error: {
          message: 'from: an ISO 8601 date, or date and time with an offset',
          code: 'invalid_request',
        },
      }),
      'GET /apps': { data: [] },
      'GET /routes': { data: [] },
    });
    render(<RequestsPage />);
    expect(await screen.findByText(/^from: an ISO 8601 date/)).toBeTruthy();
  });
});

describe('the request log’s times', () => {
  it('shows each row’s date with its time, in local time, with UTC on hover', async () => {
    await shown();
    const time = within(bodyRows()[0]!).getByText(formatStamp('2025-03-04T05:06:07.000Z'));
    expect(time.tagName).toBe('TIME');
    expect(time.getAttribute('title')).toBe('2025-03-04 05:06:07 UTC');
    // The date is there whatever the day: this row is not today's, and would be dated anyway.
    expect(time.textContent).toMatch(/Mar/);
  });

  it('gives the detail’s time in UTC on hover too, and says budgets count in UTC', async () => {
    await shown();
    fireEvent.click(within(bodyRows()[0]!).getAllByRole('button')[0]!);
    const detail = screen.getByRole('dialog', { name: 'Request' });
    expect(within(detail).getByTitle('2025-03-04 05:06:07 UTC').tagName).toBe('TIME');
    cleanup();
    mockApi({
      'GET /requests': { data: [row('req_budget', { status: 429, errorCode: 'budget_exceeded' })] },
      'GET /apps': { data: [] },
      'GET /routes': { data: [] },
    });
    render(<RequestsPage />);
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    fireEvent.click(within(bodyRows()[0]!).getAllByRole('button')[0]!);
    expect(screen.getByRole('dialog', { name: 'Request' }).textContent).toContain(
      'Budget periods are calendar days, weeks and months in UTC.',
    );
  });
});

describe('the request log’s header', () => {
  it('stays in view above the rows as they scroll: sticky in the table’s own scrolling box', async () => {
    // happy-dom applies style sheets but lays nothing out: the page's rules are loaded as the app loads them.
    const style = document.createElement('style');
    style.textContent = readFileSync(join(process.cwd(), 'renderer/src/pages/requests.css'), 'utf8');
    document.head.append(style);
    try {
      await shown();
      const table = screen.getByRole('table');
      const header = within(table).getAllByRole('columnheader')[0]!;
      expect(getComputedStyle(header).position).toBe('sticky');
      expect(getComputedStyle(header).top).toBe('0px');
      // A sticky header sticks within its nearest scrolling box: the table's wrapper, which scrolls the rows.
      expect(getComputedStyle(table.parentElement!).overflowY).toBe('auto');
    } finally {
      style.remove();
    }
  });
});
