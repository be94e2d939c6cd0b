import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../gateway/store/index.ts';
import type { RequestRecord } from '../../gateway/store/types.ts';
import { median, round } from '../stats.ts';

/** A query's timings over `runs` runs, ms; the first run is the one a freshly opened dashboard waits for. */
export interface QueryTiming {
  label: string;
  sql: string;
  plan: string;
  rows: number;
  firstMs: number;
  medianMs: number;
  maxMs: number;
}

export interface StoreResult {
  rows: number;
  days: number;
  /** Runs of each query. */
  runs: number;
  insertSeconds: number;
  rowsPerSecond: number;
  databaseMb: number;
  /** The dashboard's queries on the real schema and indexes. */
  queries: QueryTiming[];
  /** The same questions with a candidate index or rollup created only in the bench's copy. */
  candidates: { change: string; buildSeconds: number; queries: QueryTiming[] }[];
  /** What the recorder's flush costs the event loop, on this database. */
  recorder: RecorderCost;
  targetMs: number;
}

export interface RecorderCost {
  rowsPerBatch: number;
  batches: number;
  /** store.requests.insertMany, one transaction per batch, as Recorder.flush calls it. */
  insertMany: { perRowUs: number; batchP50Ms: number; batchP99Ms: number; batchMaxMs: number };
  /** The same rows through a positional prepared statement (a candidate, not the store's code). */
  positional: { perRowUs: number; batchP50Ms: number; batchP99Ms: number; batchMaxMs: number };
}

const DAY_MS = 86_400_000;
const DAYS = 90;

/** Who calls what, weighted: one busy app, a long tail, and one app that almost never calls. */
const APPS: readonly [string, number][] = [
  ['cursor', 0.34],
  ['claude-code', 0.22],
  ['aider', 0.15],
  ['zed', 0.1],
  ['scripts', 0.08],
  ['notebook', 0.06],
  ['raycast', 0.045],
  ['cron-digest', 0.005],
];
const ROUTES: readonly { route: string; vendor: string; models: readonly [string, number, number][] }[] = [
  {
    route: 'openai',
    vendor: 'openai',
    // model, input $/MTok, output $/MTok
    models: [
      ['gpt-4.1', 2, 8],
      ['gpt-4.1-mini', 0.4, 1.6],
      ['gpt-4.1-nano', 0.1, 0.4],
      ['o3', 2, 8],
      ['text-embedding-3-small', 0.02, 0],
    ],
  },
  {
    route: 'claude',
    vendor: 'anthropic',
    models: [
      ['claude-sonnet-4-5', 3, 15],
      ['claude-haiku-4-5', 1, 5],
      ['claude-opus-4-1', 15, 75],
    ],
  },
  {
    route: 'gemini',
    vendor: 'gemini',
    models: [
      ['gemini-2.5-pro', 1.25, 10],
      ['gemini-2.5-flash', 0.3, 2.5],
    ],
  },
  {
    route: 'local',
    vendor: 'ollama',
    models: [
      ['llama3.2', 0, 0],
      ['qwen2.5-coder', 0, 0],
    ],
  },
];

