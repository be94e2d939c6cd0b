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
  upstream_ms: number | null;
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
    upstreamMs: row.upstream_ms,
  };
}

/** Which requests the log shows or exports; every field narrows it, none set means all. */
export interface RequestFilter {
  app?: string | undefined;
  route?: string | undefined;
  model?: string | undefined;
  session?: string | undefined;
  status?: number | undefined;
  /** The hundreds digit of the status: 2 for 2xx, 4 for 4xx. */
  statusClass?: number | undefined;
  /** Only requests that did not succeed: any status outside 2xx. */
  errors?: boolean | undefined;
  /** Epoch ms, inclusive. */
  from?: number | undefined;
  /** Epoch ms, exclusive. */
  to?: number | undefined;
  /** Case-insensitive text within the request id, a model name, the error code or the error message. */
  text?: string | undefined;
}

export interface RequestQuery extends RequestFilter {
  limit: number;
  /** Only rows older than this row id (paging). */
  before?: string | undefined;
}

type SqlValue = string | number;

/** A range of `seq`, both ends inclusive; empty: the whole table. */
type SeqWindow = { low: number; high: number } | { low?: undefined; high?: undefined };

/** `text` as a LIKE pattern that matches it anywhere, its own wildcards taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

const TEXT_COLUMNS = ['id', 'model', 'requested_model', 'upstream_model', 'error_code', 'error_message'];

/**
 * The WHERE terms of a filter but its time range. The time range is applied through a window of
 * `seq` instead (see `seqWindow`); its own terms are written `+time` so that SQLite never picks
 * the time index for them, which would read the whole range and sort it by `seq` for every page.
 */
function conditions(filter: RequestFilter): { where: string[]; values: SqlValue[] } {
  const where: string[] = [];
  const values: SqlValue[] = [];
  for (const [column, value] of [
    ['app', filter.app],
    ['route', filter.route],
    ['model', filter.model],
    ['session', filter.session],
    ['status', filter.status],
  ] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    values.push(value);
  }
  if (filter.statusClass !== undefined) {
    where.push('status BETWEEN ? AND ?');
    values.push(filter.statusClass * 100, filter.statusClass * 100 + 99);
  }
  if (filter.errors) where.push('(status < 200 OR status > 299)');
  if (filter.from !== undefined) {
    where.push('+time >= ?');
    values.push(filter.from);
  }
  if (filter.to !== undefined) {
    where.push('+time < ?');
    values.push(filter.to);
  }
  if (filter.text !== undefined) {
    where.push(`(${TEXT_COLUMNS.map((column) => `${column} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    values.push(...TEXT_COLUMNS.map(() => containing(filter.text!)));
  }
  return { where, values };
}

export function requestsTable(db: Db) {
  const insert = db.prepare(
    `INSERT INTO requests (id, time, app, route, vendor, model, upstream_model, endpoint, stream, status, error_code,
       input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms, ttfb_ms, partial, note,
       error_message, retry_after, requested_model, session, agent, attempts, upstream_ms)
     VALUES (@id, @time, @app, @route, @vendor, @model, @upstreamModel, @endpoint, @stream, @status, @errorCode,
       @inputTokens, @outputTokens, @cachedInputTokens, @reasoningTokens, @costUsd, @latencyMs, @ttfbMs, @partial, @note,
       @errorMessage, @retryAfter, @requestedModel, @session, @agent, @attempts, @upstreamMs)`,
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
        upstreamMs: record.upstreamMs ?? null,
      });
    }
    for (const body of bodies) insertBody.run(body.id, body.sealed, body.time);
    usage.add(records);
  };
  const insertMany = db.transaction(insertBatch);
  const seqOf = db.prepare<[string], { seq: number }>('SELECT seq FROM requests WHERE id = ?');
  const byId = db.prepare<[string], RequestRow>('SELECT * FROM requests WHERE id = ?');
  const unpriced = db.prepare<[string, number], { model: string }>(
    `SELECT DISTINCT COALESCE(upstream_model, model) AS model FROM requests
     WHERE route = ? AND time >= ? AND cost_usd IS NULL AND input_tokens IS NOT NULL AND model IS NOT NULL`,
  );

  const countSince = db.prepare<[number], { count: number }>(
    'SELECT COUNT(*) AS count FROM requests WHERE time >= ?',
  );
  const nthLatency = db.prepare<[number, number], { latency: number }>(
    'SELECT latency_ms AS latency FROM requests WHERE time >= ? ORDER BY latency_ms LIMIT 1 OFFSET ?',
  );

  const statements = new Map<string, ReturnType<Db['prepare']>>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  /**
   * The `seq` range that holds every row of the filter's time range (null: none does), read from
   * the covering time indexes, narrowed by app or route where given. A page then walks `seq`
   * downwards inside it, in order, and stops at its limit: time ranges cost what they hold,
   * without a sort.
   */
  const seqWindow = (filter: RequestFilter): SeqWindow | null => {
    if (filter.from === undefined && filter.to === undefined) return {};
    const where: string[] = [];
    const values: SqlValue[] = [];
    for (const [term, value] of [
      ['time >= ?', filter.from],
      ['time < ?', filter.to],
      ['app = ?', filter.app],
      ['route = ?', filter.route],
    ] as const) {
      if (value === undefined) continue;
      where.push(term);
      values.push(value);
    }
    const bounds = prepared(
      `SELECT MIN(seq) AS low, MAX(seq) AS high FROM requests WHERE ${where.join(' AND ')}`,
    ).get(values) as { low: number | null; high: number | null };
    return bounds.low === null || bounds.high === null ? null : { low: bounds.low, high: bounds.high };
  };

  /** Up to `limit` rows of the filter inside the window and below `below` (a seq), newest first. */
  const page = (
    filter: RequestFilter,
    window: SeqWindow,
    below: number | undefined,
    limit: number,
  ): (RequestRow & { seq: number })[] => {
    const { where, values } = conditions(filter);
    if (window.low !== undefined) {
      where.push('seq BETWEEN ? AND ?');
      values.push(window.low, window.high);
    }
    if (below !== undefined) {
      where.push('seq < ?');
      values.push(below);
    }
    const sql = `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return prepared(sql).all([...values, limit]) as (RequestRow & { seq: number })[];
  };

  return {
    insertMany: (
      records: readonly RequestRecord[],
      bodies?: readonly { id: string; sealed: string; time: number }[],
    ) => insertMany(records, bodies),
    /** The same inside a transaction the caller holds (the recorder's, which settles budgets in it too). */
    insertBatch,
    /** One row by its id, or undefined when there is none (yet). */
    get: (id: string): RequestRecord | undefined => {
      const row = byId.get(id);
      return row && requestFromRow(row);
    },
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
    /** The newest rows the query selects, up to its limit, newest first. */
    query: (query: RequestQuery): RequestRecord[] => {
      const window = seqWindow(query);
      if (window === null) return [];
      const below = query.before === undefined ? undefined : (seqOf.get(query.before)?.seq ?? 0);
      return page(query, window, below, query.limit).map(requestFromRow);
    },
    /**
     * Every row the filter selects, newest first, a page of `size` rows at a time: an export reads
     * the log in bounded pieces instead of all of it at once. Rows recorded after it starts are
     * not in it.
     */
    *pages(filter: RequestFilter, size: number): Generator<RequestRecord[]> {
      const window = seqWindow(filter);
      if (window === null) return;
      let below: number | undefined;
      for (;;) {
        const rows = page(filter, window, below, size);
        if (rows.length > 0) yield rows.map(requestFromRow);
        if (rows.length < size) return;
        below = rows.at(-1)!.seq;
      }
    },
  };
}
