import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../gateway/store/database.ts';
import { createStore, type Store } from '../../../gateway/store/index.ts';
import type { RequestRecord } from '../../../gateway/store/types.ts';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-usage-'));
  store = createStore(openDatabase(dir));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function record(time: string, fields: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: `req_${counter++}`,
    time: Date.parse(time),
    app: 'ide',
    route: 'claude',
    vendor: 'anthropic',
    model: 'claude-sonnet-4-5',
    upstreamModel: 'claude-sonnet-4-5-20250929',
    endpoint: 'chat.completions',
    stream: false,
    status: 200,
    errorCode: null,
    inputTokens: 100,
    outputTokens: 10,
    cachedInputTokens: 20,
    reasoningTokens: 0,
    costUsd: 0.001,
    latencyMs: 100,
    ttfbMs: 50,
    partial: false,
    ...fields,
  };
}

describe('hourly rollups', () => {
  it('sum per day and per app, with errors, tokens, cost and average latency', () => {
    store.requests.insertMany([
      record('2026-11-02T09:15:00Z'),
      record('2026-11-02T09:45:00Z', { latencyMs: 300 }),
      record('2026-11-02T23:59:59Z', {
        app: 'agent',
        status: 429,
        errorCode: 'budget_exceeded',
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
      }),
      record('2026-11-03T00:00:00Z', { app: 'agent' }),
    ]);
    // A second batch for the same hour adds up, it does not replace.
    store.requests.insertMany([record('2026-11-02T09:50:00Z', { costUsd: null })]);
    const byApp = store.usage.series({
      from: Date.parse('2026-11-01T00:00:00Z'),
      to: Date.parse('2026-11-04T00:00:00Z'),
      bucket: 'day',
      groupBy: 'app',
    });
    expect(
      byApp.map((point) => [new Date(point.start).toISOString(), point.key, point.requests, point.errors]),
    ).toEqual([
      ['2026-11-02T00:00:00.000Z', 'agent', 1, 1],
      ['2026-11-02T00:00:00.000Z', 'ide', 3, 0],
      ['2026-11-03T00:00:00.000Z', 'agent', 1, 0],
    ]);
    const ide = byApp[1]!;
    expect(ide).toMatchObject({ inputTokens: 300, outputTokens: 30, cachedInputTokens: 60, unpriced: 1 });
    expect(ide.costUsd).toBeCloseTo(0.002, 12);
    expect(ide.latencyMsAvg).toBeCloseTo((100 + 300 + 100) / 3, 9);
  });

  it('buckets weeks from Monday and months from the first, in UTC', () => {
    store.requests.insertMany([
      record('2026-11-01T12:00:00Z'), // a Sunday
      record('2026-11-02T00:30:00Z'), // the Monday after
      record('2026-11-30T23:00:00Z'),
      record('2026-12-01T00:00:00Z'),
    ]);
    const range = {
      from: Date.parse('2026-10-01T00:00:00Z'),
      to: Date.parse('2027-01-01T00:00:00Z'),
      groupBy: 'none' as const,
    };
    const weeks = store.usage.series({ ...range, bucket: 'week' });
    expect(weeks.map((point) => [new Date(point.start).toISOString(), point.requests])).toEqual([
      ['2026-10-26T00:00:00.000Z', 1],
      ['2026-11-02T00:00:00.000Z', 1],
      ['2026-11-30T00:00:00.000Z', 2],
    ]);
    const months = store.usage.series({ ...range, bucket: 'month' });
    expect(months.map((point) => [new Date(point.start).toISOString(), point.requests])).toEqual([
      ['2026-11-01T00:00:00.000Z', 3],
      ['2026-12-01T00:00:00.000Z', 1],
    ]);
  });

  it('groups by the model as requested — an answer and a failure of one model are one series — and filters by route', () => {
    store.requests.insertMany([
      record('2026-11-02T09:00:00Z'),
      // A failure knows only the requested name (the vendor never named its model).
      record('2026-11-02T09:00:00Z', {
        upstreamModel: 'claude-sonnet-4-5',
        status: 529,
        errorCode: 'overloaded',
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
      }),
      record('2026-11-02T09:00:00Z', { route: 'gem', upstreamModel: null, model: 'gemini-2.5-flash' }),
      // No requested model (the models list): the vendor's name is the only one there is.
      record('2026-11-02T09:00:00Z', { route: 'gem', model: null, upstreamModel: 'gemini-2.5-pro' }),
    ]);
    const range = {
      from: Date.parse('2026-11-02T00:00:00Z'),
      to: Date.parse('2026-11-03T00:00:00Z'),
      bucket: 'day' as const,
    };
    expect(
      store.usage
        .series({ ...range, groupBy: 'model' })
        .map((point) => [point.key, point.requests, point.errors]),
    ).toEqual([
      ['claude-sonnet-4-5', 2, 1],
      ['gemini-2.5-flash', 1, 0],
      ['gemini-2.5-pro', 1, 0],
    ]);
    expect(
      store.usage.series({ ...range, groupBy: 'model', route: 'gem' }).map((point) => point.key),
    ).toEqual(['gemini-2.5-flash', 'gemini-2.5-pro']);
  });

  it('gives the median latency of the requests since a time', () => {
    expect(store.requests.medianLatencySince(0)).toBeNull();
    store.requests.insertMany(
      [10, 30, 20, 50, 40].map((latencyMs) => record('2026-11-02T09:00:00Z', { latencyMs })),
    );
    expect(store.requests.medianLatencySince(0)).toBe(30);
  });
});
