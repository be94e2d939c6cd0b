import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../gateway/store/index.ts';
import type { RequestRecord } from '../../../gateway/store/types.ts';
import { latencyQueries, percentile } from '../../../gateway/store/usage.ts';
import { startTestGateway, type TestGateway } from '../../support/gateway.ts';

const HOUR = 3_600_000;
const NINE = Date.parse('2026-11-02T09:00:00Z');
const PERIOD = 'from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z';

function record(id: string, fields: Partial<RequestRecord>): RequestRecord {
  return {
    id,
    time: NINE + 60_000,
    app: 'ide',
    route: 'openai',
    vendor: 'openai',
    model: 'gpt-4o-mini',
    upstreamModel: 'gpt-4o-mini-2024-07-18',
    endpoint: 'chat.completions',
    stream: false,
    status: 200,
    errorCode: null,
    inputTokens: 10,
    outputTokens: 5,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.001,
    latencyMs: 100,
    ttfbMs: 100,
    partial: false,
    ...fields,
  };
}

/**
 * gpt-4o-mini at 09:00: 100 answers taking 10, 20, … 1000 ms (one asked for as "fast"), a failure
 * and a cut request that the percentiles leave out. claude at 11:00: four streams.
 */
function rows(): RequestRecord[] {
  const mini = Array.from({ length: 100 }, (_, index) =>
    record(`mini-${index}`, {
      latencyMs: (100 - index) * 10,
      requestedModel: index === 0 ? 'fast' : null,
    }),
  );
  const claude = [
    [1000, 100, 90],
    [2000, 200, 360],
    [3000, 300, 270],
    [4000, 400, 720],
  ].map(([latencyMs, ttfbMs, outputTokens], index) =>
    record(`claude-${index}`, {
      time: NINE + 2 * HOUR + index,
      route: 'claude',
      vendor: 'anthropic',
      model: 'claude-sonnet-4-5',
      upstreamModel: 'claude-sonnet-4-5-20250929',
      stream: true,
      latencyMs,
      ttfbMs,
      outputTokens,
      costUsd: 0.01,
    }),
  );
  return [
    ...mini,
    record('mini-failed', {
      status: 500,
      latencyMs: 1,
      upstreamModel: null,
      costUsd: null,
      inputTokens: null,
    }),
    record('mini-cut', { partial: true, latencyMs: 1 }),
    ...claude,
  ];
}

const FOURTH = Date.parse('2026-11-04T09:00:00Z');
const FOURTH_PERIOD = 'from=2026-11-04T00:00:00Z&to=2026-11-05T00:00:00Z';

/**
 * Two days later, Switchboard's own time. 09:00: answers that added 10, 30 and 60 ms, one that did
 * not record the vendors' time (5 s, which would show if it were counted) and a failure. 10:00: one
 * whose vendor time came out above its latency (0, not below) beside one without. 11:00: none recorded.
 */
function ownTimeRows(): RequestRecord[] {
  const at = (hour: number, index: number) => FOURTH + hour * HOUR + index;
  return [
    record('own-10', { time: at(0, 0), latencyMs: 100, upstreamMs: 90 }),
    record('own-30', { time: at(0, 1), latencyMs: 200, upstreamMs: 170 }),
    record('own-60', { time: at(0, 2), latencyMs: 300, upstreamMs: 240 }),
    record('own-unknown', { time: at(0, 3), latencyMs: 5000, upstreamMs: null }),
    record('own-failed', { time: at(0, 4), status: 500, latencyMs: 900, upstreamMs: 100 }),
    record('own-over', { time: at(1, 0), latencyMs: 50, upstreamMs: 55.5 }),
    record('own-unknown-2', { time: at(1, 1), latencyMs: 80 }),
    record('own-none', { time: at(2, 0), latencyMs: 70, upstreamMs: null }),
  ];
}

