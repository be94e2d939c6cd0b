import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { GEMINI_KEY, startFakeGemini } from '../../support/fake-gemini.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { chatCompletion, sendJson, type FakeServer } from '../../support/fake-server.ts';
import {
  ADMIN_TOKEN,
  APP_KEY,
  startTestGateway,
  VENDOR_KEY,
  type TestGateway,
} from '../../support/gateway.ts';

// Issue 15, part 5: prompts and replays from the dashboard go through the gateway as a built-in
// app's requests: policy applies, they are recorded, and the app can be budgeted.

let gateway: TestGateway;
let openai: FakeOpenAi;
let anthropic: FakeServer;
let gemini: FakeServer;

interface Result {
  format: string;
  status: number;
  response: string;
  cut: boolean;
  request: Record<string, unknown> | null;
}

const admin = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
};

const prompt = (route: string, model: string, content = 'Say hello') =>
  admin<Result>('POST', '/playground', { route, model, messages: [{ role: 'user', content }] });

/** A client's request, by the app `ide`, whose row (and logged body) a replay starts from. */
async function clientCall(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await response.text();
  expect(response.status, path).toBeLessThan(500);
  return response.headers.get('x-switchboard-request-id')!;
}

const playgroundApp = async () =>
  (
    await admin<{
      data: { name: string; builtIn: boolean; keys: { id: number; revokedAt: string | null }[] }[];
    }>('GET', '/apps')
  ).body.data.find((app) => app.name === 'playground');

