import type { Bucket, UsageRow } from '../api/types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The start of the bucket holding `time`, in UTC as the gateway's rollups do (weeks start on Monday). */
export function bucketStart(time: number, bucket: Bucket): number {
  switch (bucket) {
    case 'hour':
      return Math.floor(time / HOUR) * HOUR;
    case 'day':
      return Math.floor(time / DAY) * DAY;
    case 'week':
      // 1970-01-01 was a Thursday: shifting by three days makes weeks start on Monday.
      return Math.floor((time + 3 * DAY) / (7 * DAY)) * 7 * DAY - 3 * DAY;
    case 'month': {
      const date = new Date(time);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
  }
}

function nextBucket(start: number, bucket: Bucket): number {
  if (bucket === 'month') {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return start + (bucket === 'hour' ? HOUR : bucket === 'day' ? DAY : 7 * DAY);
}

/** Every bucket start from `from` to `to`, so that quiet periods show as gaps, not as missing bars. */
export function bucketStarts(from: number, to: number, bucket: Bucket): number[] {
  const starts: number[] = [];
  for (
    let start = bucketStart(from, bucket);
    start <= to && starts.length < 2000;
    start = nextBucket(start, bucket)
  )
    starts.push(start);
  return starts;
}

export type Metric = 'costUsd' | 'tokens' | 'requests';

export const metricOf = (row: UsageRow, metric: Metric): number =>
  metric === 'tokens' ? row.inputTokens + row.outputTokens : row[metric];

export interface Pivot {
  /** One row per bucket: `start` plus one column per key. */
  rows: ({ start: number } & Record<string, number>)[];
  /** Keys by their total, largest first, so the biggest spender sits at the bottom of the stack. */
  keys: string[];
}

/** Usage rows (bucket × key) → one chart row per bucket with a column per key, empty buckets included. */
export function pivot(
  points: readonly UsageRow[],
  metric: Metric,
  starts: readonly number[],
  bucket: Bucket,
): Pivot {
  const totals = new Map<string, number>();
  const byStart = new Map<number, Record<string, number>>();
  for (const point of points) {
    const start = bucketStart(Date.parse(point.start), bucket);
    const key = point.key === '' ? '(none)' : point.key;
    const value = metricOf(point, metric);
    totals.set(key, (totals.get(key) ?? 0) + value);
    const row = byStart.get(start) ?? {};
    row[key] = (row[key] ?? 0) + value;
    byStart.set(start, row);
  }
  const keys = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([key]) => key);
  const allStarts = [...new Set([...starts, ...byStart.keys()])].sort((a, b) => a - b);
  const rows = allStarts.map((start) => {
    const row: { start: number } & Record<string, number> = { start };
    const values = byStart.get(start) ?? {};
    for (const key of keys) row[key] = values[key] ?? 0;
    return row;
  });
  return { rows, keys };
}

export interface GroupTotal {
  key: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  unpriced: number;
}

/** Totals per key, largest cost first, for the table under the charts. */
export function totalsByKey(points: readonly UsageRow[]): GroupTotal[] {
  const totals = new Map<string, GroupTotal>();
  for (const point of points) {
    const key = point.key === '' ? '(none)' : point.key;
    const total = totals.get(key) ?? {
      key,
      requests: 0,
      errors: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      unpriced: 0,
    };
    total.requests += point.requests;
    total.errors += point.errors;
    total.inputTokens += point.inputTokens;
    total.outputTokens += point.outputTokens;
    total.costUsd += point.costUsd;
    total.unpriced += point.unpriced;
    totals.set(key, total);
  }
  return [...totals.values()].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests);
}

const utcDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const utcMonth = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const localHour = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** A bucket's label. Days, weeks and months are UTC periods (as budgets are), so they are labelled in UTC. */
export function bucketLabel(start: number, bucket: Bucket): string {
  switch (bucket) {
    case 'hour':
      return localHour.format(start);
    case 'day':
      return utcDay.format(start);
    case 'week':
      return `Week of ${utcDay.format(start)}`;
    case 'month':
      return utcMonth.format(start);
  }
}
