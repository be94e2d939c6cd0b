import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { fixtureJson } from '../../support/fixtures.ts';
import { GEMINI_KEY, startFakeGemini } from '../../support/fake-gemini.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import type { FakeServer } from '../../support/fake-server.ts';
import {
  APP_KEY,
  requestRows,
  startTestGateway,
  VENDOR_KEY,
  type TestGateway,
} from '../../support/gateway.ts';

/** Anthropic Messages in, on routes of every vendor: what Claude Code and the Anthropic SDKs rely on. */

let openAiFake: FakeOpenAi;
let anthropicFake: FakeServer;
let geminiFake: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  [openAiFake, anthropicFake, geminiFake] = await Promise.all([
    startFakeOpenAi(),
    startFakeAnthropic(),
    startFakeGemini(),
  ]);
  gateway = await startTestGateway({
    routes: [
      { id: 'gpt', vendor: 'openai', baseUrl: openAiFake.url, apiKey: VENDOR_KEY, models: ['gpt-*'] },
      {
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: anthropicFake.origin,
        apiKey: ANTHROPIC_KEY,
        models: ['claude-*'],
      },
      { id: 'gem', vendor: 'gemini', baseUrl: geminiFake.origin, apiKey: GEMINI_KEY, models: ['gemini-*'] },
    ],
    apps: [{ name: 'tester', key: APP_KEY }],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([openAiFake.close(), anthropicFake.close(), geminiFake.close()]);
});

const client = (prefix: string) =>
  new Anthropic({ apiKey: APP_KEY, baseURL: `${gateway.url}${prefix}`, maxRetries: 0 });

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object' as const,
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
};

describe('Anthropic Messages in, translated to an OpenAI-format route', () => {
  it('answers messages.create in Anthropic’s shape and records the request', async () => {
    const message = await client('/anthropic/gpt').messages.create({
      model: 'gpt-4.1-nano',
      max_tokens: 256,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.content[0]?.type).toBe('text');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    const sent = openAiFake.seen.at(-1)!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers['authorization']).toBe(`Bearer ${VENDOR_KEY}`);
    expect(JSON.stringify(sent.body)).not.toContain('cache_control');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'messages', route: 'gpt', status: 200, model: 'gpt-4.1-nano' });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });

  it('streams a tool call in Anthropic’s event sequence, input tokens in message_start', async () => {
    const stream = client('/anthropic/gpt').messages.stream({
      model: 'gpt-4.1-nano',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
    });
    let startTokens = -1;
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_start') startTokens = event.message.usage.input_tokens;
    });
    const final = await stream.finalMessage();
    expect(startTokens).toBeGreaterThan(0);
    const call = final.content.find((block) => block.type === 'tool_use');
    expect(call).toMatchObject({ type: 'tool_use', name: expect.any(String) });
    expect(final.stop_reason).toBe('tool_use');
    const tools = openAiFake.seen.at(-1)!.body!['tools'] as { function: { parameters: object } }[];
    expect(JSON.stringify(tools)).not.toContain('$schema');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'messages', route: 'gpt', stream: true, partial: false });
    expect(row!['outputTokens']).toBeGreaterThan(0);
  });

  it('takes a system message inside messages, and a beta flag it does not know (Claude Code sends both)', async () => {
    const response = await fetch(`${gateway.url}/anthropic/gpt/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': APP_KEY,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'some-future-flag-2099-01-01',
      },
      body: JSON.stringify({
        model: 'gpt-4.1-nano',
        max_tokens: 64,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi' },
        ],
      }),
    });
    expect(response.status).toBe(200);
    // A beta flag the gateway does not know is no reason to refuse; it means nothing to OpenAI.
    expect(openAiFake.seen.at(-1)!.headers['anthropic-beta']).toBeUndefined();
    const messages = openAiFake.seen.at(-1)!.body!['messages'] as { role: string }[];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
  });

  it('passes thinking on as a reasoning setting only to a model that reasons', async () => {
    const ask = (model: string) =>
      client('/anthropic/gpt').messages.create({
        model,
        max_tokens: 20_000,
        thinking: { type: 'enabled', budget_tokens: 10_000 },
        messages: [{ role: 'user', content: 'Think about it.' }],
      });
    await ask('gpt-4.1-nano');
    expect(openAiFake.seen.at(-1)!.body!['reasoning_effort']).toBeUndefined();
    await ask('gpt-5');
    expect(openAiFake.seen.at(-1)!.body!['reasoning_effort']).toBe('medium');
  });

  it('counts tokens itself for a route that cannot', async () => {
    const count = await client('/anthropic/gpt').messages.countTokens({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'How many tokens is this sentence?' }],
    });
    expect(count.input_tokens).toBeGreaterThan(5);
    expect(openAiFake.seen.at(-1)!.url).not.toContain('count_tokens');
  });

  it('routes a bare /v1/messages by "routeId/model"', async () => {
    const message = await client('').messages.create({
      model: 'gpt/gpt-4.1-nano',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.type).toBe('message');
    expect(openAiFake.seen.at(-1)!.body!['model']).toBe('gpt-4.1-nano');
  });
});

describe('Anthropic Messages in, passed through to an Anthropic route', () => {
  it('sends the bytes as they came, thinking signatures and beta flags included', async () => {
    const body =
      '{"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":"Hi"},' +
      '{"role":"assistant","content":[{"type":"thinking","thinking":"Let me think.","signature":"EqQBCkgIARABGAIiQL+/sig=="},' +
      '{"type":"text","text":"Hello"}]},{"role":"user","content":"Again"}]}';
    const response = await fetch(`${gateway.url}/anthropic/claude/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'x-api-key': APP_KEY,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'interleaved-thinking-2025-05-14,some-future-flag-2099-01-01',
      },
      body,
    });
    expect(response.status).toBe(200);
    const seen = anthropicFake.seen.at(-1)!;
    expect(seen.url).toBe('/v1/messages?beta=true');
    expect(JSON.stringify(seen.body)).toBe(body);
    expect(seen.headers['anthropic-beta']).toBe(
      'interleaved-thinking-2025-05-14,some-future-flag-2099-01-01',
    );
    expect(seen.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'messages', route: 'claude', model: 'claude-sonnet-4-5' });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });

  it('rewrites only the model when the root endpoint picked the route from it', async () => {
    await client('').messages.create({
      model: 'claude/claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(anthropicFake.seen.at(-1)!.body!['model']).toBe('claude-sonnet-4-5');
  });
});