beforeAll(async () => {
  [openai, anthropic, gemini] = await Promise.all([
    startFakeOpenAi(),
    startFakeAnthropic(),
    startFakeGemini(),
  ]);
  gateway = await startTestGateway({
    routes: [
      { id: 'oa', vendor: 'openai', baseUrl: openai.url, apiKey: VENDOR_KEY, logBodies: true },
      {
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: anthropic.origin,
        apiKey: ANTHROPIC_KEY,
        logBodies: true,
      },
      { id: 'gem', vendor: 'gemini', baseUrl: gemini.origin, apiKey: GEMINI_KEY, logBodies: true },
      { id: 'quiet', vendor: 'openai', baseUrl: openai.url, apiKey: VENDOR_KEY },
      { id: 'narrow', vendor: 'openai', baseUrl: openai.url, apiKey: VENDOR_KEY, models: ['gpt-4.1-nano'] },
      {
        id: 'nice',
        vendor: 'openai',
        baseUrl: openai.url,
        apiKey: VENDOR_KEY,
        logBodies: true,
        filters: ['be-nice'],
      },
    ],
    filters: [{ name: 'be-nice', kind: 'system-prompt', mode: 'prepend', text: 'BE NICE' }],
    apps: [{ name: 'ide', key: APP_KEY }],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([openai?.close(), anthropic?.close(), gemini?.close()]);
});

describe('the playground', () => {
  it('sends a prompt to a route and model as the built-in app, recorded like any request', async () => {
    const { status, body } = await prompt('oa', 'gpt-4.1-nano');
    expect(status).toBe(200);
    expect(body.status).toBe(200);
    expect(body.format).toBe('openai-chat');
    const answer = JSON.parse(body.response) as {
      object: string;
      choices: { message: { content: string } }[];
    };
    expect(answer.object).toBe('chat.completion');
    expect(answer.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(body.request).toMatchObject({ app: 'playground', route: 'oa', status: 200, stream: false });
    expect(body.request!['inputTokens']).toBeGreaterThan(0);
    // The vendor got the route's key, and the prompt as given.
    const seen = openai.seen.at(-1)!;
    expect(seen.headers['authorization']).toBe(`Bearer ${VENDOR_KEY}`);
    expect(seen.body).toMatchObject({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    // The built-in app exists now, with one key, and says it is built in.
    expect(await playgroundApp()).toMatchObject({ builtIn: true, keys: [{ revokedAt: null }] });
  });

  it('translates for any vendor: the same prompt to an Anthropic route', async () => {
    const { body } = await prompt('claude', 'claude-haiku-4-5');
    expect(body.status).toBe(200);
    expect(body.request).toMatchObject({ app: 'playground', route: 'claude', vendor: 'anthropic' });
    expect(anthropic.seen.at(-1)!.headers['x-api-key']).toBe(ANTHROPIC_KEY);
  });

  it('keeps one key, sealed: never the key itself in the database', async () => {
    await prompt('oa', 'gpt-4.1-nano');
    const app = await playgroundApp();
    expect(app!.keys).toHaveLength(1);
    const db = new Database(join(gateway.dataDir, 'switchboard.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT value FROM settings WHERE key = 'playground.key'").get() as {
        value: string;
      };
      expect(row.value).not.toMatch(/sbk_/);
    } finally {
      db.close();
    }
  });

  it('comes back after its key is revoked or its app deleted', async () => {
    const app = await playgroundApp();
    expect((await admin('DELETE', `/apps/playground/keys/${app!.keys[0]!.id}`)).status).toBe(204);
    expect((await prompt('oa', 'gpt-4.1-nano')).body.status).toBe(200);
    const after = await playgroundApp();
    expect(after!.keys.filter((key) => key.revokedAt === null)).toHaveLength(1);
    expect((await admin('DELETE', '/apps/playground')).status).toBe(204);
    expect((await prompt('oa', 'gpt-4.1-nano')).body.status).toBe(200);
    expect(await playgroundApp()).toMatchObject({ builtIn: true });
  });

  it('replaces, and revokes, a kept key that can no longer be opened', async () => {
    const db = new Database(join(gateway.dataDir, 'switchboard.db'));
    try {
      const kept = JSON.parse(
        (db.prepare("SELECT value FROM settings WHERE key = 'playground.key'").get() as { value: string })
          .value,
      ) as { keyId: number; sealed: string };
      db.prepare("UPDATE settings SET value = ? WHERE key = 'playground.key'").run(
        JSON.stringify({ ...kept, sealed: 'not-sealed-by-this-gateway' }),
      );
    } finally {
      db.close();
    }
    expect((await prompt('oa', 'gpt-4.1-nano')).body.status).toBe(200);
    const keys = (await playgroundApp())!.keys;
    expect(keys.filter((key) => key.revokedAt === null)).toHaveLength(1);
    expect(keys.length).toBeGreaterThan(1);
  });

  it('meets the route’s policy: a model off its allow-list is refused and recorded', async () => {
    const { status, body } = await prompt('narrow', 'gpt-4.1-mini');
    expect(status).toBe(200);
    expect(body.status).toBe(403);
    expect(JSON.parse(body.response)).toMatchObject({ error: { code: 'model_not_allowed' } });
    expect(body.request).toMatchObject({ app: 'playground', status: 403, errorCode: 'model_not_allowed' });
  });

  it('is charged to its app’s budget, which the user sets like any app’s', async () => {
    expect(
      (await admin('PATCH', '/apps/playground', { budget: { usd: 0.000001, period: 'day' } })).status,
    ).toBe(200);
    const { body } = await prompt('oa', 'gpt-4.1-nano');
    expect(body.status).toBe(429);
    expect(body.request).toMatchObject({ app: 'playground', errorCode: 'budget_exceeded' });
    expect((await admin('PATCH', '/apps/playground', { budget: null })).status).toBe(200);
  });

  it('offers the models the route’s allow-list takes, from the vendor’s list', async () => {
    const all = await admin<{ data: string[] }>('GET', '/routes/narrow/models');
    expect(all.body.data).toEqual(expect.arrayContaining(['gpt-4.1-nano', 'gpt-4.1-mini']));
    expect((await admin<{ data: string[] }>('GET', '/routes/narrow/models?allowed=true')).body.data).toEqual([
      'gpt-4.1-nano',
    ]);
  });

  it('answers 400 for a bad prompt and 404 for an unknown route, sending nothing', async () => {
    const before = openai.seen.length;
    const bad = await admin<{ error: { message: string } }>('POST', '/playground', {
      route: 'oa',
      model: 'gpt-4.1-nano',
      messages: [{ role: 'robot', content: 'x' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^messages\.0\.role: /);
    const unknown = await admin<{ error: { message: string } }>('POST', '/playground', {
      route: 'nope',
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('Route "nope" does not exist.');
    expect(openai.seen.length).toBe(before);
  });

  it('stops the call when the dashboard stops waiting: the row says the client left', async () => {
    openai.respond(() => {
      // Never answers: only the caller leaving ends this call.
    });
    try {
      const controller = new AbortController();
      const pending = fetch(`${gateway.url}/admin/api/playground`, {
        method: 'POST',
        signal: controller.signal,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          route: 'quiet',
          model: 'gpt-4.1-nano',
          messages: [{ role: 'user', content: 'wait' }],
        }),
      });
      await expect
        .poll(() => openai.seen.at(-1)?.body?.['messages'])
        .toEqual([{ role: 'user', content: 'wait' }]);
      controller.abort();
      await expect(pending).rejects.toThrow();
      await expect
        .poll(
          async () =>
            (await admin<{ data: Record<string, unknown>[] }>('GET', '/requests?route=quiet&limit=1')).body
              .data[0],
          { timeout: 3000 },
        )
        .toMatchObject({ app: 'playground', status: 499, errorCode: 'client_closed' });
    } finally {
      openai.respond(null);
    }
  });

  it('answers with the first 4 MiB of a longer answer, and says it was cut', async () => {
    const limit = 4 * 1024 * 1024;
    const completion = chatCompletion('gpt-4.1-nano', 5, 5);
    const long = {
      index: 0,
      message: { role: 'assistant', content: 'x'.repeat(5 * 1024 * 1024) },
      finish_reason: 'stop',
    };
    openai.respond((_request, response) => sendJson(response, 200, { ...completion, choices: [long] }));
    try {
      const { status, body } = await prompt('quiet', 'gpt-4.1-nano');
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 200, cut: true });
      expect(body.response.length).toBeLessThanOrEqual(limit);
      // Its start, not nothing: the answer as a client got it, up to the limit.
      expect(body.response.length).toBeGreaterThan(limit - 1024);
      expect(body.response).toMatch(/^\{"id":/);
    } finally {
      openai.respond(null);
    }
  });
});

describe('replay', () => {
  it('sends a logged streamed Chat Completions request to another vendor and model, not streamed', async () => {
    const id = await clientCall('/openai/oa/v1/chat/completions', {
      model: 'gpt-4.1-nano',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Compare me' }],
    });
    const { status, body } = await admin<Result>('POST', `/requests/${id}/replay`, {
      route: 'claude',
      model: 'claude-haiku-4-5',
    });
    expect(status).toBe(200);
    expect(body.status).toBe(200);
    expect(body.format).toBe('openai-chat');
    expect(JSON.parse(body.response)).toMatchObject({ object: 'chat.completion' });
    expect(body.request).toMatchObject({
      app: 'playground',
      route: 'claude',
      model: 'claude-haiku-4-5',
      stream: false,
      endpoint: 'chat.completions',
    });
    expect(anthropic.seen.at(-1)!.body).toMatchObject({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Compare me' }] }],
    });
  });

  it('replays on the same route and model when none is given', async () => {
    const id = await clientCall('/openai/oa/v1/chat/completions', {
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'again' }],
    });
    const { body } = await admin<Result>('POST', `/requests/${id}/replay`, { route: 'oa' });
    expect(body.request).toMatchObject({ route: 'oa', model: 'gpt-4.1-mini', app: 'playground' });
  });

  it('sends an Anthropic Messages request in its own format, outside the agent’s session', async () => {
    const id = await clientCall(
      '/anthropic/claude/v1/messages',
      {
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        metadata: { user_id: 'user_abc_account_def_session_0123abcd-0000-4000-8000-000000000000' },
        messages: [{ role: 'user', content: 'Anthropic asks' }],
      },
      { 'anthropic-version': '2023-06-01' },
    );
    const original = (await admin<{ data: Record<string, unknown>[] }>('GET', `/requests?q=${id}`)).body
      .data[0];
    expect(original!['session']).toBe('0123abcd-0000-4000-8000-000000000000');
    const { body } = await admin<Result>('POST', `/requests/${id}/replay`, {
      route: 'oa',
      model: 'gpt-4.1-nano',
    });
    expect(body.format).toBe('anthropic-messages');
    expect(body.status).toBe(200);
    expect(JSON.parse(body.response)).toMatchObject({ type: 'message', role: 'assistant' });
    expect(body.request).toMatchObject({
      route: 'oa',
      endpoint: 'messages',
      session: null,
      app: 'playground',
    });
  });

  it('sends a logged Gemini stream to generateContent, the model in the path', async () => {
    const id = await clientCall('/gemini/gem/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', {
      contents: [{ role: 'user', parts: [{ text: 'Gemini asks' }] }],
    });
    const { body } = await admin<Result>('POST', `/requests/${id}/replay`, { route: 'gem' });
    expect(body.status).toBe(200);
    expect(body.format).toBe('gemini');
    expect(JSON.parse(body.response)).toHaveProperty('candidates');
    expect(gemini.seen.at(-1)!.url).toMatch(/^\/v1beta\/models\/gemini-2\.5-flash:generateContent/);
  });

  it('sends an Anthropic Messages request that names no max_tokens (the gateway takes it)', async () => {
    const id = await clientCall('/anthropic/oa/v1/messages', {
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'no limit given' }],
    });
    const { body } = await admin<Result>('POST', `/requests/${id}/replay`, { route: 'oa' });
    expect(body.status).toBe(200);
    expect(body.format).toBe('anthropic-messages');
  });

  it('applies the route’s filters once: a system prompt already in the logged body is not added again', async () => {
    const id = await clientCall('/openai/nice/v1/chat/completions', {
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'be filtered' }],
    });
    expect(openai.seen.at(-1)!.body!['messages']).toEqual([
      { role: 'system', content: 'BE NICE' },
      { role: 'user', content: 'be filtered' },
    ]);
    const { body } = await admin<Result>('POST', `/requests/${id}/replay`, { route: 'nice' });
    expect(body.status).toBe(200);
    expect(openai.seen.at(-1)!.body!['messages']).toEqual([
      { role: 'system', content: 'BE NICE' },
      { role: 'user', content: 'be filtered' },
    ]);
  });

  it('refuses a token count and another API by the path they were sent to, sending nothing', async () => {
    const counted = await clientCall('/gemini/gem/v1beta/models/gemini-2.5-flash:countTokens', {
      contents: [{ role: 'user', parts: [{ text: 'count me' }] }],
    });
    const embedded = await clientCall('/proxy/oa/embeddings', {
      model: 'text-embedding-3-small',
      input: 'hello',
    });
    const anthropicCount = await clientCall(
      '/anthropic/claude/v1/messages/count_tokens',
      { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'count' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    const seen = [openai.seen.length, anthropic.seen.length, gemini.seen.length];
    for (const [id, reason] of [
      [counted, /counted tokens/],
      [embedded, /Only chat requests/],
      [anthropicCount, /counted tokens/],
    ] as const) {
      const refused = await admin<{ error: { code: string; message: string } }>(
        'POST',
        `/requests/${id}/replay`,
        {
          route: 'oa',
        },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('not_replayable');
      expect(refused.body.error.message).toMatch(reason);
    }
    expect([openai.seen.length, anthropic.seen.length, gemini.seen.length]).toEqual(seen);
  });

  it('says when there is no body because Switchboard answered the request itself', async () => {
    // An OpenAI route counts no tokens: the gateway counts them, and no vendor call (nor body) is made.
    const id = await clientCall(
      '/anthropic/oa/v1/messages/count_tokens',
      { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'count' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    const refused = await admin<{ error: { message: string } }>('POST', `/requests/${id}/replay`, {
      route: 'oa',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/Switchboard answered it itself/);
  });

  it('shows a logged body as request and answer only', async () => {
    const id = await clientCall('/openai/oa/v1/chat/completions', {
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'shown' }],
    });
    const bodies = await admin<Record<string, unknown>>('GET', `/requests/${id}/bodies`);
    expect(Object.keys(bodies.body).sort()).toEqual(['logged', 'request', 'response']);
  });

  it('says why where there is nothing to replay, and 404s what does not exist', async () => {
    const quiet = await clientCall('/openai/quiet/v1/chat/completions', {
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'not logged' }],
    });
    const unlogged = await admin<{ error: { code: string; message: string } }>(
      'POST',
      `/requests/${quiet}/replay`,
      { route: 'oa' },
    );
    expect(unlogged.status).toBe(400);
    expect(unlogged.body.error).toMatchObject({ code: 'not_replayable' });
    expect(unlogged.body.error.message).toMatch(/turn on body logging for route "quiet"/);

    expect((await admin('POST', '/requests/req_nope/replay', { route: 'oa' })).status).toBe(404);
    expect((await admin('POST', `/requests/${quiet}/replay`, { route: 'nope' })).status).toBe(404);
    expect((await admin('POST', `/requests/${quiet}/replay`, { route: 'oa', extra: 1 })).status).toBe(400);
  });
});

describe('the built-in app in a config file', () => {
  it('may be listed (for its budget) without a key being handed out for it', async () => {
    const other = await startTestGateway({
      routes: [],
      apps: [{ name: 'playground', budget: { usd: 1, period: 'day' } }, { name: 'tool' }],
    });
    try {
      expect(other.newKeys.map((entry) => entry.app)).toEqual(['tool']);
    } finally {
      await other.stop();
    }
  });
});
