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
