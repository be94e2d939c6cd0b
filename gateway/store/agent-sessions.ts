import type { Db } from './database.ts';
import { requestFromRow, type RequestRow } from './requests.ts';
import type { RequestRecord } from './types.ts';

/** One agent session: the requests a client said belong together, summed. */
export interface AgentSessionSummary {
  id: string;
  /** The tool that sent it (`claude-code`, `gemini-cli`, `codex`); null: not said. */
  agent: string | null;
  /** The app of its latest request. */
  app: string | null;
  /** Every route and model it used, sorted. */
  routes: string[];
  models: string[];
  turns: number;
  inputTokens: number;
  outputTokens: number;
  /** The sum of the priced turns; null when none was priced. */
  costUsd: number | null;
  /** Turns with tokens whose price is unknown, so not in costUsd. */
  unpriced: number;
  /** Turns answered with a status of 400 or more. */
  errors: number;
  /** When its first request started and its last one ended, ms since the epoch. */
  firstAt: number;
  lastAt: number;
  /** Wall-clock time from firstAt to lastAt. */
  durationMs: number;
  /** The sum of its requests' latencies: the time spent waiting on the gateway and the vendor. */
  latencyMs: number;
  /** Whether any of its streams was cut. */
  partial: boolean;
}

export interface AgentSessionQuery {
  limit: number;
  /** Only sessions whose last activity is older than this session's (paging). */
  before?: string | undefined;
  /** Only sessions with a request from this app, or sent by this tool. */
  app?: string | undefined;
  agent?: string | undefined;
}

interface SummaryRow {
  id: string;
  agent: string | null;
  app: string | null;
  routes: string;
  models: string;
  turns: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  unpriced: number;
  errors: number;
  first_at: number;
  last_at: number;
  latency_ms: number;
  partial: number;
}

/** The names in a json_group_array, without the nulls of rows that had none. */
const names = (json: string): string[] =>
  (JSON.parse(json) as (string | null)[]).filter((name): name is string => name !== null).sort();

function summaryFrom(row: SummaryRow): AgentSessionSummary {
  return {
    id: row.id,
    agent: row.agent,
    app: row.app,
    routes: names(row.routes),
    models: names(row.models),
    turns: row.turns,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    unpriced: row.unpriced,
    errors: row.errors,
    firstAt: row.first_at,
    lastAt: row.last_at,
    durationMs: row.last_at - row.first_at,
    latencyMs: row.latency_ms,
    partial: row.partial === 1,
  };
}

/**
 * The sums over the sessions in `page` (session, seq of its latest row as the list's filters see it),
 * newest first, over all of each session's rows. The app is that latest row's; the tool too, or,
 * where it did not say one, any other row's.
 */
const SUMMARY = `
  SELECT r.session AS id, COALESCE(latest.agent, MAX(r.agent)) AS agent, latest.app AS app,
    json_group_array(DISTINCT r.route) AS routes, json_group_array(DISTINCT r.model) AS models,
    COUNT(*) AS turns, TOTAL(r.input_tokens) AS input_tokens, TOTAL(r.output_tokens) AS output_tokens,
    SUM(r.cost_usd) AS cost_usd, SUM(r.cost_usd IS NULL AND r.input_tokens IS NOT NULL) AS unpriced,
    SUM(r.status >= 400) AS errors, MIN(r.time) AS first_at, MAX(r.time + r.latency_ms) AS last_at,
    TOTAL(r.latency_ms) AS latency_ms, MAX(r.partial) AS partial
  FROM page
  JOIN requests AS r ON r.session = page.session
  JOIN requests AS latest ON latest.seq = page.last
  GROUP BY page.session
  ORDER BY page.last DESC`;

/** How many of the newest rows a page is looked for in before the whole session index is read. */
const WALK_ROWS = 10_000;

/**
 * Agent sessions, read from the request log. A page is found by walking the newest rows back until it
 * has `limit` sessions (the first row met of a session is its latest, so they come in order): bounded
 * by recent activity, not by the size of the log. Where the newest rows hold too few sessions, the
 * rest come from the `(session, seq)` index, grouped. Only the page's sessions' rows are summed.
 */
export function agentSessionsTable(db: Db) {
  const one = db.prepare<[string], SummaryRow>(
    `WITH page AS (SELECT session, MAX(seq) AS last FROM requests WHERE session = ? GROUP BY session) ${SUMMARY}`,
  );
  const summaries = db.prepare<[string], SummaryRow>(
    `WITH page AS (SELECT json_extract(value, '$[0]') AS session, json_extract(value, '$[1]') AS last
      FROM json_each(?)) ${SUMMARY}`,
  );
  const requestsOf = db.prepare<[string], RequestRow>(
    'SELECT * FROM requests WHERE session = ? ORDER BY seq',
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

  return {
    /** Sessions, the one with the latest activity first. */
    list(query: AgentSessionQuery): AgentSessionSummary[] {
      const where = ['session IS NOT NULL'];
      const values: string[] = [];
      for (const [column, value] of [
        ['app', query.app],
        ['agent', query.agent],
      ] as const) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        values.push(value);
      }
      const filter = where.join(' AND ');
      const lastOf = prepared(`SELECT MAX(seq) AS last FROM requests WHERE ${filter} AND session = ?`);
      const last = (session: string) =>
        (lastOf.get([...values, session]) as { last: number | null }).last ?? 0;
      // Paging: sessions whose latest row (as these filters see it) is older than the cursor session's.
      const from = query.before === undefined ? Number.MAX_SAFE_INTEGER : last(query.before);

      const page = new Map<string, number>();
      const met = new Set<string>();
      let walked = 0;
      let oldest = from;
      // NOT INDEXED: newest first along the rowid, never by sorting an index's rows.
      const newest = prepared(
        `SELECT session, seq FROM requests NOT INDEXED WHERE ${filter} AND seq < ? ORDER BY seq DESC LIMIT ?`,
      );
      type Row = { session: string; seq: number };
      for (const row of newest.iterate([...values, from, WALK_ROWS]) as IterableIterator<Row>) {
        walked++;
        oldest = row.seq;
        if (met.has(row.session)) continue;
        met.add(row.session);
        // Past a cursor, a session met here may have newer rows, which put it on an earlier page.
        if (query.before === undefined || last(row.session) < from) page.set(row.session, row.seq);
        if (page.size === query.limit) break;
      }
      if (page.size < query.limit && walked === WALK_ROWS) {
        // Every session not met yet ended before the oldest row walked.
        const older = prepared(
          `SELECT session, MAX(seq) AS last FROM requests WHERE ${filter} GROUP BY session HAVING last < ?
            ORDER BY last DESC LIMIT ?`,
        ).all([...values, oldest, query.limit - page.size]) as { session: string; last: number }[];
        for (const row of older) page.set(row.session, row.last);
      }
      if (page.size === 0) return [];
      return summaries.all(JSON.stringify([...page])).map(summaryFrom);
    },
    /** One session and its requests, oldest first; undefined when no request has this session. */
    get(id: string): { summary: AgentSessionSummary; requests: RequestRecord[] } | undefined {
      const row = one.get(id);
      if (row === undefined) return undefined;
      return { summary: summaryFrom(row), requests: requestsOf.all(id).map(requestFromRow) };
    },
  };
}
