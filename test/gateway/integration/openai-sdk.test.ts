import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixtureChunks, fixtureJson } from '../../support/fixtures.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import {
  ADMIN_TOKEN,
  APP_KEY,
  OTHER_APP_KEY,
  VENDOR_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

let fake: FakeOpenAi;
let slow: Server;
let gateway: TestGateway;

const client = (path = '/openai/main/v1', apiKey = APP_KEY) =>
  new OpenAI({ baseURL: `${gateway.url}${path}`, apiKey, maxRetries: 0 });

const hello = [{ role: 'user' as const, content: 'Invent a holiday.' }];

beforeAll(async () => {
  fake = await startFakeOpenAi();
  // An upstream that accepts connections but never answers: for the 504 row.
  slow = createServer(() => undefined);
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  const slowPort = (slow.address() as AddressInfo).port;
  gateway = await startTestGateway(
    {
      routes: [
        {
          id: 'main',
          vendor: 'openai',
          baseUrl: fake.url,
          apiKey: 'env:TEST_VENDOR_KEY',
          models: ['gpt-4.1*', 'text-embedding-*', 'deepseek-*'],
          defaultModel: 'gpt-4.1-nano',
        },
        {
          id: 'other',
          vendor: 'openai-compatible',
          baseUrl: fake.url,
          models: ['only-this', 'gpt-4.1-mini'],
        },
        // Port 1 on loopback refuses connections.
        {
          id: 'dead',
          vendor: 'openai-compatible',
          baseUrl: 'http://127.0.0.1:1/v1',
          models: ['local-*', 'local-model'],
        },
        {
          id: 'slow',
          vendor: 'openai-compatible',
          baseUrl: `http://127.0.0.1:${slowPort}/v1`,
          timeouts: { headersMs: 300 },
        },
      ],
      apps: [
        { name: 'tester', key: APP_KEY, routes: ['main', 'other', 'dead', 'slow'] },
        { name: 'limited', key: OTHER_APP_KEY, routes: ['other'] },
      ],
      server: { maxBodyMb: 0.01, corsOrigins: ['http://localhost:5173'] },
    },
    { TEST_VENDOR_KEY: VENDOR_KEY },
  );
});

afterAll(async () => {
  await gateway.stop();
  await fake.close();
  slow.closeAllConnections();
  await new Promise((resolve) => slow.close(resolve));
});

beforeEach(() => {
  fake.respond(null);
  fake.seen.length = 0;
});

describe('chat completions through the OpenAI SDK', () => {
  it('answers a non-streamed request and records tokens, cost and latency', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-4.1-nano', messages: hello });
    const recorded = fixtureJson('openai/openai-text.json') as unknown as OpenAI.ChatCompletion;
    expect(completion.choices[0]?.message.content).toBe(recorded.choices[0]?.message.content);
    expect(completion.usage?.completion_tokens).toBe(363);

    const seen = fake.seen[0]!;
    expect(seen.headers['authorization']).toBe(`Bearer ${VENDOR_KEY}`);
    expect(JSON.stringify(seen.headers)).not.toContain(APP_KEY);
    expect(seen.body?.['model']).toBe('gpt-4.1-nano');

    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      app: 'tester',
      route: 'main',
      vendor: 'openai',
      model: 'gpt-4.1-nano',
      upstreamModel: 'gpt-4.1-nano-2025-04-14',
      endpoint: 'chat.completions',
      stream: false,
      status: 200,
      errorCode: null,
      inputTokens: 16,
      outputTokens: 363,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      partial: false,
    });
    // gpt-4.1-nano: $0.10 per million input tokens, $0.40 per million output tokens.
    expect(row!['costUsd']).toBeCloseTo((16 * 0.1 + 363 * 0.4) / 1e6, 12);
    expect(row!['latencyMs']).toBeGreaterThan(0);
    expect(new Date(row!['time'] as string).toISOString()).toBe(row!['time']);
  });

  it('uses the route default model when the request names none', async () => {
    await client().chat.completions.create({
      messages: hello,
    } as unknown as ChatCompletionCreateParamsNonStreaming);
    expect(fake.seen[0]?.body?.['model']).toBe('gpt-4.1-nano');
  });

  it('streams, asks upstream for usage, and drops the usage chunk the client did not ask for', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4.1-nano',
      messages: hello,
      stream: true,
    });
    let text = '';
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    const expected = fixtureChunks('openai/openai-text.chunks.txt')
      .map((line) => JSON.parse(line) as OpenAI.ChatCompletionChunk)
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe(expected);
    expect(chunks.some((chunk) => chunk.choices.length === 0)).toBe(false);
    expect(fake.seen[0]?.body?.['stream_options']).toEqual({ include_usage: true });

    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      stream: true,
      status: 200,
      inputTokens: 16,
      outputTokens: 300,
      partial: false,
    });
    expect(row!['ttfbMs']).not.toBeNull();
    expect(row!['costUsd']).toBeGreaterThan(0);
  });

  it('passes the usage chunk on when the client asked for it', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4.1-nano',
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: 16, completion_tokens: 300 });
  });

  it('delivers each streamed event as it arrives, not at the end', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.respond(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const [first, ...rest] = fixtureChunks('openai/openai-text.chunks.txt');
      response.write(`data: ${first}\n\n`);
      await gate;
      for (const line of rest) response.write(`data: ${line}\n\n`);
      response.end('data: [DONE]\n\n');
    });
    const stream = await client().chat.completions.create({
      model: 'gpt-4.1-nano',
      messages: hello,
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    // The upstream is still holding the rest back: the first chunk cannot have been buffered.
    expect(first.value?.choices[0]?.delta.role).toBe('assistant');
    release();
    let count = 1;
    while (!(await iterator.next()).done) count++;
    expect(count).toBeGreaterThan(50);
  });
});

