import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../gateway/store/database.ts';
import { requestsTable, type RequestFilter } from '../../../gateway/store/requests.ts';

/**
 * How SQLite runs the request log's queries. With no ANALYZE statistics (Switchboard keeps none)
 * its planner decides from the schema and the query alone, so the plans seen here on a small table
 * are the ones a table of a million rows gets.
 */

interface Statement {
  sql: string;
  args: unknown[];
}

let dataDir: string;
let db: Db;
let table: ReturnType<typeof requestsTable>;
const ran: Statement[] = [];

/** The connection, recording the SQL and arguments of every read the table makes. */
function recording(target: Db): Db {
  return new Proxy(target, {
    get(object, key) {
      if (key !== 'prepare') {
        const value: unknown = Reflect.get(object, key);
        return typeof value === 'function' ? (value as () => unknown).bind(object) : value;
      }
      return (sql: string) => {
        const statement = object.prepare(sql);
        return new Proxy(statement, {
          get(inner, name) {
            const value: unknown = Reflect.get(inner, name);
            if (typeof value !== 'function') return value;
            const bound = (value as (...args: unknown[]) => unknown).bind(inner);
            if (name !== 'all' && name !== 'get') return bound;
            return (...args: unknown[]) => {
              ran.push({ sql, args });
              return bound(...args);
            };
          },
        });
      };
    },
  });
}

const HOUR = 3_600_000;
const START = Date.parse('2026-11-01T00:00:00Z');

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-plan-'));
  db = openDatabase(dataDir);
  table = requestsTable(recording(db));
  table.insertMany(
    Array.from({ length: 500 }, (_, index) => ({
      id: `req_${index}`,
      time: START + index * 60_000,
      app: `app${index % 5}`,
      route: `route${index % 3}`,
      vendor: 'openai',
      model: `model-${index % 7}`,
      upstreamModel: null,
      endpoint: 'chat.completions' as const,
      stream: false,
      status: index % 10 === 0 ? 502 : 200,
      errorCode: null,
      errorMessage: index % 10 === 0 ? `upstream failed ${index}` : null,
      session: index % 4 === 0 ? `session-${index % 9}` : null,
      inputTokens: 1,
      outputTokens: 1,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
      latencyMs: 10,
      ttfbMs: 5,
      partial: false,
    })),
  );
});
afterAll(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The plan of every statement on `requests` that reading the filter ran, one line per statement. */
function plans(read: () => void): string[] {
  ran.length = 0;
  read();
  return ran
    .filter((statement) => /FROM requests/.test(statement.sql))
    .map((statement) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.args) as { detail: string }[])
        .map((step) => step.detail)
        .join(' | '),
    );
}

const range = { from: START + 2 * HOUR, to: START + 4 * HOUR };

describe('the request log’s query plans', () => {
  it.each<[string, RequestFilter]>([
    ['a time range', range],
    ['a start alone', { from: range.from }],
    ['an app', { app: 'app1' }],
    ['a route', { route: 'route2' }],
    ['a model', { model: 'model-3' }],
    ['a session', { session: 'session-4' }],
    ['an app in a time range', { app: 'app1', ...range }],
    ['a route in a time range', { route: 'route2', ...range }],
    ['errors in a time range', { errors: true, ...range }],
    ['free text in a time range', { text: 'failed', ...range }],
  ])('reads %s through an index, in seq order, without a full scan or a sort', (_, filter) => {
    for (const read of [
      () => table.query({ ...filter, limit: 50 }),
      () => table.query({ ...filter, limit: 50, before: 'req_200' }),
      () => [...table.pages(filter, 20)],
    ]) {
      const seen = plans(read);
      expect(seen.length).toBeGreaterThan(0);
      for (const plan of seen) {
        // A bare "SEARCH requests" is MAX(seq) read from the end of the primary key.
        expect(plan).toMatch(/^SEARCH requests( USING |$)/);
        expect(plan).not.toMatch(/TEMP B-TREE/);
      }
    }
  });

  it('bounds a time range by seq from the covering time index, and walks the rows by primary key', () => {
    const [bounds, rows] = plans(() => table.query({ ...range, text: 'failed', limit: 50 }));
    expect(bounds).toBe('SEARCH requests USING COVERING INDEX requests_by_time (time>? AND time<?)');
    expect(rows).toBe('SEARCH requests USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)');
  });

  it('answers the same rows as a plain filter over the whole table would', () => {
    const filter: RequestFilter = { app: 'app0', errors: true, ...range };
    const expected = (
      db
        .prepare(
          `SELECT id FROM requests WHERE app = ? AND (status < 200 OR status > 299) AND time >= ? AND time < ?
           ORDER BY seq DESC`,
        )
        .all(filter.app, filter.from, filter.to) as { id: string }[]
    ).map((row) => row.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(table.query({ ...filter, limit: 1000 }).map((row) => row.id)).toEqual(expected);
    expect([...table.pages(filter, 1)].flat().map((row) => row.id)).toEqual(expected);
  });
});
