import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletion, sendJson, startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import {
  APP_KEY,
  VENDOR_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

/**
 * A request's budget is settled before its answer completes, so the next request never finds the
 * previous one's worst case still held (rows reach SQLite in batches, up to 20 ms later).
 */

let upstream: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startFakeServer((_request, response) =>
    sendJson(response, 200, chatCompletion('priced-model', 10, 5)),
  );
  gateway = await startTestGateway({
    routes: [
      {
        id: 'r',
        vendor: 'openai-compatible',
        baseUrl: `${upstream.origin}/v1`,
        apiKey: VENDOR_KEY,
        budget: { usd: 10, period: 'day' },
      },
    ],
    apps: [{ name: 'app', key: APP_KEY }],
    // Each request may cost up to $6 (30,000 output tokens at $200 per million): two cannot be held at once.
    prices: [{ model: 'priced-model', inputPerMTok: 100, outputPerMTok: 200 }],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

const chat = (stream: boolean) =>
  fetch(`${gateway.url}/openai/r/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'priced-model',
      max_tokens: 30_000,
      stream,
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  });

describe('budgets across requests in quick succession', () => {
  it('admits the next request at once: the previous one is settled at its real cost, not held at its worst case', async () => {
    for (let index = 0; index < 5; index++) {
      const response = await chat(false);
      expect(response.status).toBe(200);
      await response.text();
    }
    const rows = await requestRows(gateway, 5);
    expect(rows.every((row) => row['status'] === 200)).toBe(true);
  });
});