describe('tool calls', () => {
  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Weather in a city',
        parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
      },
    },
  ];

  it('passes a tool-call round trip through unchanged', async () => {
    const first = await client().chat.completions.create({
      model: 'deepseek-reasoner',
      messages: hello,
      tools,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(() => JSON.parse(call.function.arguments)).not.toThrow();

    const followUp: OpenAI.ChatCompletionMessageParam[] = [
      ...hello,
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: '{"temperature": 21}' },
    ];
    await client().chat.completions.create({ model: 'deepseek-reasoner', messages: followUp, tools });
    expect(fake.seen[1]?.body?.['messages']).toEqual(followUp);
    expect(fake.seen[1]?.body?.['tools']).toEqual(tools);

    // The first turn's row (the tool call); the second turn was answered with text.
    const [, row] = await requestRows(gateway, 2);
    expect(row).toMatchObject({ inputTokens: 339, cachedInputTokens: 320, reasoningTokens: 48 });
  });

  it('streams tool-call arguments fragment by fragment, none lost', async () => {
    const stream = await client().chat.completions.create({
      model: 'deepseek-reasoner',
      messages: hello,
      tools,
      stream: true,
    });
    let name = '';
    let argumentsText = '';
    let fragments = 0;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += call.function?.name ?? '';
        if (call.function?.arguments) {
          argumentsText += call.function.arguments;
          fragments++;
        }
      }
    }
    const recorded = fixtureChunks('openai-compatible/deepseek-tool-call.chunks.txt')
      .map((line) => JSON.parse(line) as OpenAI.ChatCompletionChunk)
      .flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])
      .map((call) => call.function?.arguments ?? '');
    expect(argumentsText).toBe(recorded.join(''));
    expect(fragments).toBe(recorded.filter((part) => part !== '').length);
    expect(name).not.toBe('');
    expect(() => JSON.parse(argumentsText)).not.toThrow();
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ stream: true, inputTokens: 339, outputTokens: 83, reasoningTokens: 39 });
  });
});

describe('embeddings and models', () => {
  it('creates embeddings and records their input tokens', async () => {
    const result = await client().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
    expect(result.usage.prompt_tokens).toBe(8);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'embeddings', inputTokens: 8, outputTokens: 0, status: 200 });
  });

  it('lists the vendor models that pass the allow-list', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4.1-nano', 'gpt-4.1-mini', 'text-embedding-3-small']);
  });

  it('caches the model list for minutes', async () => {
    const before = fake.seen.length;
    for await (const model of client().models.list()) void model;
    expect(fake.seen.length).toBe(before);
  });
});

describe('the root /v1 endpoints', () => {
  it('picks the route from "routeId/model"', async () => {
    await client('/v1').chat.completions.create({ model: 'main/gpt-4.1-mini', messages: hello });
    expect(fake.seen[0]?.body?.['model']).toBe('gpt-4.1-mini');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route: 'main', model: 'gpt-4.1-mini' });
  });

  it('routes a bare model to the first of the app routes that allows it', async () => {
    await client('/v1').chat.completions.create({ model: 'only-this', messages: hello });
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route: 'other', model: 'only-this' });
  });

  it('lists routeId/model for every route the app may use', async () => {
    const ids: string[] = [];
    for await (const model of client('/v1').models.list()) ids.push(model.id);
    // "other" allows one of the models the vendor lists; "dead" cannot be reached, so its allow-list's literal
    // names stand in; "slow" times out and is left out rather than failing the whole list.
    expect(ids).toEqual([
      'main/gpt-4.1-nano',
      'main/gpt-4.1-mini',
      'main/text-embedding-3-small',
      'other/gpt-4.1-mini',
      'dead/local-model',
    ]);
  });

  it('lists only the routes the app may use', async () => {
    const ids: string[] = [];
    for await (const model of client('/v1', OTHER_APP_KEY).models.list()) ids.push(model.id);
    expect(ids).toEqual(['other/gpt-4.1-mini']);
  });
});

