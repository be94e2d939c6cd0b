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

/**
 * Which palette slot each series gets. A key keeps the slot it was first given, in every chart and
 * after every change of period, measure or grouping, so a model (or app, or route) has one colour
 * everywhere: slots follow the key, never its rank in one chart (which differs between cost and
 * tokens). Two keys in one chart never share a slot: when remembered slots clash (more keys seen
 * than the palette holds), the later key borrows a free slot for that chart only.
 */
export class SeriesSlots {
  private readonly slots = new Map<string, number>();

  constructor(
    readonly size: number,
    private readonly storage?: { get(): string | null; set(value: string): void },
  ) {
    try {
      const saved: unknown = JSON.parse(storage?.get() ?? '{}');
      if (typeof saved === 'object' && saved !== null)
        for (const [key, slot] of Object.entries(saved))
          if (Number.isInteger(slot) && slot >= 0 && slot < size) this.slots.set(key, slot as number);
    } catch {
      // A damaged or foreign value: start afresh, colours are only a convenience.
    }
  }

  /** The slot of every key of one chart, in that chart's order; distinct while keys ≤ size. */
  assign(keys: readonly string[]): Map<string, number> {
    let added = false;
    for (const key of keys) {
      if (this.slots.has(key)) continue;
      this.slots.set(key, this.leastUsed());
      added = true;
    }
    if (added) this.save();
    const chosen = new Map<string, number>();
    const taken = new Set<number>();
    const clashing: string[] = [];
    for (const key of keys) {
      const slot = this.slots.get(key)!;
      if (taken.has(slot)) clashing.push(key);
      else {
        chosen.set(key, slot);
        taken.add(slot);
      }
    }
    for (const key of clashing) {
      let slot = 0;
      while (taken.has(slot) && slot < this.size) slot++;
      chosen.set(key, slot % this.size);
      taken.add(slot);
    }
    return chosen;
  }

  clear(): void {
    this.slots.clear();
    this.save();
  }

  /** The slot fewest keys hold, the lowest on a tie: the first `size` keys get 0, 1, 2, … */
  private leastUsed(): number {
    const counts = new Array<number>(this.size).fill(0);
    for (const slot of this.slots.values()) counts[slot] = (counts[slot] ?? 0) + 1;
    return counts.indexOf(Math.min(...counts));
  }

  private save(): void {
    // Bounded: a long-lived dashboard sees new model names for years.
    while (this.slots.size > 500) this.slots.delete(this.slots.keys().next().value!);
    try {
      this.storage?.set(JSON.stringify(Object.fromEntries(this.slots)));
    } catch {
      // Storage full or refused: the colours still hold for this session.
    }
  }
}
