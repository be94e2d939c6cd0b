import type { Db } from './database.ts';
import type { RequestRecord } from './types.ts';

export type Bucket = 'hour' | 'day' | 'week' | 'month';
export type GroupBy = 'app' | 'route' | 'model' | 'none';

export interface UsagePoint {
  /** Start of the bucket, ms since the epoch (UTC). */
  start: number;
  key: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Requests with tokens whose price is unknown (their cost is not in costUsd). */
  unpriced: number;
  latencyMsAvg: number;
}

export const HOUR_MS = 3_600_000;

/** SQL for the start of a bucket from an hour column, in UTC (weeks start on Monday). */
function bucketSql(bucket: Bucket): string {
  switch (bucket) {
    case 'hour':
      return 'hour';
    case 'day':
      return '(hour / 86400000) * 86400000';
    case 'week':
      // 1970-01-01 was a Thursday: shift by three days so that weeks start on Monday.
      return '((hour + 259200000) / 604800000) * 604800000 - 259200000';
    case 'month':
      return "CAST(strftime('%s', hour / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000";
  }
}

/**
 * Hourly rollups per app × route × requested model, kept current as rows are written (in the same
 * transaction), so that the dashboard's charts read a few thousand rows, never the request log.
 */
export function usageTable(db: Db) {
  const upsert = db.prepare(
    `INSERT INTO usage_hourly (hour, app, route, model, requests, errors, input_tokens, output_tokens,
       cached_input_tokens, reasoning_tokens, cost_usd, unpriced, latency_ms_sum)
     VALUES (@hour, @app, @route, @model, @requests, @errors, @inputTokens, @outputTokens,
       @cachedInputTokens, @reasoningTokens, @costUsd, @unpriced, @latencyMsSum)
     ON CONFLICT (hour, app, route, model) DO UPDATE SET
       requests = requests + excluded.requests, errors = errors + excluded.errors,
       input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
       cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
       reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_usd = cost_usd + excluded.cost_usd,
       unpriced = unpriced + excluded.unpriced, latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum`,
  );
  const queries = new Map<string, ReturnType<Db['prepare']>>();

  return {
    latency: latencyQueries(db),
    /** Adds a batch of request rows to the rollups (call inside the batch's transaction). */
    add(records: readonly RequestRecord[]): void {
      const sums = new Map<string, Record<string, number | string>>();
      for (const record of records) {
        const hour = Math.floor(record.time / HOUR_MS) * HOUR_MS;
        // Keyed by the model as requested: the vendor's dated name is known only for answers, so
        // keyed by it one model's successes and failures would be two series.
        const model = record.model ?? record.upstreamModel ?? '';
        const key = `${hour}\u0000${record.app ?? ''}\u0000${record.route ?? ''}\u0000${model}`;
        let sum = sums.get(key);
        if (!sum) {
          sum = {
            hour,
            app: record.app ?? '',
            route: record.route ?? '',
            model,
            requests: 0,
            errors: 0,
            inputTokens: 0,
            outputTokens: 0,
            cachedInputTokens: 0,
            reasoningTokens: 0,
            costUsd: 0,
            unpriced: 0,
            latencyMsSum: 0,
          };
          sums.set(key, sum);
        }
        (sum['requests'] as number)++;
        if (record.status >= 400) (sum['errors'] as number)++;
        sum['inputTokens'] = (sum['inputTokens'] as number) + (record.inputTokens ?? 0);
        sum['outputTokens'] = (sum['outputTokens'] as number) + (record.outputTokens ?? 0);
        sum['cachedInputTokens'] = (sum['cachedInputTokens'] as number) + (record.cachedInputTokens ?? 0);
        sum['reasoningTokens'] = (sum['reasoningTokens'] as number) + (record.reasoningTokens ?? 0);
        sum['costUsd'] = (sum['costUsd'] as number) + (record.costUsd ?? 0);
        if (record.costUsd === null && record.inputTokens !== null) (sum['unpriced'] as number)++;
        sum['latencyMsSum'] = (sum['latencyMsSum'] as number) + record.latencyMs;
      }
      for (const sum of sums.values()) upsert.run(sum);
    },

    /** Totals per bucket (and per app, route or model) between `from` (inclusive) and `to` (exclusive). */
    series(options: {
      from: number;
      to: number;
      bucket: Bucket;
      groupBy: GroupBy;
      app?: string;
      route?: string;
    }): UsagePoint[] {
      const key = options.groupBy === 'none' ? "''" : options.groupBy;
      const where = ['hour >= ?', 'hour < ?'];
      const values: (string | number)[] = [Math.floor(options.from / HOUR_MS) * HOUR_MS, options.to];
      if (options.app !== undefined) {
        where.push('app = ?');
        values.push(options.app);
      }
      if (options.route !== undefined) {
        where.push('route = ?');
        values.push(options.route);
      }
      const sql = `SELECT ${bucketSql(options.bucket)} AS start, ${key} AS key, SUM(requests) AS requests,
          SUM(errors) AS errors, SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens,
          SUM(cached_input_tokens) AS cachedInputTokens, SUM(reasoning_tokens) AS reasoningTokens,
          SUM(cost_usd) AS costUsd, SUM(unpriced) AS unpriced, SUM(latency_ms_sum) / SUM(requests) AS latencyMsAvg
        FROM usage_hourly WHERE ${where.join(' AND ')} GROUP BY 1, 2 ORDER BY 1, 2`;
      let statement = queries.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        queries.set(sql, statement);
      }
      return statement.all(values) as UsagePoint[];
    },
  };
}

