import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VendorId } from '../../../gateway/domain.ts';
import type { FormatId } from '../../../gateway/formats/types.ts';
import { providerFor, type Provider } from '../../../gateway/providers/index.ts';
import { fixtureChunks, fixtureJson } from '../../support/fixtures.ts';
import { sendJson, startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import { APP_KEY, requestRows, startTestGateway, type TestGateway } from '../../support/gateway.ts';

/**
 * The exchange with a provider it has never heard of: where the call goes, how it is signed and
 * which format it speaks come from the provider alone. Two routes use it, one speaking OpenAI's
 * format (pass-through on /proxy) and one Anthropic's (translated on /openai).
 */

const ROUTE_KEY = 'acme-route-key-5f4e3d2c1b';

function acmeProvider(id: VendorId, format: FormatId): Provider {
  return {
    id,
    format,
    path: (target) => `acme/${target.operation}${target.stream ? '?live=1' : ''}`,
    // Async, as a request signature or an OAuth token would be.
    authorize: async (apiKey): Promise<Record<string, string>> => {
      await new Promise((resolve) => setImmediate(resolve));
      return apiKey ? { 'x-acme-signature': `signed:${apiKey}` } : {};
    },
    alsoSpeaks: {},
    defaultHeaders: { 'x-acme-version': '7' },
    framing: 'sse',
    readPath: (path) => ({ model: null, stream: false, chat: path === 'acme/chat' }),
    isLocal: () => false,
    isFree: () => false,
    pricingId: null,
    tokenMargin: 1,
  };
}

/** The route `plain` speaks OpenAI's format through Acme, the route `claude` Anthropic's. */
const PROVIDERS: Partial<Record<VendorId, Provider>> = {
  'openai-compatible': acmeProvider('openai-compatible', 'openai-chat'),
  anthropic: acmeProvider('anthropic', 'anthropic-messages'),
};

const SSE_HEADERS = { 'content-type': 'text/event-stream' };

function anthropicEvents(response: ServerResponse, count = Infinity, cut = false): void {
  response.writeHead(200, SSE_HEADERS);
  const events = fixtureChunks('anthropic/anthropic-text.chunks.txt').slice(0, count);
  for (const data of events) {
    const type = (JSON.parse(data) as { type: string }).type;
    response.write(`event: ${type}\ndata: ${data}\n\n`);
  }
  // Cut once the events are out, as a dropped connection would.
  if (cut) setTimeout(() => response.socket?.destroy(), 50);
  else response.end();
}

let upstream: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startFakeServer((request, response) => {
    if (request.url.startsWith('/acme/chat') && request.body?.['messages'] && request.body['max_tokens']) {
      // Anthropic's shape (translated by the gateway).
      if (request.body['stream'] === true) return anthropicEvents(response);
      return sendJson(response, 200, fixtureJson('anthropic/anthropic-text.json'));
    }
    sendJson(response, 200, fixtureJson('openai/openai-text.json'));
  });
  gateway = await startTestGateway(
    {
      routes: [
        {
          id: 'plain',
          vendor: 'openai-compatible',
          baseUrl: upstream.origin,
          apiKey: ROUTE_KEY,
          models: ['*'],
        },
        {
          id: 'claude',
          vendor: 'anthropic',
          baseUrl: upstream.origin,
          apiKey: ROUTE_KEY,
          models: ['claude-*'],
        },
        {
          id: 'redacted',
          vendor: 'anthropic',
          baseUrl: upstream.origin,
          apiKey: ROUTE_KEY,
          models: ['claude-*'],
          filters: ['no-hello'],
        },
      ],
      apps: [{ name: 'tester', key: APP_KEY }],
      filters: [{ name: 'no-hello', kind: 'redact', patterns: ['Hello'] }],
    },
    {},
    { providers: (vendor) => PROVIDERS[vendor] ?? providerFor(vendor) },
  );
});

afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

afterEach(() => upstream.respond(null));