describe('Anthropic Messages in, translated to a Gemini route', () => {
  it('answers messages.create', async () => {
    const message = await client('/anthropic/gem').messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 128,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(message.content[0]?.type).toBe('text');
    expect(geminiFake.seen.at(-1)!.url).toContain('gemini-2.5-flash:generateContent');
  });
});

describe.each([
  ['an Anthropic route (passed through)', 'claude', 'claude-sonnet-4-5'],
  ['a Gemini route (translated)', 'gem', 'gemini-2.5-flash'],
])('@anthropic-ai/sdk on %s', (_name, route, model) => {
  it('streams a tool call, and counts tokens', async () => {
    const stream = client(`/anthropic/${route}`).messages.stream({
      model,
      max_tokens: 512,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
    });
    const final = await stream.finalMessage();
    expect(final.content.some((block) => block.type === 'tool_use')).toBe(true);
    expect(final.stop_reason).toBe('tool_use');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'messages', route, stream: true, partial: false });
    expect(row!['outputTokens']).toBeGreaterThan(0);

    const before = anthropicFake.seen.length;
    const count = await client(`/anthropic/${route}`).messages.countTokens({
      model,
      messages: [{ role: 'user', content: 'How many tokens is this sentence?' }],
    });
    expect(count.input_tokens).toBeGreaterThan(5);
    // Anthropic counts its own; for another vendor the gateway does.
    const counted = anthropicFake.seen.slice(before).map((request) => request.url);
    expect(counted).toEqual(route === 'claude' ? ['/v1/messages/count_tokens'] : []);
  });
});

describe('Anthropic Messages in, Gemini 3 tool calls', () => {
  it('keep their thought signature across the turn, so Gemini takes the next one', async () => {
    const tools = [WEATHER_TOOL];
    const question = { role: 'user' as const, content: 'Weather in Paris?' };
    const first = await client('/anthropic/gem').messages.create({
      model: 'gemini-3-pro-preview',
      max_tokens: 512,
      messages: [question],
      tools,
    });
    const call = first.content.find((block) => block.type === 'tool_use');
    expect(call).toBeDefined();
    const firstAnswer = geminiFake.seen.at(-1)!;
    expect(firstAnswer.url).toContain('gemini-3-pro-preview:generateContent');
    // The client sends the call back as it got it, with its result: Gemini must see the signature it gave.
    const second = await client('/anthropic/gem').messages.create({
      model: 'gemini-3-pro-preview',
      max_tokens: 512,
      tools,
      messages: [
        question,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: call!.type === 'tool_use' ? call!.id : '', content: '18 °C' },
          ],
        },
      ],
    });
    expect(second.content[0]?.type).toBe('text');
    const contents = geminiFake.seen.at(-1)!.body!['contents'] as {
      role: string;
      parts: { functionCall?: unknown; thoughtSignature?: string }[];
    }[];
    const signed = contents.flatMap((content) => content.parts).find((part) => part.functionCall);
    const recorded = JSON.stringify(fixtureJson('google/google-tool-call.json'));
    const original = /"thoughtSignature":\s*"([^"]+)"/.exec(recorded)?.[1];
    expect(signed?.thoughtSignature).toBe(original);
  });
});

describe('errors in Anthropic’s shape', () => {
  it('for a wrong key, an unknown model and an unknown path, each recorded', async () => {
    const wrongKey = await fetch(`${gateway.url}/anthropic/gpt/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sbk_wrong', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    const unknownPath = await fetch(`${gateway.url}/anthropic/gpt/v1/complete`, {
      method: 'POST',
      headers: { 'x-api-key': APP_KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'messages', status: 404 });

    // At the root too, whatever the method: an Anthropic client reads these.
    for (const [method, path] of [
      ['GET', '/v1/messages'],
      ['POST', '/v1/messages/batches'],
    ] as const) {
      const wrong = await fetch(`${gateway.url}${path}`, { method, headers: { 'x-api-key': APP_KEY } });
      expect(wrong.status, `${method} ${path}`).toBe(404);
      expect(await wrong.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    }

    await expect(
      client('/anthropic/gpt').messages.create({
        model: 'claude-opus-4',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    ).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
  });
});