export type LatencyBucket = 'hour' | 'day';
export type LatencyGroup = 'model' | 'route' | 'none';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface LatencyPoint {
  /** Start of the bucket, ms since the epoch (UTC). */
  start: number;
  key: string;
  /** Requests measured: answered (status below 400) and not cut short; of the sample, when sampled. */
  requests: number;
  latencyMs: Percentiles;
  /** Streams only: until the first byte of the answer reached the client. Null: no stream. */
  ttftMs: Percentiles | null;
  streams: number;
  /** Median output tokens per second of streams after their first token; null: none to measure. */
  tokensPerSecond: number | null;
  /**
   * Switchboard's own time: latency less the vendors', never below 0, of the requests that recorded
   * the vendors' time. Null: none did (rows from before it was recorded).
   */
  gatewayMs: Percentiles | null;
}

/** Which requests the percentiles were read from: `rows` of them, about `fraction` of the period's. */
export interface LatencySample {
  rows: number;
  fraction: number;
}

/** One model (as requested) or route over a period: the rollups' totals beside the sample's percentiles. */
export interface ComparisonRow {
  key: string;
  requests: number;
  errors: number;
  errorRate: number;
  costUsd: number;
  unpriced: number;
  inputTokens: number;
  outputTokens: number;
  latencyMsP50: number | null;
  latencyMsP95: number | null;
  ttftMsP50: number | null;
  tokensPerSecond: number | null;
  /** Switchboard's own time (latency less the vendors'), p50, over requests that recorded it. */
  gatewayMsP50: number | null;
  /** The names the vendor answered with (dated versions), most used first. */
  upstreamModels: string[];
  /** For a model, the names clients used for it where a model map changed them; for a route, none. */
  requestedAs: string[];
}

export interface LatencyFilter {
  from: number;
  to: number;
  app?: string | undefined;
  route?: string | undefined;
}

/**
 * About this many request rows at most are read for one answer: past it the period is sampled, so
 * that percentiles over a million rows still answer in well under a second.
 */
const LATENCY_ROW_CAP = 100_000;

/**
 * The value at rank floor(p × n) of a sorted sample: the smallest value with more than p of the
 * sample at or below it. For p = 0.5 it is the rank the Overview's median takes too, but over other
 * rows: the sample leaves out failed (status 400 and up) and cut-short answers, which the Overview
 * counts, so the two differ where those are many.
 */
