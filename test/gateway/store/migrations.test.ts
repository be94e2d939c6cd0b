import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, type Db } from '../../../gateway/store/database.ts';
import { createStore } from '../../../gateway/store/index.ts';
import { MIGRATIONS } from '../../../gateway/store/migrations.ts';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-migrations-'));
  db = new Database(join(dir, 'switchboard.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Brings a fresh database to schema `version` exactly as the migrations of that release did. */
function migrateTo(version: number, from = 0): void {
  for (let step = from; step < version; step++) db.exec(MIGRATIONS[step]!);
  db.pragma(`user_version = ${version}`);
}

const HOUR = Date.parse('2026-11-02T09:00:00Z');

/** A row as the recorder of schema 8 wrote it: a failure knows only the requested name. */
function insertOld(
  id: string,
  fields: { model: string; upstreamModel: string; status: number; errorCode?: string; cost?: number | null },
): void {
  db.prepare(
    `INSERT INTO requests (id, time, app, route, vendor, model, upstream_model, endpoint, stream, status, error_code,
       input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms, ttfb_ms, partial)
     VALUES (?, ?, 'ide', 'openai', 'openai', ?, ?, 'chat.completions', 0, ?, ?, ?, ?, 0, 0, ?, 100, 50, 0)`,
  ).run(
    id,
    HOUR + 60_000,
    fields.model,
    fields.upstreamModel,
    fields.status,
    fields.errorCode ?? null,
    fields.status < 400 ? 100 : null,
    fields.status < 400 ? 10 : null,
    fields.cost ?? null,
  );
}

describe('migrations 9 and 10', () => {
  it('rebuild the hourly rollups of an old database by the requested model, one series per model', () => {
    // Schema 3 (before the rollups existed), rows, then 4–8: the rollups built as release 8 built them.
    migrateTo(3);
    insertOld('a', {
      model: 'gpt-4o-mini',
      upstreamModel: 'gpt-4o-mini-2024-07-18',
      status: 200,
      cost: 0.001,
    });
    insertOld('b', {
      model: 'gpt-4o-mini',
      upstreamModel: 'gpt-4o-mini-2024-07-18',
      status: 200,
      cost: 0.002,
    });
    insertOld('c', {
      model: 'gpt-4o-mini',
      upstreamModel: 'gpt-4o-mini',
      status: 429,
      errorCode: 'rate_limited',
    });
    migrateTo(8, 3);
    const keys = () =>
      (db.prepare('SELECT model, requests, errors FROM usage_hourly ORDER BY model').all() as unknown[]).map(
        (row) => Object.values(row as Record<string, unknown>),
      );
    // The split the issue describes: the failure and the answers under two names.
    expect(keys()).toEqual([
      ['gpt-4o-mini', 1, 1],
      ['gpt-4o-mini-2024-07-18', 2, 0],
    ]);

    migrate(db);

    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(keys()).toEqual([['gpt-4o-mini', 3, 1]]);
    const store = createStore(db);
    const [point, ...rest] = store.usage.series({
      from: HOUR,
      to: HOUR + 3_600_000,
      bucket: 'hour',
      groupBy: 'model',
    });
    expect(rest).toEqual([]);
    expect(point).toMatchObject({ key: 'gpt-4o-mini', requests: 3, errors: 1, inputTokens: 200 });
    expect(point?.costUsd).toBeCloseTo(0.003, 12);
    // A row written after the migration adds to the same series.
    store.requests.insertMany([
      {
        id: 'd',
        time: HOUR + 120_000,
        app: 'ide',
        route: 'openai',
        vendor: 'openai',
        model: 'gpt-4o-mini',
        upstreamModel: 'gpt-4o-mini-2024-07-18',
        endpoint: 'chat.completions',
        stream: false,
        status: 200,
        errorCode: null,
        inputTokens: 1,
        outputTokens: 1,
        cachedInputTokens: 0,
        reasoningTokens: 0,
        costUsd: 0,
        latencyMs: 10,
        ttfbMs: 5,
        partial: false,
      },
    ]);
    expect(keys()).toEqual([['gpt-4o-mini', 4, 1]]);
  });

  it('add the error message and Retry-After columns; old rows read them as null', () => {
    migrateTo(8);
    insertOld('a', {
      model: 'gpt-4o-mini',
      upstreamModel: 'gpt-4o-mini',
      status: 502,
      errorCode: 'upstream_error',
    });
    migrate(db);
    const [row] = createStore(db).requests.query({ limit: 1 });
    expect(row).toMatchObject({ id: 'a', errorCode: 'upstream_error', errorMessage: null, retryAfter: null });
  });
});
