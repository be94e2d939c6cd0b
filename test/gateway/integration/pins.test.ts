import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { GEMINI_KEY, startFakeGemini } from '../../support/fake-gemini.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { sendJson, type FakeServer } from '../../support/fake-server.ts';
import { fixtureChunks } from '../../support/fixtures.ts';
import {
  APP_KEY,
  requestRows,
  startTestGateway,
  VENDOR_KEY,
  type TestGateway,
} from '../../support/gateway.ts';

// Two guarantees that once had no test: the vendor's Retry-After reaches the client with the
// error it came with, and a stream cut before the vendor reported usage still records the
// request's input tokens (counted from the request).

let openaiFake: FakeOpenAi;
let anthropicFake: FakeServer;
let geminiFake: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  [openaiFake, anthropicFake, geminiFake] = await Promise.all([
    startFakeOpenAi(),
    startFakeAnthropic(),
    startFakeGemini(),
  ]);
  gateway = await startTestGateway({
    routes: [
      { id: 'oa', vendor: 'openai', baseUrl: openaiFake.url, apiKey: VENDOR_KEY },
      { id: 'claude', vendor: 'anthropic', baseUrl: anthropicFake.origin, apiKey: ANTHROPIC_KEY },
      { id: 'gem', vendor: 'gemini', baseUrl: geminiFake.origin, apiKey: GEMINI_KEY },
    ],
    apps: [{ name: 'app', key: APP_KEY }],
  });
});

afterEach(() => {
  for (const fake of [openaiFake, anthropicFake, geminiFake]) fake.respond(null);
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([openaiFake.close(), anthropicFake.close(), geminiFake.close()]);
});

const post = (path: string, body: unknown) =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const hello = [{ role: 'user', content: 'Invent a holiday for lighthouse keepers.' }];

/** Each vendor's own 429, as its API sends it, with a Retry-After header (and no RetryInfo: the header is the only source). */
const RATE_LIMITED: Array<{
  vendor: string;
  route: string;
  fake: () => FakeServer;
  retryAfter: string;
  answer: (response: ServerResponse, retryAfter: string) => void;
  proxyPath: string;
  proxyBody: unknown;
}> = [
  {
    vendor: 'openai',
    route: 'oa',
    fake: () => openaiFake,
    retryAfter: '17',
    answer: (response, retryAfter) =>
      sendJson(
        response,
        429,
        {
          error: {
            message: 'Rate limit reached for gpt-4.1-nano on requests per min (RPM): Limit 3, Used 3.',
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
        { 'retry-after': retryAfter },
      ),
    proxyPath: 'chat/completions',
    proxyBody: { model: 'gpt-4.1-nano', messages: hello },
  },
  {
    vendor: 'anthropic',
    route: 'claude',
    fake: () => anthropicFake,
    retryAfter: '23',
    answer: (response, retryAfter) =>
      sendJson(
        response,
        429,
        {
          type: 'error',
          error: {
            type: 'rate_limit_error',
            message: 'Number of request tokens has exceeded your rate limit.',
          },
        },
        { 'retry-after': retryAfter },
      ),
    proxyPath: 'v1/messages',
    proxyBody: { model: 'claude-sonnet-4-5', max_tokens: 64, messages: hello },
  },
  {
    vendor: 'gemini',
    route: 'gem',
    fake: () => geminiFake,
    retryAfter: '31',
    answer: (response, retryAfter) =>
      sendJson(
        response,
        429,
        {
          error: {
            code: 429,
            message: 'You exceeded your current quota, please check your plan.',
            status: 'RESOURCE_EXHAUSTED',
          },
        },
        { 'retry-after': retryAfter },
      ),
    proxyPath: 'v1beta/models/gemini-2.5-flash:generateContent',
    proxyBody: { contents: [{ role: 'user', parts: [{ text: 'Invent a holiday.' }] }] },
  },
];

const modelFor = { oa: 'gpt-4.1-nano', claude: 'claude-sonnet-4-5', gem: 'gemini-2.5-flash' } as const;

describe.each(RATE_LIMITED)("the vendor's Retry-After reaches the client: $vendor", (vendor) => {
  it('on /openai, with the mapped 429', async () => {
    vendor.fake().respond((_request, response) => vendor.answer(response, vendor.retryAfter));
    const response = await post(`/openai/${vendor.route}/v1/chat/completions`, {
      model: modelFor[vendor.route as keyof typeof modelFor],
      messages: hello,
    });
    const body = (await response.json()) as { error: { message: string } };
    expect(response.status).toBe(429);
    expect(body.error.message).toMatch(/rate limit|quota/i);
    expect(response.headers.get('retry-after')).toBe(vendor.retryAfter);
  });

  it('on a stream request to /openai (refused before the first byte)', async () => {
    vendor.fake().respond((_request, response) => vendor.answer(response, vendor.retryAfter));
    const response = await post(`/openai/${vendor.route}/v1/chat/completions`, {
      model: modelFor[vendor.route as keyof typeof modelFor],
      messages: hello,
      stream: true,
    });
    await response.text();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(vendor.retryAfter);
  });

  it('on /proxy, passed through', async () => {
    vendor.fake().respond((_request, response) => vendor.answer(response, vendor.retryAfter));
    const response = await post(`/proxy/${vendor.route}/${vendor.proxyPath}`, vendor.proxyBody);
    await response.text();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(vendor.retryAfter);
  });
});

describe('a stream cut before the vendor reported usage still records its input tokens', () => {
  /** The first chunk of a real answer (no usage in it), then the upstream's connection drops. */
  const dieAfterOneChunk = () =>
    openaiFake.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const [first] = fixtureChunks('openai/openai-text.chunks.txt');
      expect(first).not.toContain('"prompt_tokens"');
      response.write(`data: ${first}\n\n`);
      setTimeout(() => response.socket?.destroy(), 20);
    });

  it('on /openai', async () => {
    dieAfterOneChunk();
    const response = await post('/openai/oa/v1/chat/completions', {
      model: 'gpt-4.1-nano',
      messages: hello,
      stream: true,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"upstream_error"');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'chat.completions', route: 'oa', stream: true, partial: true });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });

  it('on /proxy', async () => {
    dieAfterOneChunk();
    const response = await post('/proxy/oa/chat/completions', {
      model: 'gpt-4.1-nano',
      messages: hello,
      stream: true,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"upstream_error"');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'proxy', route: 'oa', stream: true, partial: true });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });
});