export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}

/** Latencies of one group of requests, gathered from the sample. */
class Timings {
  readonly latency: number[] = [];
  readonly ttft: number[] = [];
  readonly rates: number[] = [];
  /** Latency less the vendors' time, where the row recorded it. */
  readonly gateway: number[] = [];
  readonly upstream = new Map<string, number>();
  readonly requested = new Map<string, number>();

  add(row: SampleRow): void {
    const [, , stream, latency, ttfb, output, upstream, requested, upstreamMs] = row;
    this.latency.push(latency);
    if (upstreamMs !== null) this.gateway.push(Math.max(0, latency - upstreamMs));
    if (stream === 1 && ttfb !== null) {
      this.ttft.push(ttfb);
      // After the first token the rest is generation: a stream answered in one chunk says nothing.
      if (output !== null && output > 0 && latency > ttfb)
        this.rates.push((output * 1000) / (latency - ttfb));
    }
    if (upstream !== null) this.upstream.set(upstream, (this.upstream.get(upstream) ?? 0) + 1);
    if (requested !== null) this.requested.set(requested, (this.requested.get(requested) ?? 0) + 1);
  }
}

/** time, key, stream, latency_ms, ttfb_ms, output_tokens, upstream_model, requested_model, upstream_ms */
type SampleRow = [
  number,
  string,
  number,
  number,
  number | null,
  number | null,
  string | null,
  string | null,
  number | null,
];

const byUse = (counts: Map<string, number>) =>
  [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);

/** Where the groups' keys come from, the same in the request log and the rollups. */
const GROUP_COLUMN: Record<LatencyGroup, { requests: string; rollup: string }> = {
  model: { requests: "COALESCE(model, upstream_model, '')", rollup: 'model' },
  route: { requests: "COALESCE(route, '')", rollup: 'route' },
  none: { requests: "''", rollup: "''" },
};