describe('errors, one per row of the contract table', () => {
  const sdkError = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      return error as InstanceType<typeof OpenAI.APIError>;
    }
    throw new Error('expected the request to fail');
  };
  const lastRow = async () => (await requestRows(gateway, 1))[0]!;

  it('400 invalid_request for a body that is not JSON', async () => {
    const response = await fetch(`${gateway.url}/openai/main/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request',
      },
    });
    expect(await lastRow()).toMatchObject({ status: 400, errorCode: 'invalid_request' });
  });

  it('400 BadRequestError when messages are missing', async () => {
    const error = await sdkError(
      client().chat.completions.create({
        model: 'gpt-4.1-nano',
      } as unknown as ChatCompletionCreateParamsNonStreaming),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('invalid_request');
    expect(fake.seen).toHaveLength(0);
  });

  it('401 AuthenticationError for an unknown key, and for no key at all', async () => {
    const error = await sdkError(
      client('/openai/main/v1', 'sbk_not_a_real_key_00000000000000').models.list(),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('invalid_api_key');
    const response = await fetch(`${gateway.url}/openai/main/v1/models`);
    expect(response.status).toBe(401);
    expect(await lastRow()).toMatchObject({ status: 401, errorCode: 'invalid_api_key', app: null });
  });

  it('401 for the admin token on the proxy', async () => {
    const error = await sdkError(
      client('/openai/main/v1', ADMIN_TOKEN).chat.completions.create({
        messages: hello,
        model: 'gpt-4.1-nano',
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('403 PermissionDeniedError route_not_allowed', async () => {
    const error = await sdkError(
      client('/openai/main/v1', OTHER_APP_KEY).chat.completions.create({
        model: 'gpt-4.1-nano',
        messages: hello,
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.code).toBe('route_not_allowed');
    expect(await lastRow()).toMatchObject({ status: 403, errorCode: 'route_not_allowed', app: 'limited' });
  });

  it('403 PermissionDeniedError model_not_allowed', async () => {
    const error = await sdkError(client().chat.completions.create({ model: 'o3', messages: hello }));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.code).toBe('model_not_allowed');
    expect(fake.seen).toHaveLength(0);
  });

  it('404 NotFoundError route_not_found', async () => {
    const error = await sdkError(
      client('/openai/nope/v1').chat.completions.create({ model: 'gpt-4.1-nano', messages: hello }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe('route_not_found');
  });

  it('413 request_too_large above the body limit', async () => {
    const error = await sdkError(
      client().chat.completions.create({
        model: 'gpt-4.1-nano',
        messages: [{ role: 'user', content: 'x'.repeat(20_000) }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(413);
    expect(error.code).toBe('request_too_large');
    expect(fake.seen).toHaveLength(0);
  });

  it('502 upstream_error when the vendor cannot be reached', async () => {
    const error = await sdkError(
      client('/openai/dead/v1').chat.completions.create({ model: 'local-model', messages: hello }),
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_error');
    expect(await lastRow()).toMatchObject({ status: 502, errorCode: 'upstream_error', route: 'dead' });
  });

  it('504 upstream_timeout when the vendor does not answer in time', async () => {
    const error = await sdkError(
      client('/openai/slow/v1').chat.completions.create({ model: 'm', messages: hello }),
    );
    expect(error.status).toBe(504);
    expect(error.code).toBe('upstream_timeout');
    expect(await lastRow()).toMatchObject({ status: 504, errorCode: 'upstream_timeout' });
  });

  it("passes the vendor's own 4xx on with its status, type, code and message", async () => {
    const body = fixtureJson('openai/reasoning-model-legacy-parameter-error.json');
    fake.respond((_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    const error = await sdkError(
      client().chat.completions.create({ model: 'gpt-4.1-nano', messages: hello, max_tokens: 5 }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('unsupported_parameter');
    expect(error.param).toBe('max_tokens');
    expect(error.message).toContain((body['error'] as { message: string }).message);
    expect(await lastRow()).toMatchObject({ status: 400, errorCode: 'unsupported_parameter' });
  });

  it("passes the vendor's 5xx on, without echoing its key", async () => {
    fake.respond((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { message: `Overloaded for key ${VENDOR_KEY}`, type: 'server_error' } }),
      );
    });
    const error = await sdkError(
      client().chat.completions.create({ model: 'gpt-4.1-nano', messages: hello }),
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(503);
    expect(error.message).not.toContain(VENDOR_KEY);
  });
});

describe('cut streams', () => {
  it('sends one error event and records a partial row when the upstream dies mid-stream', async () => {
    fake.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const line of fixtureChunks('openai/openai-text.chunks.txt').slice(0, 20))
        response.write(`data: ${line}\n\n`);
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const response = await fetch(`${gateway.url}/openai/main/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: hello, stream: true }),
    });
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean);
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, '')) as { error?: { code: string } };
    expect(last.error?.code).toBe('upstream_error');
    expect(text).not.toContain('[DONE]');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ partial: true, errorCode: 'upstream_error', stream: true });
    expect(row!['outputTokens']).toBeGreaterThan(0);
  });

  it('stops the upstream and records a partial row when the client hangs up', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    fake.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const lines = fixtureChunks('openai/openai-text.chunks.txt');
      let index = 0;
      const timer = setInterval(() => response.write(`data: ${lines[index++ % lines.length]}\n\n`), 10);
      response.on('close', () => {
        clearInterval(timer);
        upstreamClosed();
      });
    });
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/openai/main/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: hello, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ partial: true, errorCode: 'client_closed', stream: true, status: 200 });
    expect(row!['outputTokens']).toBeGreaterThan(0);
  });
});