/** A small deterministic PRNG (mulberry32), so every run inserts the same rows. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly (readonly [T, number])[], roll: number): T {
  let sum = 0;
  for (const [item, weight] of items) {
    sum += weight;
    if (roll < sum) return item;
  }
  return items.at(-1)![0];
}

/** Rows in time order over the last 90 days, as the recorder would have written them, in big transactions. */
export function fill(store: Store, rows: number, now: number): void {
  const insert = store.db.prepare(
    `INSERT INTO requests (id, time, app, route, vendor, model, upstream_model, endpoint, stream, status, error_code,
       input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms, ttfb_ms, partial)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const next = random(42);
  const start = now - DAYS * DAY_MS;
  const step = (DAYS * DAY_MS) / rows;
  const routeWeights = ROUTES.map((route, index) => [index, [0.45, 0.3, 0.15, 0.1][index]!] as const);
  const batch = store.db.transaction((from: number, to: number) => {
    for (let index = from; index < to; index++) {
      const time = Math.floor(start + index * step + next() * step);
      const route = ROUTES[pick(routeWeights, next())]!;
      const [model, inputPrice, outputPrice] = route.models[Math.floor(next() * route.models.length)]!;
      const status = next() < 0.97 ? 200 : next() < 0.7 ? 429 : 502;
      const ok = status === 200;
      const stream = next() < 0.6;
      const inputTokens = ok ? 100 + Math.floor(next() * next() * 20_000) : null;
      const outputTokens = ok ? 10 + Math.floor(next() * 2000) : null;
      const cached = inputTokens === null ? null : Math.floor(inputTokens * next() * 0.5);
      const cost =
        inputTokens === null || outputTokens === null
          ? null
          : (inputTokens * inputPrice + outputTokens * outputPrice) / 1e6;
      const latency = 200 + next() * 8000;
      insert.run(
        `req_${time.toString(36)}bench${index.toString(36).padStart(6, '0')}`,
        time,
        pick(APPS, next()),
        route.route,
        route.vendor,
        model,
        model,
        model.startsWith('text-embedding') ? 'embeddings' : 'chat.completions',
        stream ? 1 : 0,
        status,
        ok ? null : status === 429 ? 'rate_limited' : 'upstream_error',
        inputTokens,
        outputTokens,
        cached,
        ok && model === 'o3' ? Math.floor(next() * 1000) : ok ? 0 : null,
        cost,
        round(latency),
        stream ? round(latency * 0.1) : null,
        0,
      );
    }
  });
  const BATCH = 50_000;
  for (let from = 0; from < rows; from += BATCH) batch(from, Math.min(rows, from + BATCH));
}

function recordsFor(count: number, now: number, tag: string): RequestRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `req_${now.toString(36)}${tag}${index.toString(36).padStart(6, '0')}`,
    time: now + index,
    app: APPS[index % APPS.length]![0],
    route: 'openai',
    vendor: 'openai',
    model: 'gpt-4.1-nano',
    upstreamModel: 'gpt-4.1-nano-2025-04-14',
    endpoint: 'chat.completions',
    stream: false,
    status: 200,
    errorCode: null,
    inputTokens: 16,
    outputTokens: 4,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.0000032,
    latencyMs: 0.412,
    ttfbMs: 0.412,
    partial: false,
  }));
}

function batchFigures(times: number[], rows: number) {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    perRowUs: (sorted.reduce((sum, value) => sum + value, 0) * 1000) / rows,
    batchP50Ms: median(sorted),
    batchP99Ms: sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!,
    batchMaxMs: sorted.at(-1)!,
  };
}

/**
 * The recorder writes its queued rows every 20 ms in one transaction on the event loop: at 2,000
 * requests/s that is about 40 rows a batch. Timed here on the full database, with the real
 * insertMany, and with a positional statement for comparison.
 */
function recorderCost(store: Store, now: number, batches: number, rowsPerBatch = 40): RecorderCost {
  const timesReal: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const records = recordsFor(rowsPerBatch, now + batch * 1000, `r${batch.toString(36)}x`);
    timesReal.push(time(() => store.requests.insertMany(records))[1]);
  }
  const insert = store.db.prepare(
    `INSERT INTO requests (id, time, app, route, vendor, model, upstream_model, endpoint, stream, status, error_code,
       input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms, ttfb_ms, partial)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAll = store.db.transaction((records: readonly RequestRecord[]) => {
    for (const r of records) {
      insert.run(
        r.id,
        r.time,
        r.app,
        r.route,
        r.vendor,
        r.model,
        r.upstreamModel,
        r.endpoint,
        r.stream ? 1 : 0,
        r.status,
        r.errorCode,
        r.inputTokens,
        r.outputTokens,
        r.cachedInputTokens,
        r.reasoningTokens,
        r.costUsd,
        r.latencyMs,
        r.ttfbMs,
        r.partial ? 1 : 0,
      );
    }
  });
  const timesPositional: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const records = recordsFor(rowsPerBatch, now + batch * 1000, `p${batch.toString(36)}x`);
    timesPositional.push(time(() => insertAll(records))[1]);
  }
  return {
    rowsPerBatch,
    batches,
    insertMany: batchFigures(timesReal, batches * rowsPerBatch),
    positional: batchFigures(timesPositional, batches * rowsPerBatch),
  };
}

function time<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, performance.now() - start];
}