/** Percentiles of latency, time to first token and stream speed, read from the request log. */
export function latencyQueries(db: Db, rowCap = LATENCY_ROW_CAP) {
  const statements = new Map<string, ReturnType<Db['prepare']>>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  const where = (filter: LatencyFilter, values: (string | number)[]) => {
    const clauses = ['time >= ?', 'time < ?'];
    values.push(Math.floor(filter.from / HOUR_MS) * HOUR_MS, filter.to);
    for (const column of ['app', 'route'] as const) {
      const value = filter[column];
      if (value === undefined) continue;
      clauses.push(`${column} = ?`);
      values.push(value);
    }
    return clauses.join(' AND ');
  };

  /**
   * The period's answered requests, a sample of them when there are more than the cap. Rows are
   * picked by a multiplicative hash of seq (Knuth's golden-ratio constant, mod 2³²), which spreads
   * evenly over time like every n-th row would, but cannot fall in step with traffic that repeats
   * (a script alternating two models would leave every n-th row all one model).
   */
  const sample = (
    filter: LatencyFilter,
    group: LatencyGroup,
  ): { rows: SampleRow[]; sample: LatencySample } => {
    const countValues: (string | number)[] = [];
    const count = prepared(`SELECT COUNT(*) FROM requests WHERE ${where(filter, countValues)}`)
      .pluck()
      .get(countValues) as number;
    const fraction = count <= rowCap ? 1 : rowCap / count;
    const values: (string | number)[] = [];
    // seq is the rowid, which every index carries: rows the hash leaves out are never read.
    const rows = prepared(
      `SELECT time, ${GROUP_COLUMN[group].requests}, stream, latency_ms, ttfb_ms, output_tokens, upstream_model,
         requested_model, upstream_ms
       FROM requests WHERE ${where(filter, values)} AND (seq * 2654435761) % 4294967296 < ?
         AND status < 400 AND partial = 0`,
    )
      .raw()
      .all([...values, Math.ceil(fraction * 4294967296)]) as SampleRow[];
    return { rows, sample: { rows: rows.length, fraction } };
  };

  return {
    /** Percentiles per bucket and per model or route, between `from` (inclusive) and `to` (exclusive). */
    series(options: LatencyFilter & { bucket: LatencyBucket; groupBy: LatencyGroup }): {
      points: LatencyPoint[];
      sample: LatencySample;
    } {
      const size = options.bucket === 'hour' ? HOUR_MS : 24 * HOUR_MS;
      const { rows, sample: taken } = sample(options, options.groupBy);
      const groups = new Map<string, { start: number; key: string; timings: Timings }>();
      for (const row of rows) {
        const start = Math.floor(row[0] / size) * size;
        const id = `${start}\u0000${row[1]}`;
        let group = groups.get(id);
        if (!group) {
          group = { start, key: row[1], timings: new Timings() };
          groups.set(id, group);
        }
        group.timings.add(row);
      }
      const points = [...groups.values()]
        .sort((a, b) => a.start - b.start || a.key.localeCompare(b.key))
        .map(({ start, key, timings }) => {
          const rates = percentiles(timings.rates);
          return {
            start,
            key,
            requests: timings.latency.length,
            latencyMs: percentiles(timings.latency)!,
            ttftMs: percentiles(timings.ttft),
            streams: timings.ttft.length,
            tokensPerSecond: rates && rates.p50,
            gatewayMs: percentiles(timings.gateway),
          };
        });
      return { points, sample: taken };
    },

    /** One row per model (as requested) or route: totals from the rollups, percentiles from the sample. */
    comparison(options: LatencyFilter & { groupBy: Exclude<LatencyGroup, 'none'> }): {
      rows: ComparisonRow[];
      sample: LatencySample;
    } {
      const values: (string | number)[] = [Math.floor(options.from / HOUR_MS) * HOUR_MS, options.to];
      const clauses = ['hour >= ?', 'hour < ?'];
      for (const column of ['app', 'route'] as const) {
        const value = options[column];
        if (value === undefined) continue;
        clauses.push(`${column} = ?`);
        values.push(value);
      }
      const totals = prepared(
        `SELECT ${GROUP_COLUMN[options.groupBy].rollup} AS key, SUM(requests) AS requests, SUM(errors) AS errors,
           SUM(cost_usd) AS costUsd, SUM(unpriced) AS unpriced, SUM(input_tokens) AS inputTokens,
           SUM(output_tokens) AS outputTokens
         FROM usage_hourly WHERE ${clauses.join(' AND ')} GROUP BY 1`,
      ).all(values) as Pick<
        ComparisonRow,
        'key' | 'requests' | 'errors' | 'costUsd' | 'unpriced' | 'inputTokens' | 'outputTokens'
      >[];
      const { rows, sample: taken } = sample(options, options.groupBy);
      const timings = new Map<string, Timings>();
      for (const row of rows) {
        let group = timings.get(row[1]);
        if (!group) {
          group = new Timings();
          timings.set(row[1], group);
        }
        group.add(row);
      }
      const compared = totals.map((total): ComparisonRow => {
        const group = timings.get(total.key);
        const latency = group && percentiles(group.latency);
        const ttft = group && percentiles(group.ttft);
        const rates = group && percentiles(group.rates);
        const own = group && percentiles(group.gateway);
        return {
          ...total,
          errorRate: total.requests === 0 ? 0 : total.errors / total.requests,
          latencyMsP50: latency?.p50 ?? null,
          latencyMsP95: latency?.p95 ?? null,
          ttftMsP50: ttft?.p50 ?? null,
          tokensPerSecond: rates?.p50 ?? null,
          gatewayMsP50: own?.p50 ?? null,
          upstreamModels: group ? byUse(group.upstream) : [],
          requestedAs:
            group && options.groupBy === 'model'
              ? byUse(group.requested).filter((name) => name !== total.key)
              : [],
        };
      });
      compared.sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
      return { rows: compared, sample: taken };
    },
  };
}
