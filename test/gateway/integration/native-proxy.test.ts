import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { GEMINI_KEY, startFakeGemini } from '../../support/fake-gemini.ts';
import type { FakeServer } from '../../support/fake-server.ts';
import { APP_KEY, requestRows, startTestGateway, type TestGateway } from '../../support/gateway.ts';

/** The vendors' own SDKs against /proxy/{routeId}: native format through, the route's key in, usage recorded. */

let anthropicFake: FakeServer;
let geminiFake: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  [anthropicFake, geminiFake] = await Promise.all([startFakeAnthropic(), startFakeGemini()]);
  gateway = await startTestGateway({
    routes: [
      {
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: anthropicFake.origin,
        apiKey: ANTHROPIC_KEY,
        models: ['claude-*'],
      },
      { id: 'gem', vendor: 'gemini', baseUrl: geminiFake.origin, apiKey: GEMINI_KEY, models: ['gemini-*'] },
      {
        id: 'gem-default',
        vendor: 'gemini',
        baseUrl: geminiFake.origin,
        apiKey: GEMINI_KEY,
        defaultModel: 'gemini-2.5-flash',
      },
    ],
    apps: [{ name: 'tester', key: APP_KEY }],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([anthropicFake.close(), geminiFake.close()]);
});

describe('@anthropic-ai/sdk on /proxy', () => {
  const client = () =>
    new Anthropic({ apiKey: APP_KEY, baseURL: `${gateway.url}/proxy/claude`, maxRetries: 0 });

  it('creates a message; the vendor sees the route key and the SDK anthropic-version', async () => {
    const message = await client().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content[0]?.type).toBe('text');
    const seen = anthropicFake.seen.at(-1)!;
    expect(seen.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    // The SDK's own version passes on unchanged (this SDK sends a newer one than the gateway's default).
    expect(seen.headers['anthropic-version']).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(JSON.stringify(seen.headers)).not.toContain(APP_KEY);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      endpoint: 'proxy',
      route: 'claude',
      model: 'claude-sonnet-4-5',
      upstreamModel: 'claude-sonnet-4-5-20250929',
      inputTokens: 12,
      outputTokens: 29,
    });
    expect(row!['costUsd']).toBeGreaterThan(0);
  });

  it('streams a message and records the usage read from the native stream', async () => {
    const stream = client().messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
      tools: [
        { name: 'weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } },
      ],
    });
    const final = await stream.finalMessage();
    expect(final.content.find((block) => block.type === 'tool_use')).toMatchObject({
      name: 'weather',
      input: { location: 'San Francisco' },
    });
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      endpoint: 'proxy',
      stream: true,
      inputTokens: 843,
      outputTokens: 28,
      partial: false,
    });
  });

  it('adds anthropic-version 2023-06-01 when the caller sent none', async () => {
    const response = await fetch(`${gateway.url}/proxy/claude/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': APP_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });
    expect(response.status).toBe(200);
    expect(anthropicFake.seen.at(-1)!.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('passes anthropic-beta on', async () => {
    await client().messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'anthropic-beta': 'context-1m-2025-08-07' } },
    );
    expect(anthropicFake.seen.at(-1)!.headers['anthropic-beta']).toBe('context-1m-2025-08-07');
  });

  it("answers the gateway's own errors in Anthropic's shape, so the SDK raises its typed errors", async () => {
    const bad = new Anthropic({
      apiKey: 'sbk_wrong_key_00000000000000000',
      baseURL: `${gateway.url}/proxy/claude`,
      maxRetries: 0,
    });
    const error = await bad.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
    const notAllowed = await client()
      .messages.create({ model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(notAllowed).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });
});

describe('@google/genai on /proxy', () => {
  const client = () =>
    new GoogleGenAI({ apiKey: APP_KEY, httpOptions: { baseUrl: `${gateway.url}/proxy/gem` } });

  it('generates content; the vendor sees the route key', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-3-pro-preview',
      contents: 'Count the r in strawberry',
    });
    expect(response.text).toContain('strawberry');
    const seen = geminiFake.seen.at(-1)!;
    expect(seen.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(JSON.stringify(seen.headers)).not.toContain(APP_KEY);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      endpoint: 'proxy',
      route: 'gem',
      model: 'gemini-3-pro-preview',
      inputTokens: 9,
      outputTokens: 28 + 244,
      reasoningTokens: 244,
    });
  });

  it('streams content and records the usage read from the native stream', async () => {
    let text = '';
    for await (const chunk of await client().models.generateContentStream({
      model: 'gemini-3-pro-preview',
      contents: 'Count the r in strawberry',
    })) {
      text += chunk.text ?? '';
    }
    expect(text).toContain('strawberry');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({
      endpoint: 'proxy',
      stream: true,
      inputTokens: 9,
      outputTokens: 23 + 185,
      partial: false,
    });
  });

  it("answers the gateway's own errors in Google's shape", async () => {
    const response = await fetch(
      `${gateway.url}/proxy/gem/v1beta/models/gpt-4o:generateContent?key=${APP_KEY}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
      },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
    expect(geminiFake.seen.at(-1)?.url ?? '').not.toContain('gpt-4o');
  });
});