function timeQuery(
  store: Store,
  label: string,
  sql: string,
  parameters: readonly (string | number)[],
  runs: number,
  run?: () => unknown[],
): QueryTiming {
  const statement = store.db.prepare(sql);
  const execute = run ?? (() => statement.all(...parameters));
  const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[])
    .map((step) => step.detail)
    .join('; ');
  const times: number[] = [];
  let rows = 0;
  for (let index = 0; index < runs; index++) {
    const [result, ms] = time(execute);
    rows = result.length;
    times.push(ms);
  }
  return {
    label,
    sql: sql.replace(/\s+/g, ' ').trim(),
    plan,
    rows,
    firstMs: times[0]!,
    medianMs: median(times),
    maxMs: Math.max(...times),
  };
}

/** What store.requests.query({ limit: 100, app }) runs (the admin API's request log). */
const LATEST_BY_APP = 'SELECT * FROM requests WHERE app = ? ORDER BY seq DESC LIMIT ?';
/** The rollups as migration 4 builds them from existing rows (the recorder keeps them current after). */
const BACKFILL_ROLLUPS = `DELETE FROM usage_hourly;
  INSERT INTO usage_hourly
  SELECT (time / 3600000) * 3600000, COALESCE(app, ''), COALESCE(route, ''), COALESCE(upstream_model, model, ''),
    COUNT(*), SUM(status >= 400), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
    COALESCE(SUM(cached_input_tokens), 0), COALESCE(SUM(reasoning_tokens), 0), COALESCE(SUM(cost_usd), 0),
    SUM(cost_usd IS NULL AND input_tokens IS NOT NULL), SUM(latency_ms)
  FROM requests GROUP BY 1, 2, 3, 4`;
/** The shape of the SQL store.usage.series runs, for the query plan in the report. */
const SERIES_SQL = (
  bucket: string,
  key: string,
) => `SELECT ${bucket} AS start, ${key} AS key, SUM(requests), SUM(cost_usd)
  FROM usage_hourly WHERE hour >= ? AND hour < ? GROUP BY 1, 2 ORDER BY 1, 2`;

/**
 * 90 days of rows in a fresh data dir opened through gateway/store (the real schema, indexes and
 * hourly rollups), then the dashboard's three questions, asked the way the admin API asks them.
 * "This month" is taken at its worst, a 31-day month, so the figure does not depend on the day.
 */
export function measureStore(dir: string, rows: number, runs: number): StoreResult {
  const store = openStore(join(dir, 'store'));
  try {
    const now = Date.now();
    const [, insertMs] = time(() => {
      fill(store, rows, now);
      store.db.exec(BACKFILL_ROLLUPS);
    });
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const databaseMb = statSync(join(dir, 'store', 'switchboard.db')).size / 1024 / 1024;
    const since30 = now - 30 * DAY_MS;
    const since31 = now - 31 * DAY_MS;
    const until = now + 3_600_000;
    const busy = APPS[0]![0];
    const rare = APPS.at(-1)![0];
    const latest = (app: string) => () => store.requests.query({ limit: 100, app });
    const queries = [
      timeQuery(
        store,
        'spend per day per app, last 30 days',
        SERIES_SQL('(hour / 86400000) * 86400000', 'app'),
        [since30, until],
        runs,
        () => store.usage.series({ from: since30, to: until, bucket: 'day', groupBy: 'app' }),
      ),
      timeQuery(
        store,
        'top models this month (31 days)',
        SERIES_SQL('hour', 'model'),
        [since31, until],
        runs,
        () => store.usage.series({ from: since31, to: until, bucket: 'month', groupBy: 'model' }),
      ),
      timeQuery(
        store,
        `latest 100 rows of app "${busy}" (34% of rows)`,
        LATEST_BY_APP,
        [busy, 100],
        runs,
        latest(busy),
      ),
      timeQuery(
        store,
        `latest 100 rows of app "${rare}" (0.5% of rows)`,
        LATEST_BY_APP,
        [rare, 100],
        runs,
        latest(rare),
      ),
    ];
    const candidates: StoreResult['candidates'] = [];
    // Back to the real indexes (the candidates are dropped), then what a recorder flush costs.
    const recorder = recorderCost(store, now, rows >= 1_000_000 ? 1000 : 250);
    return {
      rows,
      days: DAYS,
      runs,
      insertSeconds: insertMs / 1000,
      rowsPerSecond: rows / (insertMs / 1000),
      databaseMb,
      queries,
      candidates,
      recorder,
      targetMs: 100,
    };
  } finally {
    store.close();
  }
}
