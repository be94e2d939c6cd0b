import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletion, sendJson, startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import { APP_KEY, requestRows, startTestGateway, type TestGateway } from '../../support/gateway.ts';

/*
 * Issue 15: the vendors' time apart from Switchboard's own. An upstream that takes a known time
 * (to answer whole, or to stream its events) shows in the row's upstreamMs, and the rest of the
 * latency, gatewayMs, is small; a failed call's time counts as the vendor's too.
 */

const HOLD_MS = 150;
let upstream: FakeServer;
let gateway: TestGateway;
let failNext = 0;

beforeAll(async () => {
  upstream = await startFakeServer(async (request, response) => {
    await sleep(HOLD_MS);
    if (failNext > 0) {
      failNext--;
      return sendJson(response, 503, { error: { message: 'busy', type: 'server_error' } });
    }
    if (request.body?.['stream'] !== true) return sendJson(response, 200, chatCompletion('m', 5, 2));
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const word of ['one', 'two', 'three']) {
      const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
      response.write(
        `data: ${JSON.stringify({ ...chunk, choices: [{ index: 0, delta: { content: word } }] })}\n\n`,
      );
      await sleep(HOLD_MS / 3);
    }
    response.end('data: [DONE]\n\n');
  });
  gateway = await startTestGateway({
    routes: [
      { id: 'r', vendor: 'openai-compatible', baseUrl: `${upstream.origin}/v1`, apiKey: 'sk-key-0123456789' },
    ],
    apps: [{ name: 'a', key: APP_KEY }],
    server: { retry: { maxDelayMs: 10 } },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

const chat = async (stream: boolean) => {
  const response = await fetch(`${gateway.url}/openai/r/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: 'Hi' }] }),
  });
  await response.text();
  return (await requestRows(gateway, 1))[0]!;
};

describe("the vendors' time and Switchboard's own", () => {
  for (const stream of [false, true]) {
    it(`are told apart on a ${stream ? 'streamed' : 'whole'} answer`, async () => {
      const row = await chat(stream);
      const upstreamMs = row['upstreamMs'] as number;
      const gatewayMs = row['gatewayMs'] as number;
      // Held for HOLD_MS before its headers, and (streamed) HOLD_MS more over its events.
      expect(upstreamMs).toBeGreaterThanOrEqual(stream ? 2 * HOLD_MS - 5 : HOLD_MS - 5);
      expect(gatewayMs).toBeGreaterThanOrEqual(0);
      expect(gatewayMs).toBeLessThan(upstreamMs);
    });
  }

  it('counts a failed call as the vendor’s time too', async () => {
    failNext = 1;
    const row = await chat(false);
    expect((row['attempts'] as unknown[]).length).toBe(2);
    expect(row['upstreamMs'] as number).toBeGreaterThanOrEqual(2 * HOLD_MS - 5);
  });

  it("shows in the model comparison: Switchboard's p50 apart, below the whole", async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const response = await fetch(
      `${gateway.url}/admin/api/usage/models?from=${from}&to=${to}&groupBy=model`,
      { headers: { authorization: `Bearer ${gateway.adminToken}` } },
    );
    const rows = ((await response.json()) as { data: Record<string, unknown>[] }).data;
    const model = rows.find((row) => row['key'] === 'm')!;
    expect(model['gatewayMsP50']).toBeTypeOf('number');
    expect(model['gatewayMsP50'] as number).toBeLessThan(model['latencyMsP50'] as number);
  });
});