describe('the latency and model comparison API, on known rows', () => {
  let gateway: TestGateway;
  const get = async (path: string) => {
    const response = await fetch(`${gateway.url}/admin/api${path}`, {
      headers: { authorization: `Bearer ${gateway.adminToken}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    gateway = await startTestGateway({});
    const store = openStore(gateway.dataDir);
    store.requests.insertMany([...rows(), ...ownTimeRows()]);
    store.close();
  });
  afterAll(() => gateway.stop());

  it('gives exact percentiles per hour and model, answered and complete requests only', async () => {
    const { status, body } = await get(`/usage/latency?${PERIOD}&bucket=hour&groupBy=model`);
    expect(status).toBe(200);
    expect(body['sample']).toEqual({ rows: 104, fraction: 1 });
    expect(body['data']).toEqual([
      {
        start: '2026-11-02T09:00:00.000Z',
        key: 'gpt-4o-mini',
        requests: 100,
        latencyMs: { p50: 510, p95: 960, p99: 1000 },
        ttftMs: null,
        streams: 0,
        tokensPerSecond: null,
        gatewayMs: null,
      },
      {
        start: '2026-11-02T11:00:00.000Z',
        key: 'claude-sonnet-4-5',
        requests: 4,
        latencyMs: { p50: 3000, p95: 4000, p99: 4000 },
        ttftMs: { p50: 300, p95: 400, p99: 400 },
        streams: 4,
        // 90 tokens in 0.9 s, 360 in 1.8 s, 270 in 2.7 s, 720 in 3.6 s: 100, 200, 100, 200 per second.
        tokensPerSecond: 200,
        gatewayMs: null,
      },
    ]);
  });

  it('groups by route or not at all, per day', async () => {
    const byRoute = await get(`/usage/latency?${PERIOD}&bucket=day&groupBy=route`);
    expect(
      (byRoute.body['data'] as { key: string; start: string; requests: number }[]).map((point) => [
        point.start,
        point.key,
        point.requests,
      ]),
    ).toEqual([
      ['2026-11-02T00:00:00.000Z', 'claude', 4],
      ['2026-11-02T00:00:00.000Z', 'openai', 100],
    ]);
    const all = await get(`/usage/latency?${PERIOD}&bucket=day&groupBy=none`);
    const [point] = all.body['data'] as { key: string; requests: number; latencyMs: unknown }[];
    // 104 values, counted from 0: the 52nd is 530 ms, the 98th 990 ms, the 102nd the 3000 ms stream.
    expect(point).toMatchObject({ key: '', requests: 104, latencyMs: { p50: 530, p95: 990, p99: 3000 } });
  });

  it("gives Switchboard's own time per bucket, of the requests that recorded the vendors' time", async () => {
    const { body } = await get(`/usage/latency?${FOURTH_PERIOD}&bucket=hour&groupBy=model`);
    expect(
      (body['data'] as { start: string; latencyMs: unknown; gatewayMs: unknown }[]).map((point) => [
        point.start,
        point.latencyMs,
        point.gatewayMs,
      ]),
    ).toEqual([
      // 10, 30 and 60 ms added; the latency's percentiles still count the row without the vendors' time.
      ['2026-11-04T09:00:00.000Z', { p50: 300, p95: 5000, p99: 5000 }, { p50: 30, p95: 60, p99: 60 }],
      ['2026-11-04T10:00:00.000Z', { p50: 80, p95: 80, p99: 80 }, { p50: 0, p95: 0, p99: 0 }],
      ['2026-11-04T11:00:00.000Z', { p50: 70, p95: 70, p99: 70 }, null],
    ]);
    const day = await get(`/usage/latency?${FOURTH_PERIOD}&bucket=day&groupBy=none`);
    // 0, 10, 30, 60 ms: the day's p50 at rank 2, its p95 at rank 3.
    expect((day.body['data'] as { gatewayMs: unknown }[]).map((point) => point.gatewayMs)).toEqual([
      { p50: 30, p95: 60, p99: 60 },
    ]);
  });

  it('compares models: totals from every request, percentiles from the answered ones, the vendor’s names', async () => {
    const { status, body } = await get(`/usage/models?${PERIOD}&groupBy=model`);
    expect(status).toBe(200);
    expect(body['data']).toEqual([
      {
        key: 'gpt-4o-mini',
        requests: 102,
        errors: 1,
        errorRate: 1 / 102,
        costUsd: expect.closeTo(0.101, 9),
        unpriced: 0,
        inputTokens: 1010,
        outputTokens: 510,
        latencyMsP50: 510,
        latencyMsP95: 960,
        ttftMsP50: null,
        tokensPerSecond: null,
        gatewayMsP50: null,
        upstreamModels: ['gpt-4o-mini-2024-07-18'],
        requestedAs: ['fast'],
      },
      {
        key: 'claude-sonnet-4-5',
        requests: 4,
        errors: 0,
        errorRate: 0,
        costUsd: expect.closeTo(0.04, 9),
        unpriced: 0,
        inputTokens: 40,
        outputTokens: 1440,
        latencyMsP50: 3000,
        latencyMsP95: 4000,
        ttftMsP50: 300,
        tokensPerSecond: 200,
        gatewayMsP50: null,
        upstreamModels: ['claude-sonnet-4-5-20250929'],
        requestedAs: [],
      },
    ]);
  });

  it('compares routes, and filters by app', async () => {
    const byRoute = await get(`/usage/models?${PERIOD}&groupBy=route`);
    expect(
      (byRoute.body['data'] as { key: string; requests: number }[]).map((row) => [row.key, row.requests]),
    ).toEqual([
      ['openai', 102],
      ['claude', 4],
    ]);
    const other = await get(`/usage/models?${PERIOD}&groupBy=route&app=nobody`);
    expect(other.body).toEqual({ data: [], sample: { rows: 0, fraction: 1 } });
  });

  it('refuses a grouping or bucket it does not have', async () => {
    expect((await get(`/usage/latency?${PERIOD}&bucket=month`)).status).toBe(400);
    expect((await get(`/usage/models?${PERIOD}&groupBy=none`)).status).toBe(400);
    expect((await get(`/usage/latency?from=yesterday`)).status).toBe(400);
  });
});

describe('latency over more rows than the cap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-latency-'));
  const store = openStore(dir);
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a sample spread evenly over the period, and says so', () => {
    // Two models taking turns: a sample of every n-th row (n even) would see only one of them.
    store.requests.insertMany(
      Array.from({ length: 1000 }, (_, index) =>
        record(`row-${index}`, { latencyMs: index + 1, model: index % 2 === 0 ? 'even' : 'odd' }),
      ),
    );
    const queries = latencyQueries(store.db, 100);
    const { points, sample } = queries.series({
      from: NINE,
      to: NINE + HOUR,
      bucket: 'hour',
      groupBy: 'none',
    });
    expect(sample.fraction).toBe(0.1);
    expect(sample.rows).toBeGreaterThanOrEqual(95);
    expect(sample.rows).toBeLessThanOrEqual(105);
    // Latencies 1 to 1000 ms: the sample's percentiles fall near the whole period's.
    const latency = points[0]!.latencyMs;
    expect(Math.abs(latency.p50 - 500)).toBeLessThan(50);
    expect(Math.abs(latency.p95 - 950)).toBeLessThan(30);
    const models = queries.comparison({ from: NINE, to: NINE + HOUR, groupBy: 'model' }).rows;
    expect(models.map((row) => [row.key, row.requests])).toEqual([
      ['even', 500],
      ['odd', 500],
    ]);
    // Percentiles for both, each from about half the sample.
    for (const row of models) expect(Math.abs(row.latencyMsP50! - 500)).toBeLessThan(80);
  });

  it('takes the value at rank floor(p × n)', () => {
    const sorted = Float64Array.from([1, 2, 3, 4]);
    expect([0.5, 0.95, 0.99].map((p) => percentile(sorted, p))).toEqual([3, 4, 4]);
    expect(percentile(Float64Array.from([7]), 0.99)).toBe(7);
  });
});
