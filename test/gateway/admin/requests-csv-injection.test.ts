import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../gateway/store/index.ts';
import type { RequestRecord } from '../../../gateway/store/types.ts';
import { startTestGateway, type TestGateway } from '../../support/gateway.ts';

/** The log's text comes from vendors and clients: none of it may run as a spreadsheet formula. */

let gateway: TestGateway;

const row = (id: string, fields: Partial<RequestRecord>): RequestRecord => ({
  id,
  time: Date.parse('2026-11-02T09:00:00Z'),
  app: 'ide',
  route: 'openai',
  vendor: 'openai',
  model: 'gpt-4o-mini',
  upstreamModel: 'gpt-4o-mini',
  endpoint: 'chat.completions',
  stream: false,
  status: 502,
  errorCode: 'upstream_error',
  inputTokens: null,
  outputTokens: null,
  cachedInputTokens: null,
  reasoningTokens: null,
  costUsd: null,
  latencyMs: 12,
  ttfbMs: null,
  partial: false,
  ...fields,
});

beforeAll(async () => {
  gateway = await startTestGateway({});
  const store = openStore(gateway.dataDir);
  store.requests.insertMany([
    row('req_formula', { errorMessage: '=HYPERLINK("http://evil.example","click")' }),
    row('req_plus', { errorMessage: '+1+1', session: '@SUM(A1)', model: '-2+3' }),
    row('req_plain', { errorMessage: 'upstream busy', status: 503 }),
  ]);
  store.close();
});
afterAll(() => gateway.stop());

describe('the CSV export', () => {
  it('prefixes text a spreadsheet would run as a formula, and leaves the rest as it is', async () => {
    const response = await fetch(`${gateway.url}/admin/api/requests.csv?app=ide`, {
      headers: { authorization: `Bearer ${gateway.adminToken}` },
    });
    const text = await response.text();
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).toContain("'+1+1");
    expect(text).toContain("'@SUM(A1)");
    expect(text).toContain("'-2+3");
    expect(text).toContain(',upstream busy,');
    // Numbers are numbers still.
    expect(text).toMatch(/,502,/);
    expect(text).not.toMatch(/(^|,)=/m);
  });
});
