import { describe, expect, it } from 'vitest';
import { formatMs, formatPercent, formatTokens, formatUsd } from '../../renderer/src/lib/format.ts';
import { bucketStart, bucketStarts, pivot, totalsByKey } from '../../renderer/src/lib/series.ts';
import type { UsageRow } from '../../renderer/src/api/types.ts';

describe('money', () => {
  it('has two decimals and thousands separators', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(1.5)).toBe('$1.50');
    expect(formatUsd(0.01)).toBe('$0.01');
    expect(formatUsd(1234.567)).toBe('$1,234.57');
  });

  it('keeps more digits below a cent, so a cheap request does not read as free', () => {
    expect(formatUsd(0.004)).toBe('$0.004');
    expect(formatUsd(0.00042)).toBe('$0.00042');
    expect(formatUsd(0.000123456)).toBe('$0.00012');
  });

  it('shows an unknown cost as a dash, never as zero', () => {
    expect(formatUsd(null)).toBe('—');
    expect(formatUsd(undefined)).toBe('—');
    expect(formatUsd(Number.NaN)).toBe('—');
  });
});

describe('tokens, times and rates', () => {
  it('writes tokens as whole numbers with thousands separators', () => {
    expect(formatTokens(0)).toBe('0');
    expect(formatTokens(999)).toBe('999');
    expect(formatTokens(1234567)).toBe('1,234,567');
    expect(formatTokens(null)).toBe('—');
  });

  it('writes latency in ms below a second, then seconds', () => {
    expect(formatMs(8)).toBe('8 ms');
    expect(formatMs(1240)).toBe('1.24 s');
    expect(formatMs(null)).toBe('—');
  });

  it('writes error rates as percentages', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(0.022)).toBe('2.2%');
    expect(formatPercent(0.5)).toBe('50%');
  });
});

describe('chart series', () => {
  const DAY = 86_400_000;
  const row = (start: string, key: string, costUsd: number, tokens = 0): UsageRow => ({
    start,
    key,
    requests: 1,
    errors: 0,
    inputTokens: tokens,
    outputTokens: 0,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd,
    unpriced: 0,
    latencyMsAvg: 10,
  });

  it('starts weeks on Monday in UTC, as the gateway does', () => {
    // Wednesday 2025-01-08 → Monday 2025-01-06.
    expect(new Date(bucketStart(Date.UTC(2025, 0, 8, 15), 'week')).toISOString()).toBe(
      '2025-01-06T00:00:00.000Z',
    );
    expect(new Date(bucketStart(Date.UTC(2025, 0, 8, 15), 'month')).toISOString()).toBe(
      '2025-01-01T00:00:00.000Z',
    );
  });

  it('fills quiet buckets and stacks keys biggest first', () => {
    const from = Date.UTC(2025, 0, 1);
    const starts = bucketStarts(from, from + 3 * DAY, 'day');
    expect(starts).toHaveLength(4);
    const data = pivot(
      [
        row('2025-01-01T00:00:00.000Z', 'a', 1),
        row('2025-01-03T00:00:00.000Z', 'b', 5),
        row('2025-01-03T00:00:00.000Z', 'a', 2),
      ],
      'costUsd',
      starts,
      'day',
    );
    expect(data.keys).toEqual(['b', 'a']);
    expect(data.rows.map((item) => [item['a'], item['b']])).toEqual([
      [1, 0],
      [0, 0],
      [2, 5],
      [0, 0],
    ]);
  });

  it('totals each key for the table, largest cost first', () => {
    const totals = totalsByKey([
      row('2025-01-01T00:00:00.000Z', 'a', 1, 10),
      row('2025-01-02T00:00:00.000Z', 'b', 3, 5),
      row('2025-01-02T00:00:00.000Z', 'a', 1, 7),
    ]);
    expect(totals.map((total) => [total.key, total.costUsd, total.inputTokens])).toEqual([
      ['b', 3, 5],
      ['a', 2, 17],
    ]);
  });
});
