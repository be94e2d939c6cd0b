import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComparisonRow } from '../../renderer/src/api/usage-latency.ts';
import { ModelsTable, sortRows } from '../../renderer/src/pages/ModelsTable.tsx';

const row = (key: string, fields: Partial<ComparisonRow> = {}): ComparisonRow => ({
  key,
  requests: 10,
  errors: 0,
  errorRate: 0,
  costUsd: 0.01,
  unpriced: 0,
  inputTokens: 100,
  outputTokens: 50,
  latencyMsP50: 500,
  latencyMsP95: 900,
  ttftMsP50: null,
  tokensPerSecond: null,
  gatewayMsP50: null,
  upstreamModels: [],
  requestedAs: [],
  ...fields,
});

const ROWS = [
  row('gpt-4o-mini', {
    requests: 120,
    errors: 6,
    errorRate: 0.05,
    latencyMsP50: 850,
    latencyMsP95: 2400,
    ttftMsP50: 300,
    tokensPerSecond: 85.4,
    gatewayMsP50: 12,
    upstreamModels: ['gpt-4o-mini-2024-07-18'],
    requestedAs: ['fast'],
  }),
  row('claude-sonnet-4-5', {
    requests: 40,
    costUsd: 1.2,
    latencyMsP50: 3100,
    latencyMsP95: 7200,
    ttftMsP50: 900,
    tokensPerSecond: 52,
    upstreamModels: ['claude-sonnet-4-5-20250929'],
  }),
  row('llama3.2', { requests: 80, costUsd: 0, latencyMsP50: 400 }),
];

const names = () =>
  screen
    .getAllByRole('row')
    .slice(1)
    .map((item) => within(item).getByRole('rowheader').querySelector('.mono-ish')!.textContent);

afterEach(cleanup);

describe('the model comparison table', () => {
  it('lists each model with its numbers and the vendor’s dated name beneath', () => {
    render(<ModelsTable rows={ROWS} groupBy="model" />);
    const mini = screen.getByRole('row', { name: /^gpt-4o-mini/ });
    expect(within(mini).getByRole('rowheader').textContent).toBe(
      'gpt-4o-mini' + 'Vendor’s name: gpt-4o-mini-2024-07-18 · asked for as fast',
    );
    const cells = within(mini)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    expect(cells).toEqual([
      '120',
      '6',
      '5%',
      '$0.01',
      '150',
      '850 ms',
      '2.4 s',
      '300 ms',
      '85 tok/s',
      '12 ms',
    ]);
    // No stream: no time to first token and no speed, a dash rather than zero.
    const llama = within(screen.getByRole('row', { name: /^llama3\.2/ })).getAllByRole('cell');
    expect(llama.slice(-3, -1).map((cell) => cell.textContent)).toEqual(['—', '—']);
  });

  it('sorts by requests first, and by any column from its header button', () => {
    render(<ModelsTable rows={ROWS} groupBy="model" />);
    expect(names()).toEqual(['gpt-4o-mini', 'llama3.2', 'claude-sonnet-4-5']);
    const requests = screen.getByRole('columnheader', { name: 'Requests' });
    expect(requests.getAttribute('aria-sort')).toBe('descending');

    fireEvent.click(screen.getByRole('button', { name: 'p50' }));
    expect(names()).toEqual(['claude-sonnet-4-5', 'gpt-4o-mini', 'llama3.2']);
    expect(screen.getByRole('columnheader', { name: 'p50' }).getAttribute('aria-sort')).toBe('descending');
    expect(requests.hasAttribute('aria-sort')).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'p50' }));
    expect(names()).toEqual(['llama3.2', 'gpt-4o-mini', 'claude-sonnet-4-5']);
    expect(screen.getByRole('columnheader', { name: 'p50' }).getAttribute('aria-sort')).toBe('ascending');

    fireEvent.click(screen.getByRole('button', { name: 'Model' }));
    expect(names()).toEqual(['claude-sonnet-4-5', 'gpt-4o-mini', 'llama3.2']);
    expect(screen.getByRole('columnheader', { name: 'Model' }).getAttribute('aria-sort')).toBe('ascending');
  });

  it('keeps rows without a value last, whichever way a column is sorted', () => {
    const sorted = (direction: 'ascending' | 'descending') =>
      sortRows(ROWS, { column: 'ttftMsP50', direction }).map((item) => item.key);
    expect(sorted('descending')).toEqual(['claude-sonnet-4-5', 'gpt-4o-mini', 'llama3.2']);
    expect(sorted('ascending')).toEqual(['gpt-4o-mini', 'claude-sonnet-4-5', 'llama3.2']);
  });

  it('has real buttons for sorting, reachable and pressed from the keyboard', () => {
    render(<ModelsTable rows={ROWS} groupBy="route" />);
    const headers = screen.getAllByRole('columnheader');
    expect(headers.map((header) => header.textContent?.replace(/[▲▼]/g, ''))).toEqual([
      'Route',
      'Requests',
      'Errors',
      'Error rate',
      'Cost',
      'Tokens',
      'p50',
      'p95',
      'TTFT p50',
      'Tokens/s',
      'Switchboard p50',
    ]);
    for (const header of headers) {
      // Its accessible name is the visible label: the order mark is hidden from screen readers.
      const label = header.textContent!.replace(/[▲▼]/g, '');
      expect(within(header).getByRole('button', { name: label }).getAttribute('type')).toBe('button');
    }
    const cost = screen.getByRole('button', { name: 'Cost' });
    cost.focus();
    expect(document.activeElement).toBe(cost);
    fireEvent.click(cost);
    expect(screen.getByRole('columnheader', { name: 'Cost' }).getAttribute('aria-sort')).toBe('descending');
    expect(names()[0]).toBe('claude-sonnet-4-5');
  });

  it('shows skeleton rows while loading', () => {
    const { container } = render(<ModelsTable rows={undefined} groupBy="model" />);
    expect(container.querySelectorAll('tbody tr').length).toBe(3);
  });
});
