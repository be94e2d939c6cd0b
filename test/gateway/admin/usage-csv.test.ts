import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvNumber } from '../../../gateway/admin/csv.ts';
import { openStore } from '../../../gateway/store/index.ts';
import type { RequestRecord } from '../../../gateway/store/types.ts';
import { startTestGateway, type TestGateway } from '../../support/gateway.ts';

let gateway: TestGateway;

const HOUR = Date.parse('2026-11-02T09:00:00Z');
const DAY = 24 * 3600 * 1000;

function record(id: string, fields: Partial<RequestRecord>): RequestRecord {
  return {
    id,
    time: HOUR + 60_000,
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
    outputTokens: 1,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    latencyMs: 100,
    ttfbMs: 50,
    partial: false,
    ...fields,
  };
}

beforeAll(async () => {
  gateway = await startTestGateway({});
  // Rows written straight into the gateway's database (a second connection, as a second process would).
  const store = openStore(gateway.dataDir);
  store.requests.insertMany([
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
    record('a', { costUsd: 0.1, latencyMs: 100 }),
    record('b', { costUsd: 0.2, latencyMs: 200 }),
    record('c', { costUsd: 0, latencyMs: 200 }),
    // A cost so small that JavaScript would write it in exponent form.
    record('d', { model: 'gpt-4.1-nano', upstreamModel: 'gpt-4.1-nano', costUsd: 1e-7 }),
    // A model name is the client's to choose where the route lists no models: a day of its own.
    record('e', { time: HOUR + DAY, model: '=HYPERLINK("x")', upstreamModel: '=HYPERLINK("x")' }),
  ]);
  store.close();
});
afterAll(() => gateway.stop());

describe('the usage CSV export', () => {
  it('writes costs and averages rounded to a fixed precision, with no float noise and no exponents', async () => {
    const response = await fetch(
      `${gateway.url}/admin/api/usage.csv?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&bucket=day&groupBy=model`,
      { headers: { authorization: `Bearer ${gateway.adminToken}` } },
    );
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\n');
    expect(lines).toEqual([
      'start,key,requests,errors,inputTokens,outputTokens,cachedInputTokens,reasoningTokens,costUsd,unpriced,latencyMsAvg',
      '2026-11-02T00:00:00.000Z,gpt-4.1-nano,1,0,10,1,0,0,0.0000001,0,100',
      '2026-11-02T00:00:00.000Z,gpt-4o-mini,3,0,30,3,0,0,0.3,0,166.667',
    ]);
  });

  it('writes a model name a spreadsheet would run as a formula as text', async () => {
    const response = await fetch(
      `${gateway.url}/admin/api/usage.csv?from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z&bucket=day&groupBy=model`,
      { headers: { authorization: `Bearer ${gateway.adminToken}` } },
    );
    const lines = (await response.text()).trim().split('\n');
    expect(lines[1]).toBe('2026-11-03T00:00:00.000Z,"\'=HYPERLINK(""x"")",1,0,10,1,0,0,0,0,100');
  });
});

describe('csvNumber', () => {
  it('rounds to the given places and trims trailing zeros', () => {
    expect(csvNumber(0.006614050000000001, 10)).toBe('0.00661405');
    expect(csvNumber(0.30000000000000004, 10)).toBe('0.3');
    expect(csvNumber(12, 10)).toBe('12');
    expect(csvNumber(0, 10)).toBe('0');
    expect(csvNumber(1e-7, 10)).toBe('0.0000001');
    expect(csvNumber(4e-11, 10)).toBe('0');
    expect(csvNumber(-1e-12, 10)).toBe('0');
    expect(csvNumber(1500.5, 3)).toBe('1500.5');
    expect(csvNumber(100, 3)).toBe('100');
  });
});
