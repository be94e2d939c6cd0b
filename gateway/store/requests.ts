import type { Db } from './database.ts';
import { fromJson } from './json-column.ts';
import type { Attempt, RequestRecord } from './types.ts';
import { usageTable } from './usage.ts';

/** A request row as the store keeps it (snake_case, 0/1 for booleans). */
export interface RequestRow {
  id: string;
  time: number;
  app: string | null;
  route: string | null;
  vendor: string | null;
  model: string | null;
  upstream_model: string | null;
  endpoint: string;
  stream: number;
  status: number;
  error_code: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  reasoning_tokens: number | null;
  cost_usd: number | null;
  latency_ms: number;
  ttfb_ms: number | null;
  partial: number;
  note: string | null;
  error_message: string | null;
  retry_after: string | null;
  requested_model: string | null;
  session: string | null;
  agent: string | null;
  attempts: string | null;
}

export function requestFromRow(row: RequestRow): RequestRecord {
  return {
    id: row.id,
    time: row.time,
    app: row.app,
    route: row.route,
    vendor: row.vendor,
    model: row.model,
    upstreamModel: row.upstream_model,
    endpoint: row.endpoint as RequestRecord['endpoint'],
    stream: row.stream === 1,
    status: row.status,
    errorCode: row.error_code,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedInputTokens: row.cached_input_tokens,
    reasoningTokens: row.reasoning_tokens,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    ttfbMs: row.ttfb_ms,
    partial: row.partial === 1,
    note: row.note,
    errorMessage: row.error_message,
    retryAfter: row.retry_after,
    requestedModel: row.requested_model,
    session: row.session,
    agent: row.agent,
    attempts: fromJson<Attempt[]>(row.attempts),
  };
}

export interface RequestQuery {
  limit: number;
  /** Only rows older than this row id (paging). */
  before?: string | undefined;
  app?: string | undefined;
  route?: string | undefined;
  model?: string | undefined;
  status?: number | undefined;
}

export function requestsTable(db: Db) {
  const insert = db.prepare(
    `INSERT INTO requests (id, time, app, route, vendor, model, upstream_model, endpoint, stream, status, error_code,
       input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms, ttfb_ms, partial, note,
       error_message, retry_after, requested_model, session, agent, attempts)
     VALUES (@id, @time, @app, @route, @vendor, @model, @upstreamModel, @endpoint, @stream, @status, @errorCode,
       @inputTokens, @outputTokens, @cachedInputTokens, @reasoningTokens, @costUsd, @latencyMs, @ttfbMs, @partial, @note,
       @errorMessage, @retryAfter, @requestedModel, @session, @agent, @attempts)`,
  );
  const usage = usageTable(db);
  const insertBody = db.prepare<[string, string, number]>(
    'INSERT OR REPLACE INTO request_bodies (request_id, sealed, created_at) VALUES (?, ?, ?)',
  );
  const bodyOf = db.prepare<[string], { sealed: string }>(
    'SELECT sealed FROM request_bodies WHERE request_id = ?',
  );
  const insertBatch = (
    records: readonly RequestRecord[],
    bodies: readonly { id: string; sealed: string; time: number }[] = [],
  ) => {
    for (const record of records) {
      insert.run({
        ...record,
        stream: record.stream ? 1 : 0,
        partial: record.partial ? 1 : 0,
        note: record.note ?? null,
        errorMessage: record.errorMessage ?? null,
        retryAfter: record.retryAfter ?? null,
        requestedModel: record.requestedModel ?? null,
        session: record.session ?? null,
        agent: record.agent ?? null,
        attempts: record.attempts ? JSON.stringify(record.attempts) : null,
      });
    }
    for (const body of bodies) insertBody.run(body.id, body.sealed, body.time);
    usage.add(records);
  };
  const insertMany = db.transaction(insertBatch);
  const seqOf = db.prepare<[string], { seq: number }>('SELECT seq FROM requests WHERE id = ?');
  const unpriced = db.prepare<[string, number], { model: string }>(
    `SELECT DISTINCT COALESCE(upstream_model, model) AS model FROM requests
     WHERE route = ? AND time >= ? AND cost_usd IS NULL AND input_tokens IS NOT NULL AND model IS NOT NULL`,
  );
  const queries = new Map<string, ReturnType<Db['prepare']>>();

  const countSince = db.prepare<[number], { count: number }>(
    'SELECT COUNT(*) AS count FROM requests WHERE time >= ?',
  );
  const nthLatency = db.prepare<[number, number], { latency: number }>(
    'SELECT latency_ms AS latency FROM requests WHERE time >= ? ORDER BY latency_ms LIMIT 1 OFFSET ?',
  );

  return {
    insertMany: (
      records: readonly RequestRecord[],
      bodies?: readonly { id: string; sealed: string; time: number }[],
    ) => insertMany(records, bodies),
    /** The same inside a transaction the caller holds (the recorder's, which settles budgets in it too). */
    insertBatch,
    /** A request's sealed bodies, where its route logs them. */
    sealedBodies: (id: string): string | undefined => bodyOf.get(id)?.sealed,
    /** The median latency of the requests since `since`, or null when there were none. */
    medianLatencySince: (since: number): number | null => {
      const count = countSince.get(since)?.count ?? 0;
      return count === 0 ? null : (nthLatency.get(since, Math.floor(count / 2))?.latency ?? null);
    },
    /** Models a route served since `since` whose cost could not be priced. */
    unpricedModels: (route: string, since: number): string[] =>
      unpriced.all(route, since).map((row) => row.model),
    query: (query: RequestQuery): RequestRecord[] => {
      const where: string[] = [];
      const values: (string | number)[] = [];
      if (query.before !== undefined) {
        where.push('seq < ?');
        values.push(seqOf.get(query.before)?.seq ?? 0);
      }
      for (const [column, value] of [
        ['app', query.app],
        ['route', query.route],
        ['model', query.model],
        ['status', query.status],
      ] as const) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        values.push(value);
      }
      const sql = `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
      let statement = queries.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        queries.set(sql, statement);
      }
      return (statement.all([...values, query.limit]) as RequestRow[]).map(requestFromRow);
    },
  };
}