describe('redact filters on /proxy answers, in the vendor format', () => {
  let redacting: TestGateway;
  beforeAll(async () => {
    redacting = await startTestGateway({
      routes: [
        {
          id: 'claude',
          vendor: 'anthropic',
          baseUrl: anthropicFake.origin,
          apiKey: ANTHROPIC_KEY,
          filters: ['hide'],
        },
        { id: 'gem', vendor: 'gemini', baseUrl: geminiFake.origin, apiKey: GEMINI_KEY, filters: ['hide'] },
      ],
      apps: [{ name: 'tester', key: APP_KEY }],
      filters: [{ name: 'hide', kind: 'redact', patterns: ['(?i)doing well', 'strawberry'] }],
    });
  });
  afterAll(() => redacting.stop());

  it('redacts an Anthropic answer, streamed and not', async () => {
    const client = new Anthropic({
      apiKey: APP_KEY,
      baseURL: `${redacting.url}/proxy/claude`,
      maxRetries: 0,
    });
    const message = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
    expect(text).toContain("I'm [REDACTED:hide], thanks");
    const streamed = await client.messages
      .stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .finalText();
    expect(streamed).toContain('[REDACTED:hide]');
    expect(streamed.toLowerCase()).not.toContain('doing well');
    const [row] = await requestRows(redacting, 1);
    expect(row).toMatchObject({ stream: true, inputTokens: 12, outputTokens: 30 });
  });

  it('redacts a Gemini answer, streamed and not', async () => {
    const client = new GoogleGenAI({
      apiKey: APP_KEY,
      httpOptions: { baseUrl: `${redacting.url}/proxy/gem` },
    });
    const response = await client.models.generateContent({
      model: 'gemini-3-pro-preview',
      contents: 'Count',
    });
    expect(response.text).toContain('[REDACTED:hide]');
    expect(response.text).not.toContain('strawberry');
    let streamed = '';
    for await (const chunk of await client.models.generateContentStream({
      model: 'gemini-3-pro-preview',
      contents: 'Count',
    })) {
      streamed += chunk.text ?? '';
    }
    expect(streamed).toContain('[REDACTED:hide]');
    expect(streamed).not.toContain('strawberry');
  });
});

describe('a /proxy call that names no model', () => {
  it('is recorded with no model, not the route’s default, which it never used', async () => {
    const response = await fetch(`${gateway.url}/proxy/gem-default/v1beta/models`, {
      headers: { 'x-goog-api-key': APP_KEY },
    });
    expect(response.status).toBe(200);
    await response.text();
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route: 'gem-default', endpoint: 'proxy', status: 200, model: null });
  });
});