describe('security baseline', () => {
  const rawGet = (path: string, host: string) =>
    new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: gateway.port, path, headers: { host } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });

  it('refuses a Host that is not loopback on every path, /healthz included', async () => {
    expect(await rawGet('/healthz', 'evil.example')).toBe(403);
    expect(await rawGet('/healthz', `evil.example:${gateway.port}`)).toBe(403);
    expect(await rawGet('/admin/api/routes', 'rebind.example')).toBe(403);
    expect(await rawGet('/healthz', `localhost:${gateway.port}`)).toBe(200);
    expect(await rawGet('/healthz', `[::1]:${gateway.port}`)).toBe(200);
  });

  it('answers CORS only for listed origins on the proxy, and never on /admin', async () => {
    const listed = await fetch(`${gateway.url}/openai/main/v1/models`, {
      headers: { authorization: `Bearer ${APP_KEY}`, origin: 'http://localhost:5173' },
    });
    expect(listed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const unlisted = await fetch(`${gateway.url}/openai/main/v1/models`, {
      headers: { authorization: `Bearer ${APP_KEY}`, origin: 'https://evil.example' },
    });
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    const admin = await fetch(`${gateway.url}/admin/api/routes`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, origin: 'http://localhost:5173' },
    });
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses app keys on the admin API', async () => {
    const response = await fetch(`${gateway.url}/admin/api/routes`, {
      headers: { authorization: `Bearer ${APP_KEY}` },
    });
    expect(response.status).toBe(401);
  });

  it('never sends the caller key upstream on /proxy, and strips ?key=', async () => {
    const response = await fetch(`${gateway.url}/proxy/main/models?key=${APP_KEY}&limit=2`);
    expect(response.status).toBe(200);
    const seen = fake.seen[0]!;
    expect(seen.url).toBe('/v1/models?limit=2');
    expect(seen.headers['authorization']).toBe(`Bearer ${VENDOR_KEY}`);
    expect(JSON.stringify(seen)).not.toContain(APP_KEY);
  });
});

describe('/proxy pass-through', () => {
  it('forwards the native body unchanged and records usage from the answer', async () => {
    const body = { model: 'gpt-4.1-nano', messages: hello, temperature: 0.3, seed: 7 };
    const response = await fetch(`${gateway.url}/proxy/main/chat/completions`, {
      method: 'POST',
      headers: { 'x-api-key': APP_KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    expect(fake.seen[0]?.body).toEqual(body);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'proxy', route: 'main', inputTokens: 16, outputTokens: 363 });
  });

  it('streams through without holding back, reading usage on the side', async () => {
    const response = await fetch(`${gateway.url}/proxy/main/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4.1-nano',
        messages: hello,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    const text = await response.text();
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      endpoint: 'proxy',
      stream: true,
      inputTokens: 16,
      outputTokens: 300,
      partial: false,
    });
  });

  it('passes the vendor error body on as it is', async () => {
    fake.respond((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      response.end('{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}');
    });
    const response = await fetch(`${gateway.url}/proxy/main/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: hello }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.text()).toContain('rate_limit_exceeded');
  });

  it('applies the allow-list to the native body', async () => {
    const response = await fetch(`${gateway.url}/proxy/main/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'o3', messages: hello }),
    });
    expect(response.status).toBe(403);
    expect(fake.seen).toHaveLength(0);
  });
});
