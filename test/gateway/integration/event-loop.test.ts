import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletion, startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import {
  APP_KEY,
  VENDOR_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

/**
 * One request must never freeze every other (issue 9, item 4): hostile inputs go through while
 * /healthz is timed on the side. Token counting (a budget and a TPM limit are on), a huge single
 * upstream event, a huge upstream body.
 */

let upstream: FakeServer;
let gateway: TestGateway;
let hugeEventBytes = 0;
let hugeBodyBytes = 0;

function hugeEvent(response: ServerResponse) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const head =
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-nano","choices":[{"index":0,"delta":{"content":"';
  response.write(head);
  const piece = 'y'.repeat(64 * 1024);
  let sent = 0;
  const pump = () => {
    while (sent < hugeEventBytes) {
      sent += piece.length;
      if (!response.write(piece)) return void response.once('drain', pump);
    }
    response.end('"},"finish_reason":null}]}\n\ndata: [DONE]\n\n');
  };
  response.on('error', () => undefined);
  pump();
}

beforeAll(async () => {
  upstream = await startFakeServer((request, response) => {
    if (hugeEventBytes > 0 && request.body?.['stream'] === true) return hugeEvent(response);
    if (hugeBodyBytes > 0) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.on('error', () => undefined);
      response.write('{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"');
      const piece = 'z'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < hugeBodyBytes) {
          sent += piece.length;
          if (!response.write(piece)) return void response.once('drain', pump);
        }
        response.end('"}}]}');
      };
      return pump();
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(chatCompletion('gpt-4.1-nano', 5, 1)));
  });
  gateway = await startTestGateway({
    routes: [
      {
        id: 'main',
        vendor: 'openai',
        baseUrl: `${upstream.origin}/v1`,
        apiKey: VENDOR_KEY,
        budget: { usd: 1000, period: 'day' },
        rateLimit: { tpm: 100_000_000 },
      },
    ],
    apps: [{ name: 'app', key: APP_KEY }],
    server: { maxUpstreamBodyMb: 4, maxUpstreamEventMb: 4 },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

/** Polls /healthz every 10 ms while `work` runs; returns the slowest answer in ms. */
async function worstHealthz<T>(work: () => Promise<T>): Promise<{ result: T; worstMs: number }> {
  let running = true;
  let worstMs = 0;
  const poller = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${gateway.url}/healthz`);
      await response.text();
      worstMs = Math.max(worstMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  // Let the poller take its first measurement before the hostile request goes out.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const result = await work();
  await new Promise((resolve) => setTimeout(resolve, 30));
  running = false;
  await poller;
  return { result, worstMs };
}

const chat = (content: string, stream = false) =>
  fetch(`${gateway.url}/openai/main/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4.1-nano', stream, messages: [{ role: 'user', content }] }),
    signal: AbortSignal.timeout(20_000),
  });

const worst: Record<string, number> = {};

describe('hostile inputs do not freeze the event loop', () => {
  it.each([
    ['a 200 KB run of one letter', 'x'.repeat(200_000)],
    ['100 KB of base64 zeros', 'A'.repeat(100_000)],
    ['2 MB of digits', '7'.repeat(2_000_000)],
  ])('counts the tokens of %s for the budget without blocking /healthz', async (name, prompt) => {
    const { result, worstMs } = await worstHealthz(async () => {
      const response = await chat(prompt);
      return { status: response.status, text: await response.text() };
    });
    worst[name] = worstMs;
    expect(result.status).toBe(200);
    expect(worstMs).toBeLessThan(100);
  });

  it('ends a stream whose single event passes the cap, with an error event, without blocking /healthz', async () => {
    hugeEventBytes = 16 * 1024 * 1024;
    try {
      const { result, worstMs } = await worstHealthz(async () => {
        const response = await chat('hi', true);
        return await response.text();
      });
      worst['a 16 MiB event (cap 4 MiB)'] = worstMs;
      expect(result).toContain('larger than the limit');
      expect(result).not.toContain('data: [DONE]');
      expect(worstMs).toBeLessThan(100);
      const [row] = await requestRows(gateway, 1);
      expect(row).toMatchObject({ partial: true, errorCode: 'upstream_error' });
    } finally {
      hugeEventBytes = 0;
    }
  });

  it('refuses an upstream body past the cap with 502, reading no further', async () => {
    hugeBodyBytes = 64 * 1024 * 1024;
    try {
      const { result, worstMs } = await worstHealthz(async () => {
        const response = await chat('hi');
        return { status: response.status, body: (await response.json()) as { error: { message: string } } };
      });
      worst['a 64 MiB body (cap 4 MiB)'] = worstMs;
      expect(result.status).toBe(502);
      expect(result.body.error.message).toContain('maxUpstreamBodyMb');
      expect(worstMs).toBeLessThan(100);
    } finally {
      hugeBodyBytes = 0;
    }
  });

  afterAll(() => {
    console.log(`worst /healthz latency under hostile inputs (ms): ${JSON.stringify(worst)}`);
  });
});
