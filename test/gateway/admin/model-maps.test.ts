import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import {
  ADMIN_TOKEN,
  APP_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

// Issue 12, item 3: model maps on routes and apps, written and read through the admin API, kept in
// their order, and applied to requests (the app's map choosing the route at the root).

let upstream: FakeOpenAi;
let gateway: TestGateway;

const CLAUDE_CODE_MAP = { 'claude-*haiku*': 'local/llama3.2', 'claude-*': 'gpt/gpt-4.1-nano' };

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // YAML (the config export).
  }
  return { status: response.status, body: parsed, text };
};

const messageOf = (body: Record<string, unknown>) => (body['error'] as { message: string }).message;

const chat = (path: string, model: string, key = APP_KEY) =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

beforeAll(async () => {
  upstream = await startFakeOpenAi();
  gateway = await startTestGateway({
    routes: [
      { id: 'gpt', vendor: 'openai', baseUrl: upstream.url, apiKey: 'sk-test-gpt', models: ['gpt-*'] },
      { id: 'local', vendor: 'openai-compatible', baseUrl: upstream.url, models: ['llama*', 'qwen*'] },
    ],
    apps: [{ name: 'claude-code', key: APP_KEY, modelMap: CLAUDE_CODE_MAP }],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

describe('model maps through the admin API', () => {
  it('shows a config app’s map in its order, and none as null', async () => {
    const apps = (await admin('GET', '/apps')).body['data'] as { name: string; modelMap: unknown }[];
    const app = apps.find((item) => item.name === 'claude-code')!;
    expect(Object.entries(app.modelMap as object)).toEqual(Object.entries(CLAUDE_CODE_MAP));
    expect((await admin('GET', '/routes/gpt')).body['modelMap']).toBeNull();
  });

  it('creates, reads, replaces and clears a route’s map', async () => {
    const created = await admin('POST', '/routes', {
      id: 'mapped',
      vendor: 'openai-compatible',
      baseUrl: upstream.url,
      modelMap: { 'gemini-*flash*': 'qwen3', 'gemini-*': 'llama3.3' },
    });
    expect(created.status, created.text).toBe(201);
    expect(Object.keys(created.body['modelMap'] as object)).toEqual(['gemini-*flash*', 'gemini-*']);
    expect((await admin('GET', '/routes/mapped')).body['modelMap']).toEqual(created.body['modelMap']);

    // A PATCH without modelMap keeps it; with one, replaces it whole; null (or {}) clears it.
    const other = await admin('PATCH', '/routes/mapped', { models: ['llama*', 'qwen*'] });
    expect(other.body['modelMap']).toEqual(created.body['modelMap']);
    const replaced = await admin('PATCH', '/routes/mapped', { modelMap: { 'gemini-*': 'qwen3' } });
    expect(replaced.body['modelMap']).toEqual({ 'gemini-*': 'qwen3' });
    expect((await admin('PATCH', '/routes/mapped', { modelMap: null })).body['modelMap']).toBeNull();
    await admin('PATCH', '/routes/mapped', { modelMap: { 'gemini-*': 'qwen3' } });
    expect((await admin('PATCH', '/routes/mapped', { modelMap: {} })).body['modelMap']).toBeNull();
    expect((await admin('DELETE', '/routes/mapped')).status).toBe(204);
  });

  it('refuses an invalid route map with 400, naming the field, and saves nothing', async () => {
    const refused = await admin('PATCH', '/routes/local', { modelMap: { 'claude-*': '' } });
    expect(refused.status).toBe(400);
    expect(messageOf(refused.body)).toContain('modelMap.claude-*: a model cannot be empty');
    const empty = await admin('POST', '/routes', { id: 'bad', vendor: 'ollama', modelMap: { '': 'x' } });
    expect(empty.status).toBe(400);
    expect(messageOf(empty.body)).toContain('modelMap: a pattern cannot be empty');
    expect((await admin('GET', '/routes/local')).body['modelMap']).toBeNull();
    expect((await admin('GET', '/routes/bad')).status).toBe(404);
  });

  it('creates, replaces and clears an app’s map, and refuses an invalid one', async () => {
    const created = await admin('POST', '/apps', {
      name: 'gemini-cli',
      modelMap: { 'gemini-*': 'gpt/gpt-4.1' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body['modelMap']).toEqual({ 'gemini-*': 'gpt/gpt-4.1' });
    const replaced = await admin('PATCH', '/apps/gemini-cli', {
      modelMap: { 'gemini-*flash*': 'local/qwen3', 'gemini-*': 'gpt/gpt-4.1' },
    });
    expect(Object.keys(replaced.body['modelMap'] as object)).toEqual(['gemini-*flash*', 'gemini-*']);
    const kept = await admin('PATCH', '/apps/gemini-cli', { budget: { usd: 1, period: 'day' } });
    expect(kept.body['modelMap']).toEqual(replaced.body['modelMap']);
    const refused = await admin('PATCH', '/apps/gemini-cli', { modelMap: { 'gemini-*': 7 } });
    expect(refused.status).toBe(400);
    expect(messageOf(refused.body)).toContain('modelMap.gemini-*');
    expect((await admin('PATCH', '/apps/gemini-cli', { modelMap: null })).body['modelMap']).toBeNull();
    expect((await admin('DELETE', '/apps/gemini-cli')).status).toBe(204);
  });

  it('exports the maps in the config file, in their order', async () => {
    const exported = parseYaml((await admin('GET', '/config')).text) as {
      apps: { name: string; modelMap?: Record<string, string> }[];
    };
    const app = exported.apps.find((item) => item.name === 'claude-code')!;
    expect(Object.entries(app.modelMap!)).toEqual(Object.entries(CLAUDE_CODE_MAP));
  });
});

describe('model maps on requests', () => {
  it('sends a root request where the app’s map says, and records the model asked and the one used', async () => {
    const background = await chat('/v1/chat/completions', 'claude-haiku-4-5');
    expect(background.status, await background.clone().text()).toBe(200);
    expect(upstream.seen.at(-1)?.body?.['model']).toBe('llama3.2');
    const main = await chat('/v1/chat/completions', 'claude-sonnet-4-6');
    expect(main.status).toBe(200);
    expect(upstream.seen.at(-1)?.body?.['model']).toBe('gpt-4.1-nano');
    // An unmapped model is sent as asked, with no requested model recorded.
    expect((await chat('/v1/chat/completions', 'gpt-4.1-mini')).status).toBe(200);

    const [unmapped, sonnet, haiku] = await requestRows(gateway, 3);
    expect(haiku).toMatchObject({ route: 'local', model: 'llama3.2', requestedModel: 'claude-haiku-4-5' });
    expect(sonnet).toMatchObject({
      route: 'gpt',
      model: 'gpt-4.1-nano',
      requestedModel: 'claude-sonnet-4-6',
    });
    expect(unmapped).toMatchObject({ route: 'gpt', model: 'gpt-4.1-mini', requestedModel: null });
  });

  it('refuses on a route’s path a map value naming another route, with 403 route_not_allowed', async () => {
    const refused = await chat('/openai/gpt/v1/chat/completions', 'claude-haiku-4-5');
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('route_not_allowed');
    expect(body.error.message).toContain('sends "claude-haiku-4-5" to route "local"');
    // A value naming the path's own route applies there.
    expect((await chat('/openai/gpt/v1/chat/completions', 'claude-sonnet-4-6')).status).toBe(200);
    expect(upstream.seen.at(-1)?.body?.['model']).toBe('gpt-4.1-nano');
  });

  it('applies a route’s map after the app’s, from the moment it is saved', async () => {
    const saved = await admin('PATCH', '/routes/local', { modelMap: { 'llama3.2': 'qwen3' } });
    expect(saved.status, saved.text).toBe(200);
    expect((await chat('/v1/chat/completions', 'claude-haiku-4-5')).status).toBe(200);
    expect(upstream.seen.at(-1)?.body?.['model']).toBe('qwen3');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route: 'local', model: 'qwen3', requestedModel: 'claude-haiku-4-5' });
  });
});