const chat = (route: string, body: Record<string, unknown>, signal?: AbortSignal) =>
  fetch(`${gateway.url}/openai/${route}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });

const hello = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] };

describe('the exchange with a fake provider', () => {
  it('passes a native call through unchanged, to the provider’s path, signed by the provider', async () => {
    const sent = '{"model":"m1",   "messages":[{"role":"user","content":"Hi"}]}';
    const response = await fetch(`${gateway.url}/proxy/plain/acme/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: sent,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(fixtureJson('openai/openai-text.json'));
    const seen = upstream.seen.at(-1)!;
    expect(seen.url).toBe('/acme/chat');
    expect(seen.headers['x-acme-signature']).toBe(`signed:${ROUTE_KEY}`);
    expect(seen.headers['x-acme-version']).toBe('7');
    expect(seen.headers['authorization']).toBeUndefined();
    const [row] = await requestRows(gateway, 1);
    const usage = (fixtureJson('openai/openai-text.json') as { usage: Record<string, number> }).usage;
    expect(row).toMatchObject({
      endpoint: 'proxy',
      route: 'plain',
      status: 200,
      model: 'm1',
      inputTokens: usage['prompt_tokens'],
      outputTokens: usage['completion_tokens'],
    });
  });

  it('translates through the hub to the provider’s format and records the answer', async () => {
    const response = await chat('claude', hello);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; choices: { message: { content: string } }[] };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]!.message.content).toMatch(/^Hello! I'm doing well/);
    const seen = upstream.seen.at(-1)!;
    expect(seen.url).toBe('/acme/chat');
    expect(seen.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: expect.any(Number) });
    expect(seen.headers['x-acme-signature']).toBe(`signed:${ROUTE_KEY}`);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      endpoint: 'chat.completions',
      route: 'claude',
      status: 200,
      upstreamModel: 'claude-sonnet-4-5-20250929',
      inputTokens: 12,
    });
  });

  it('streams a translated answer to the end, [DONE] last', async () => {
    const response = await chat('claude', { ...hello, stream: true });
    const text = await response.text();
    expect(upstream.seen.at(-1)!.url).toBe('/acme/chat?live=1');
    expect(text).toContain('chat.completion.chunk');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ status: 200, partial: false, inputTokens: 12 });
  });

  it('redacts once, in answers and in streams', async () => {
    const whole = (await (await chat('redacted', hello)).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(whole.choices[0]!.message.content).toMatch(/^\[REDACTED[^\]]*\]! I'm doing well/);
    const streamed = await (await chat('redacted', { ...hello, stream: true })).text();
    const content = streamed
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] })
      .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
      .join('');
    expect(content).not.toContain('Hello');
    expect(content).toMatch(/^\[REDACTED[^\]]*\]/);
  });

  it('answers a vendor error in the client’s format with the vendor’s status, and records it', async () => {
    upstream.respond((_request, response) =>
      sendJson(
        response,
        429,
        { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down, please.' } },
        { 'retry-after': '7' },
      ),
    );
    const response = await chat('claude', hello);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('Slow down, please.');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ status: 429, errorMessage: expect.stringContaining('Slow down') });
  });

  it('ends a stream the upstream cuts with an error event, and records it partial with its input tokens', async () => {
    upstream.respond((_request, response) => anthropicEvents(response, 4, true));
    const text = await (await chat('claude', { ...hello, stream: true })).text();
    expect(text).toContain('chat.completion.chunk');
    expect(text).toContain('"error"');
    expect(text).not.toContain('[DONE]');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ partial: true, errorCode: 'upstream_error', inputTokens: 12 });
  });

  it('counts a whole stream’s usage itself when the upstream reports none, and says it is estimated', async () => {
    upstream.respond((_request, response) => {
      response.writeHead(200, SSE_HEADERS);
      const chunk = (content: string, finish: string | null) =>
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm1',
          choices: [{ index: 0, delta: { content }, finish_reason: finish }],
        });
      response.end(
        `data: ${chunk('Twelve characters', null)}\n\ndata: ${chunk('', 'stop')}\n\ndata: [DONE]\n\n`,
      );
    });
    const response = await chat('plain', {
      model: 'm1',
      stream: true,
      messages: [{ role: 'user', content: 'Hi there' }],
    });
    expect(await response.text()).toContain('[DONE]');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      partial: false,
      outputTokens: 5,
      note: expect.stringContaining('estimated'),
    });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });

  it('aborts the upstream call when the client leaves, and records the request as cut by the client', async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => (closed = resolve));
    upstream.respond((_request, response) => {
      response.writeHead(200, SSE_HEADERS);
      const first = fixtureChunks('anthropic/anthropic-text.chunks.txt')[0]!;
      response.write(`event: message_start\ndata: ${first}\n\n`);
      response.on('close', closed);
    });
    const controller = new AbortController();
    const response = await chat('claude', { ...hello, stream: true }, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await upstreamClosed;
    await expect
      .poll(async () => (await requestRows(gateway, 1))[0], { timeout: 5000 })
      .toMatchObject({ partial: true, errorCode: 'client_closed', inputTokens: 12 });
  });
});
