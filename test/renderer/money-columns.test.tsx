import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BudgetStatus, Overview, UsageRow } from '../../renderer/src/api/types.ts';
import { moneyAxis, usdColumn } from '../../renderer/src/lib/format.ts';
import { OverviewPage } from '../../renderer/src/pages/Overview.tsx';
import { UsagePage } from '../../renderer/src/pages/Usage.tsx';
import { mockApi } from './api-mock.ts';

const DAY = 86_400_000;

/** Digits after the point in "$1,234.5678". */
const decimals = (text: string) => /\.(\d+)/.exec(text)?.[1]?.length ?? 0;

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('one money format per column', () => {
  it('gives every amount the decimals the smallest needs for two significant digits', () => {
    const money = usdColumn([12.5, 0.0042, 1.234, 0, null]);
    expect([12.5, 0.0042, 1.234, 0].map(money)).toEqual(['$12.5000', '$0.0042', '$1.2340', '$0.0000']);
    const small = usdColumn([0.000123456, 3]);
    expect([small(0.000123456), small(3)]).toEqual(['$0.00012', '$3.00000']);
  });

  it('keeps two decimals when no amount is below a cent, and dashes for unknown', () => {
    const money = usdColumn([1234.567, 0.01, 0, undefined]);
    expect(money(1234.567)).toBe('$1,234.57');
    expect(money(0.01)).toBe('$0.01');
    expect(money(null)).toBe('—');
    expect(money(Number.NaN)).toBe('—');
    expect(usdColumn([])(2)).toBe('$2.00');
  });

  it('stops at six decimals and never shows float noise', () => {
    const money = usdColumn([0.000000012, 0.006614050000000001]);
    expect(money(0.006614050000000001)).toBe('$0.006614');
    expect(money(0.000000012)).toBe('$0.000000');
    expect(usdColumn([0.001])(0.001)).toBe('$0.0010');
  });

  it('labels a money axis with round ticks, each distinct, in one format', () => {
    const labels = (max: number) => {
      const axis = moneyAxis(max);
      return axis.ticks.map(axis.format);
    };
    // Before: $0, $0.006, $0.01, $0.02, $0.02 — two ticks read the same, and the decimals wandered.
    expect(labels(0.0235)).toEqual(['$0.00', '$0.01', '$0.02', '$0.03']);
    expect(labels(0.019)).toEqual(['$0.000', '$0.005', '$0.010', '$0.015', '$0.020']);
    expect(labels(1.6)).toEqual(['$0.00', '$0.50', '$1.00', '$1.50', '$2.00']);
    expect(labels(0.9)).toEqual(['$0.00', '$0.25', '$0.50', '$0.75', '$1.00']);
    expect(labels(37)).toEqual(['$0', '$10', '$20', '$30', '$40']);
    expect(labels(9)).toEqual(['$0.00', '$2.50', '$5.00', '$7.50', '$10.00']);
    expect(labels(4500)).toEqual(['$0', '$2K', '$4K', '$6K']);
    expect(labels(0)).toEqual(['$0', '$1']);
    for (const max of [0.0003, 0.07, 0.33, 2.2, 15, 999, 123_456]) {
      const text = labels(max);
      expect(new Set(text).size).toBe(text.length);
      expect(new Set(text.map(decimals)).size).toBe(1);
      expect(moneyAxis(max).ticks.at(-1)).toBeGreaterThanOrEqual(max);
    }
  });

  it('lines up the cost column of the usage totals, the total row included', async () => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    const row = (key: string, costUsd: number): UsageRow => ({
      start: new Date(today).toISOString(),
      key,
      requests: 3,
      errors: 0,
      inputTokens: 100,
      outputTokens: 10,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      costUsd,
      unpriced: 0,
      latencyMsAvg: 10,
    });
    mockApi({ 'GET /usage': { data: [row('big', 12.5), row('tiny', 0.0042), row('mid', 1.234)] } });
    render(<UsagePage />);
    const table = (await screen.findByRole('region', { name: 'Totals by model' })).querySelector('table')!;
    await within(table).findByText('tiny');
    const costs = [...table.querySelectorAll('tr')]
      .slice(1)
      .map((line) => line.lastElementChild!.textContent!.trim());
    expect(costs).toEqual(['$12.5000', '$1.2340', '$0.0042', '$13.7382']);
    expect(new Set(costs.map(decimals)).size).toBe(1);
  });

  it('lines up the spent amounts of the overview’s budget list', async () => {
    const budget = (name: string, spentUsd: number): BudgetStatus => ({
      scope: 'app',
      name,
      limitUsd: 10,
      period: 'month',
      spentUsd,
      reservedUsd: 0,
      resetsAt: new Date(Date.now() + DAY).toISOString(),
    });
    const data: Overview = {
      today: { requests: 1, errors: 0, costUsd: 1, unpriced: 0, errorRate: 0, medianLatencyMs: 1 },
      month: { requests: 1, errors: 0, costUsd: 5, unpriced: 0 },
      last24h: [],
      last30d: [],
      budgets: [budget('cursor', 4.53), budget('agent', 0.0042)],
      alerts: [],
      routes: 1,
      apps: 2,
    };
    mockApi({ 'GET /overview': data });
    render(<OverviewPage />);
    const list = await screen.findByRole('region', { name: 'Budgets' });
    // The region can be there a render before its lines are (a slow machine shows it).
    await waitFor(() => {
      const lines = [...list.querySelectorAll('.budget-line .num')].map((line) => line.textContent!);
      expect(lines).toEqual(['$4.5300 of $10.00 / month', '$0.0042 of $10.00 / month']);
    });
  });
});
