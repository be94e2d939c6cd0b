import { GoogleGenAI, type FunctionDeclaration } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../../support/fake-anthropic.ts';
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

/** Gemini in, on routes of every vendor: what Gemini CLI and @google/genai rely on. */

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

const client = (route: string) =>
  new GoogleGenAI({ apiKey: APP_KEY, httpOptions: { baseUrl: `${gateway.url}/gemini/${route}` } });

const WEATHER: FunctionDeclaration = {
  name: 'get_weather',
  description: 'The weather in a city',
  parametersJsonSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
};

describe('Gemini in, translated to an OpenAI-format route', () => {
  it('answers generateContent in Google’s shape and records the request', async () => {
    const answer = await client('gpt').models.generateContent({
      model: 'gpt-4.1-nano',
      contents: 'Hello',
      config: { systemInstruction: 'Be brief.', thinkingConfig: { thinkingBudget: 1024 } },
    });
    expect(answer.text).toBeTruthy();
    expect(answer.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    const sent = openAiFake.seen.at(-1)!;
    expect(sent.url).toBe('/v1/chat/completions');
    // gpt-4.1-nano does not reason: Gemini CLI's thinking settings are not passed on to it.
    expect(sent.body!['reasoning_effort']).toBeUndefined();
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route: 'gpt', status: 200, model: 'gpt-4.1-nano', stream: false });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });

  it('streams a function call (alt=sse), the call whole, usage on the last chunk', async () => {
    const stream = await client('gpt').models.generateContentStream({
      model: 'gpt-4.1-nano',
      contents: 'Weather in Paris?',
      config: { tools: [{ functionDeclarations: [WEATHER] }] },
    });
    const calls: unknown[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      calls.push(...(chunk.functionCalls ?? []));
      usage = chunk.usageMetadata ?? usage;
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: expect.any(String), args: expect.any(Object) });
    expect(usage).toMatchObject({ promptTokenCount: expect.any(Number) });
    const sent = openAiFake.seen.at(-1)!;
    expect(sent.body!['stream']).toBe(true);
    expect(JSON.stringify(sent.body!['tools'])).not.toContain('$schema');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route: 'gpt', stream: true, partial: false });
    expect(row!['outputTokens']).toBeGreaterThan(0);
  });

  it('counts tokens itself for a route that cannot', async () => {
    const count = await client('gpt').models.countTokens({
      model: 'gpt-4.1-nano',
      contents: 'How many tokens is this sentence?',
    });
    expect(count.totalTokens).toBeGreaterThan(5);
  });

  it('lists the route’s models in Google’s shape', async () => {
    const pager = await client('gpt').models.list();
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? '');
    expect(names).toContain('models/gpt-4.1-nano');
  });
});

describe('Gemini in, to an Anthropic route and passed through to a Gemini route', () => {
  it('answers generateContent from Claude', async () => {
    const answer = await client('claude').models.generateContent({
      model: 'claude-sonnet-4-5',
      contents: 'Hello',
    });
    expect(answer.text).toMatch(/Hello/);
    expect(anthropicFake.seen.at(-1)!.url).toBe('/v1/messages');
  });

  it('passes a Gemini call through to the Gemini route unchanged, streamed or not', async () => {
    const answer = await client('gem').models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    expect(answer.text).toBeTruthy();
    const seen = geminiFake.seen.at(-1)!;
    expect(seen.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(seen.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    const stream = await client('gem').models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Hi',
    });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBeTruthy();
    expect(geminiFake.seen.at(-1)!.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route: 'gem', stream: true });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });
});

describe.each([
  ['an Anthropic route (translated)', 'claude', 'claude-sonnet-4-5'],
  ['a Gemini route (passed through)', 'gem', 'gemini-2.5-flash'],
])('@google/genai on %s', (_name, route, model) => {
  it('streams a function call', async () => {
    const stream = await client(route).models.generateContentStream({
      model,
      contents: 'Weather in Paris?',
      config: { tools: [{ functionDeclarations: [WEATHER] }] },
    });
    const calls: unknown[] = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: expect.any(String), args: expect.any(Object) });
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route, stream: true, partial: false });
    expect(row!['outputTokens']).toBeGreaterThan(0);
  });
});

describe('the JSON-array stream, for a client that does not ask for alt=sse', () => {
  it.each([
    ['translated', 'gpt', 'gpt-4.1-nano'],
    ['passed through', 'gem', 'gemini-2.5-flash'],
  ])('is one JSON array of chunks, the last with the finish reason (%s)', async (_how, route, model) => {
    const response = await fetch(
      `${gateway.url}/gemini/${route}/v1beta/models/${model}:streamGenerateContent`,
      {
        method: 'POST',
        headers: { 'x-goog-api-key': APP_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] }),
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const chunks = JSON.parse(await response.text()) as {
      candidates?: { content?: { parts?: { text?: string }[] }; finishReason?: string }[];
    }[];
    expect(chunks.length).toBeGreaterThan(1);
    const text = chunks.map((chunk) => chunk.candidates?.[0]?.content?.parts?.[0]?.text ?? '').join('');
    expect(text).toBeTruthy();
    expect(chunks.at(-1)!.candidates?.[0]?.finishReason).toBe('STOP');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route, stream: true, partial: false });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });
});

describe('errors in Google’s shape', () => {
  it('for a model off the allow-list, an unknown method and an unknown path', async () => {
    const offList = await fetch(`${gateway.url}/gemini/gpt/v1beta/models/claude-x:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': APP_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    expect(offList.status).toBe(403);
    expect(await offList.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });

    const unknownMethod = await fetch(`${gateway.url}/gemini/gpt/v1beta/models/gpt-4.1-nano:predict`, {
      method: 'POST',
      headers: { 'x-goog-api-key': APP_KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unknownMethod.status).toBe(404);
    expect(await unknownMethod.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });

    const unknownPath = await fetch(`${gateway.url}/gemini/gpt/v1beta/files`, {
      headers: { 'x-goog-api-key': APP_KEY },
    });
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ status: 404 });
  });
});
