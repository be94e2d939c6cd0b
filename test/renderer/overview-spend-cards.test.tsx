import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BudgetStatus, Overview } from '../../renderer/src/api/types.ts';
import { OverviewPage } from '../../renderer/src/pages/Overview.tsx';
import { mockApi } from './api-mock.ts';

const budget = (overrides: Partial<BudgetStatus>): BudgetStatus => ({
  scope: 'app',
  name: 'cursor',
  limitUsd: 10,
  period: 'day',
  spentUsd: 0.42,
  reservedUsd: 0,
  resetsAt: new Date(Date.now() + 3_600_000).toISOString(),
  ...overrides,
});

const overview = (budgets: BudgetStatus[]): Overview => ({
  // Five dollars spent today by everyone; one app's share of it is $0.42.
  today: { requests: 40, errors: 0, costUsd: 5, unpriced: 0, errorRate: 0, medianLatencyMs: 300 },
  month: { requests: 400, errors: 0, costUsd: 60, unpriced: 0 },
  last24h: [],
  last30d: [],
  budgets,
  alerts: [],
  routes: 2,
  apps: 2,
});

/** The stat card under a label, e.g. "Spend today". */
const card = (label: string) => screen.getByText(label).closest<HTMLElement>('.stat')!;

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the overview’s spend cards', () => {
  it('say whose budget the bar is, with that budget’s own spend, not the total’s share', async () => {
    mockApi({
      'GET /overview': overview([
        budget({}),
        budget({ scope: 'route', name: 'claude', period: 'month', limitUsd: 150, spentUsd: 4.53 }),
      ]),
    });
    render(<OverviewPage />);
    await screen.findByText('$5.00');
    const today = card('Spend today');
    // The total stays the total…
    expect(within(today).getByText('$5.00')).toBeTruthy();
    // …and the bar below it is named and measured by its own budget: $0.42 of $10, not "4.2% of $10".
    expect(today.textContent).toContain('App cursor:');
    expect(today.textContent).toContain('$0.42 of $10.00');
    expect(today.textContent).not.toMatch(/\d% of \$10\.00/);
    const meter = within(today).getByRole('meter');
    expect(meter.getAttribute('aria-label')).toContain('App cursor');
    expect(meter.getAttribute('aria-label')).toContain('$0.42 of $10.00');
    expect(meter.getAttribute('aria-valuenow')).toBe('0.42');

    const month = card('Spend this month');
    expect(within(month).getByText('$60.00')).toBeTruthy();
    expect(month.textContent).toContain('Route claude:');
    expect(month.textContent).toContain('$4.53 of $150.00');
  });

  it('show the budget closest to its limit and say that there are more', async () => {
    mockApi({
      'GET /overview': overview([
        budget({ name: 'cursor', spentUsd: 1, limitUsd: 10 }),
        budget({ name: 'agent', spentUsd: 4, limitUsd: 5 }),
      ]),
    });
    render(<OverviewPage />);
    await screen.findByText('$5.00');
    const today = card('Spend today');
    expect(today.textContent).toContain('App agent:');
    expect(today.textContent).toContain('$4.00 of $5.00');
    expect(today.textContent).toContain('closest of 2');
    expect(card('Spend this month').textContent).toContain('No monthly budget set');
  });
});
