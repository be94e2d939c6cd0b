import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import {
  ADMIN_TOKEN,
  APP_KEY,
  OTHER_APP_KEY,
  VENDOR_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

/** Budgets, rate limits and filters through the running gateway, on both endpoint families. */

const COMPLETION = (content: string) => ({
  id: 'chatcmpl-policy',
  object: 'chat.completion',
  created: 1770933883,
  model: 'gpt-4.1-nano-2025-04-14',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content, refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 16, completion_tokens: 363, total_tokens: 379 },
});
// gpt-4.1-nano: $0.10 / M input, $0.40 / M output.
const COST = (16 * 0.1 + 363 * 0.4) / 1e6;

type ErrorBody = { error: { code: string; message: string } };
type CompletionBody = { choices: { message: { content: string } }[] };

let answer = 'All clear.';
let mode: 'ok' | 'fail' | 'hang' = 'ok';
let upstream: FakeServer;

const admin = async (method: string, gateway: TestGateway, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json().catch(() => null)) as Record<string, unknown> | null,
  };
};

const chat = (
  gateway: TestGateway,
  content: string,
  extra: Record<string, unknown> = {},
  key = APP_KEY,
  signal?: AbortSignal,
) =>
  fetch(`${gateway.url}/openai/main/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4.1-nano',
      max_tokens: 400,
      messages: [{ role: 'user', content }],
      ...extra,
    }),
    signal,
  });

beforeAll(async () => {
  upstream = await startFakeServer(async (request, response) => {
    await new Promise((resolve) => setTimeout(resolve, 150));
    if (mode === 'fail') return sendJson(response, 500, { error: { message: 'boom', type: 'server_error' } });
    if (mode === 'hang') return; // the client gives up first
    if (request.body?.['stream'] === true) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-nano-2025-04-14' };
      for (const piece of answer.match(/.{1,3}/gs) ?? []) {
        response.write(
          `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`,
        );
      }
      response.write(
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
      );
      response.write(`data: ${JSON.stringify({ ...base, choices: [], usage: COMPLETION('').usage })}\n\n`);
      response.end('data: [DONE]\n\n');
      return;
    }
    sendJson(response, 200, COMPLETION(answer));
  });
});

afterAll(() => upstream.close());

describe('budgets under concurrency', () => {
  let gateway: TestGateway;
  const LIMIT = 0.0016; // about ten requests of max_tokens 400

  beforeAll(async () => {
    gateway = await startTestGateway({
      routes: [{ id: 'main', vendor: 'openai', baseUrl: `${upstream.origin}/v1`, apiKey: VENDOR_KEY }],
      apps: [{ name: 'spender', key: APP_KEY, budget: { usd: LIMIT, period: 'day' } }],
    });
  });
  afterAll(() => gateway.stop());

  it('admits what fits, refuses the rest with budget_exceeded, never overspends, and leaves no reservation', async () => {
    mode = 'ok';
    const responses = await Promise.all(Array.from({ length: 50 }, () => chat(gateway, 'Say hello.')));
    const statuses = responses.map((response) => response.status);
    const admitted = statuses.filter((status) => status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(5);
    expect(admitted).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBe(50 - admitted);
    const refused = (await responses.find((response) => response.status === 429)!.json()) as ErrorBody;
    expect(refused.error.code).toBe('budget_exceeded');
    expect(refused.error.message).toMatch(/app budget of "spender" \(\$0\.0016 per day\)/);
    expect(refused.error.message).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);

    const rows = await requestRows(gateway, 100);
    const spent = rows.reduce((sum, row) => sum + ((row['costUsd'] as number | null) ?? 0), 0);
    expect(spent).toBeCloseTo(admitted * COST, 12);
    expect(spent).toBeLessThanOrEqual(LIMIT);
    // The upstream saw only the admitted requests.
    expect(upstream.seen.length).toBe(admitted);

    const budgets = await admin('GET', gateway, '/budgets');
    const [status] = budgets.body!['data'] as { spentUsd: number; reservedUsd: number; limitUsd: number }[];
    expect(status!.reservedUsd).toBeCloseTo(0, 12);
    expect(status!.spentUsd).toBeCloseTo(spent, 12);
    const alerts = (await admin('GET', gateway, '/alerts')).body!['data'] as { threshold: number }[];
    expect(alerts.map((alert) => alert.threshold).sort((a, b) => a - b)).toEqual([50, 80]);
  });

  it('releases reservations after upstream errors and client aborts', async () => {
    upstream.seen.length = 0;
    const before = ((await admin('GET', gateway, '/budgets')).body!['data'] as { spentUsd: number }[])[0]!
      .spentUsd;
    // Raise the limit so that there is room again, then fail some and abandon others.
    await admin('PATCH', gateway, '/apps/spender', { budget: { usd: 1, period: 'day' } });
    mode = 'fail';
    const failed = await Promise.all(Array.from({ length: 5 }, () => chat(gateway, 'Fail.')));
    expect(failed.every((response) => response.status === 500)).toBe(true);
    mode = 'hang';
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const hanging = controllers.map((controller) =>
      chat(gateway, 'Hang.', {}, APP_KEY, controller.signal).catch(() => null),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const controller of controllers) controller.abort();
    await Promise.all(hanging);
    await new Promise((resolve) => setTimeout(resolve, 100));
    mode = 'ok';

    const [status] = (await admin('GET', gateway, '/budgets')).body!['data'] as {
      spentUsd: number;
      reservedUsd: number;
    }[];
    expect(status!.reservedUsd).toBeCloseTo(0, 12);
    // Failures cost nothing (the vendor reported no usage); a request the client abandoned while the
    // vendor worked on it is charged its input tokens, counted from the request, as its row says.
    const rows = await requestRows(gateway, 10);
    expect(rows.filter((row) => row['status'] === 500).every((row) => row['costUsd'] === null)).toBe(true);
    const abandoned = rows.filter((row) => row['status'] === 499);
    expect(abandoned).toHaveLength(5);
    expect(abandoned.every((row) => (row['inputTokens'] as number) > 0)).toBe(true);
    const charged = abandoned.reduce((sum, row) => sum + (row['costUsd'] as number), 0);
    expect(status!.spentUsd).toBeCloseTo(before + charged, 12);
  });
});

describe('rate limits', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      routes: [
        {
          id: 'main',
          vendor: 'openai',
          baseUrl: `${upstream.origin}/v1`,
          apiKey: VENDOR_KEY,
          rateLimit: { rpm: 100 },
        },
      ],
      apps: [
        { name: 'limited', key: APP_KEY, rateLimit: { rpm: 3 } },
        { name: 'free', key: OTHER_APP_KEY },
      ],
    });
  });
  afterAll(() => gateway.stop());

  it('refuses the fourth request in a minute with rate_limited and Retry-After, for that app only', async () => {
    mode = 'ok';
    for (let i = 0; i < 3; i++) expect((await chat(gateway, 'hi')).status).toBe(200);
    const limited = await chat(gateway, 'hi');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as ErrorBody).error.code).toBe('rate_limited');
    expect((await chat(gateway, 'hi', {}, OTHER_APP_KEY)).status).toBe(200);
    const client = new OpenAI({ baseURL: `${gateway.url}/openai/main/v1`, apiKey: APP_KEY, maxRetries: 0 });
    await expect(
      client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('filters', () => {
  let gateway: TestGateway;
  const SECRET = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

  beforeAll(async () => {
    gateway = await startTestGateway({
      routes: [
        {
          id: 'main',
          vendor: 'openai',
          baseUrl: `${upstream.origin}/v1`,
          apiKey: VENDOR_KEY,
          filters: ['no-keys', 'no-emails', 'house-rules', 'cap'],
        },
      ],
      apps: [
        { name: 'scripted', key: APP_KEY, filters: ['guard', 'aliases'] },
        { name: 'plain', key: OTHER_APP_KEY, routes: ['main'] },
      ],
      filters: [
        { name: 'no-keys', kind: 'block', patterns: ['builtin:api-keys'] },
        { name: 'no-emails', kind: 'redact', patterns: ['builtin:emails'] },
        { name: 'house-rules', kind: 'system-prompt', mode: 'prepend', text: 'Be brief.' },
        { name: 'cap', kind: 'max-tokens', max: 100 },
        { name: 'aliases', kind: 'model', aliases: { fast: 'gpt-4.1-nano' } },
        {
          name: 'guard',
          kind: 'script',
          code: `(request) => {
            const text = request.messages.map((m) => m.content).join(' ');
            if (text.includes('forbidden')) return { block: true, reason: 'house policy' };
            if (text.includes('spin')) { while (true) {} }
            return null;
          }`,
          timeoutMs: 50,
        },
      ],
    });
  });
  afterAll(() => gateway.stop());

  it('blocks a request carrying an API key, names the filter, never echoes the key, and sends nothing', async () => {
    upstream.seen.length = 0;
    const response = await chat(gateway, `my key is ${SECRET} please`);
    expect(response.status).toBe(403);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('filter_blocked');
    expect(body.error.message).toContain('no-keys');
    expect(JSON.stringify(body)).not.toContain(SECRET.slice(0, 12));
    expect(upstream.seen).toHaveLength(0);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ status: 403, errorCode: 'filter_blocked' });
  });

  it('blocks on /proxy too, in the native body', async () => {
    upstream.seen.length = 0;
    const response = await fetch(`${gateway.url}/proxy/main/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OTHER_APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: SECRET }] }),
    });
    expect(response.status).toBe(403);
    expect(upstream.seen).toHaveLength(0);
  });

  it('redacts, prepends the system prompt and caps max_tokens before the request leaves', async () => {
    upstream.seen.length = 0;
    answer = 'Done.';
    expect((await chat(gateway, 'mail bob@example.com the report', {}, OTHER_APP_KEY)).status).toBe(200);
    const sent = upstream.seen[0]!.body!;
    expect(sent['max_tokens']).toBe(100);
    expect(sent['messages']).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'mail [REDACTED:emails] the report' },
    ]);
  });

  it('redacts answers, streamed ones included, even when a match is split across chunks', async () => {
    answer = 'Write to alice.smith@example.org today.';
    const plain = (await (await chat(gateway, 'who?', {}, OTHER_APP_KEY)).json()) as CompletionBody;
    expect(plain.choices[0]!.message.content).toBe('Write to [REDACTED:emails] today.');
    const client = new OpenAI({
      baseURL: `${gateway.url}/openai/main/v1`,
      apiKey: OTHER_APP_KEY,
      maxRetries: 0,
    });
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'who?' }],
      stream: true,
    })) {
      streamed += chunk.choices[0]?.delta.content ?? '';
    }
    expect(streamed).toBe('Write to [REDACTED:emails] today.');
    answer = 'All clear.';
  });

  it('runs the script filter: blocks with its reason, fails closed when it loops, and serves the next request', async () => {
    const blocked = await chat(gateway, 'this is forbidden');
    expect(blocked.status).toBe(403);
    expect(((await blocked.json()) as ErrorBody).error.message).toBe(
      'Blocked by filter "guard": house policy',
    );
    const looping = await chat(gateway, 'spin');
    expect(looping.status).toBe(403);
    expect(((await looping.json()) as ErrorBody).error.message).toContain('guard');
    expect(gateway.logs.some((line) => line.includes('filter "guard" failed closed'))).toBe(true);
    expect((await chat(gateway, 'hello')).status).toBe(200);
  });

  it('resolves model aliases before the allow-list', async () => {
    upstream.seen.length = 0;
    expect((await chat(gateway, 'hello', { model: 'fast' })).status).toBe(200);
    expect(upstream.seen[0]!.body!['model']).toBe('gpt-4.1-nano');
  });

  it('tries a filter on a sample request from the admin API without sending anything', async () => {
    upstream.seen.length = 0;
    const redacted = await admin('POST', gateway, '/filters/test', {
      filter: 'no-emails',
      request: { model: 'x', messages: [{ role: 'user', content: 'ping eve@example.net' }] },
    });
    expect(redacted.body).toEqual({
      blocked: false,
      forwarded: { model: 'x', messages: [{ role: 'user', content: 'ping [REDACTED:emails]' }] },
    });
    const blocked = await admin('POST', gateway, '/filters/test', {
      filter: { kind: 'block', patterns: ['(?i)secret'] },
      request: { messages: [{ role: 'user', content: 'a SECRET plan' }] },
    });
    expect(blocked.body).toMatchObject({ blocked: true });
    expect(JSON.stringify(blocked.body)).not.toContain('SECRET');
    expect(upstream.seen).toHaveLength(0);
  });

  it('manages filters through the admin API, refusing invalid ones and deleting one still in use', async () => {
    const invalid = await admin('POST', gateway, '/filters', {
      name: 'bad',
      kind: 'block',
      patterns: ['(unclosed'],
    });
    expect(invalid.status).toBe(400);
    expect((invalid.body!['error'] as { message: string }).message).toMatch(/^patterns: /);
    expect(
      (
        await admin('POST', gateway, '/filters', {
          name: 'ips',
          kind: 'redact',
          patterns: ['builtin:ip-addresses'],
        })
      ).status,
    ).toBe(201);
    expect((await admin('DELETE', gateway, '/filters/no-keys')).status).toBe(409);
    expect((await admin('DELETE', gateway, '/filters/ips')).status).toBe(204);
  });
});
