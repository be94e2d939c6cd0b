import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import type { FakeServer } from '../../support/fake-server.ts';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway.ts';
import { startAlertListener } from '../alerts/listener.ts';
import {
  ANTHROPIC_VENDOR_KEY,
  EVERY_FILTER,
  fullExampleConfig,
  IDE_KEY,
  OPENAI_VENDOR_KEY,
} from './full-example.ts';

// Issue 10, item 1: once a redact, block or system-prompt filter was stored, every route write
// failed with `400 filters[0].patterns: …` because routes were validated against a copy of the
// filters stripped to {name, kind}. Here every admin write endpoint runs against the store a user
// has after the README's full example (every filter kind, budgets, rate limits) and must succeed.

const ADMIN_DIR = fileURLToPath(new URL('../../../gateway/admin/', import.meta.url));

/** Every write endpoint the admin API defines, read from its sources: a new one fails the last test until covered here. */
function writeEndpoints(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(ADMIN_DIR).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(`${ADMIN_DIR}${file}`, 'utf8');
    for (const match of source.matchAll(/router\.(post|put|patch|delete)\(\s*'([^']+)'/g))
      found.add(`${match[1]!.toUpperCase()} ${match[2]}`);
  }
  return [...found].sort();
}

const ENDPOINTS = writeEndpoints();
/** Write endpoints that answered 2xx in this file. */
const succeeded = new Set<string>();

function endpointOf(method: string, path: string): string | undefined {
  const bare = path.split('?')[0]!;
  return ENDPOINTS.find((endpoint) => {
    const [endpointMethod, pattern] = endpoint.split(' ') as [string, string];
    const regex = new RegExp(`^${pattern.replace(/:[a-zA-Z]+/g, '[^/]+')}$`);
    return endpointMethod === method && regex.test(bare);
  });
}

let anthropic: FakeServer;
let openai: FakeOpenAi;
let gateway: TestGateway;

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const endpoint = endpointOf(method, path);
  if (endpoint && response.ok) succeeded.add(endpoint);
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    // YAML (the config export).
  }
  return { status: response.status, body: parsed, text };
};

/** A write that must succeed: its status, or the gateway's message when it did not. */
const write = async (method: string, path: string, body?: unknown) => {
  const response = await admin(method, path, body);
  expect(`${method} ${path}: ${response.status}`, response.text).toMatch(/: 2\d\d$/);
  return response;
};

const read = async <T>(path: string): Promise<T> => (await admin('GET', path)).body as T;

interface RouteView {
  id: string;
  models: string[];
  filters: string[];
  hasApiKey: boolean;
  budget: unknown;
  rateLimit: unknown;
  source: string;
}

const route = (id: string) => read<RouteView>(`/routes/${id}`);
const apps = async () =>
  (
    await read<{ data: { name: string; filters: string[]; budget: unknown; keys: { id: number }[] }[] }>(
      '/apps',
    )
  ).data;
const budgets = async () =>
  (await read<{ data: { scope: string; name: string; limitUsd: number }[] }>('/budgets')).data;

const chat = (key: string, routeId: string, content = 'hello', model = 'gpt-4.1-nano') =>
  fetch(`${gateway.url}/openai/${routeId}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAi()]);
  gateway = await startTestGateway(fullExampleConfig({ anthropic: anthropic.origin, openai: openai.url }), {
    ANTHROPIC_API_KEY: ANTHROPIC_VENDOR_KEY,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([anthropic?.close(), openai?.close()]);
});

describe('admin writes on a store holding every filter kind, budgets and rate limits', () => {
  it('starts from the full example: every filter kind is stored', async () => {
    const filters = await read<{ data: { name: string; kind: string }[] }>('/filters');
    expect(filters.data.map((filter) => filter.kind).sort()).toEqual(
      ['block', 'max-tokens', 'model', 'redact', 'script', 'system-prompt'].sort(),
    );
  });

  it('creates a route that uses no filter, and one that uses every filter', async () => {
    const plain = await write('POST', '/routes', {
      id: 'plain',
      vendor: 'openai',
      baseUrl: openai.url,
      apiKey: OPENAI_VENDOR_KEY,
    });
    expect(plain.status).toBe(201);
    expect(await route('plain')).toMatchObject({
      id: 'plain',
      filters: [],
      hasApiKey: true,
      source: 'admin',
    });

    const names = EVERY_FILTER.map((filter) => filter.name);
    await write('POST', '/routes', {
      id: 'filtered',
      vendor: 'openai',
      baseUrl: openai.url,
      apiKey: OPENAI_VENDOR_KEY,
      filters: names,
      budget: { usd: 3, period: 'day' },
      rateLimit: { rpm: 10, tpm: 10000 },
    });
    expect(await route('filtered')).toMatchObject({
      filters: names,
      budget: { usd: 3, period: 'day' },
      rateLimit: { rpm: 10, tpm: 10000 },
    });
  });

  it('still refuses a route that names a filter which does not exist', async () => {
    const response = await admin('POST', '/routes', { id: 'dangling', vendor: 'ollama', filters: ['nope'] });
    expect(response.status).toBe(400);
    expect((response.body!['error'] as { message: string }).message).toBe(
      'filters[0]: no filter named "nope" in filters',
    );
  });

  it('edits routes: models, a filter attached and detached, budget and rate limit set and cleared', async () => {
    await write('PATCH', '/routes/claude', { models: ['claude-sonnet-*'] });
    expect(await route('claude')).toMatchObject({ models: ['claude-sonnet-*'], filters: ['no-secrets'] });

    await write('PATCH', '/routes/claude', { filters: ['no-secrets', 'house-rules'] });
    expect((await route('claude')).filters).toEqual(['no-secrets', 'house-rules']);
    // The attached filter acts on the next request: its system prompt reaches the upstream.
    expect((await chat(IDE_KEY, 'claude', 'hello', 'claude-sonnet-4-5')).status).toBe(200);
    expect(JSON.stringify(anthropic.seen.at(-1)?.body)).toContain('Be brief.');
    await write('PATCH', '/routes/claude', { filters: ['no-secrets'] });

    await write('PATCH', '/routes/openai-main', {
      budget: { usd: 75, period: 'month' },
      rateLimit: { rpm: 5 },
    });
    expect(await route('openai-main')).toMatchObject({
      budget: { usd: 75, period: 'month' },
      rateLimit: { rpm: 5 },
      hasApiKey: true,
    });
    await write('PATCH', '/routes/plain', { filters: [], budget: null, rateLimit: null });
    expect(await route('plain')).toMatchObject({ filters: [], budget: null, rateLimit: null });
  });

  it('shows route and app budgets as they are written', async () => {
    expect(await budgets()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scope: 'app', name: 'my-ide', limitUsd: 5 }),
        expect.objectContaining({ scope: 'route', name: 'claude', limitUsd: 20 }),
        expect.objectContaining({ scope: 'route', name: 'openai-main', limitUsd: 75 }),
        expect.objectContaining({ scope: 'route', name: 'filtered', limitUsd: 3 }),
      ]),
    );
  });

  it('tests a route’s connection through its filters', async () => {
    const tested = await write('POST', '/routes/claude/test');
    expect(tested.body).toMatchObject({ ok: true });
    expect(anthropic.seen.at(-1)?.headers['x-api-key']).toBe(ANTHROPIC_VENDOR_KEY);
    // The dashboard's form, unsaved: a stored route with edits, and a route not created yet.
    const edited = await write('POST', '/routes/claude/test', { filters: ['no-secrets', 'house-rules'] });
    expect(edited.body).toMatchObject({ ok: true });
    const drafted = await write('POST', '/routes/test', {
      id: 'draft',
      vendor: 'anthropic',
      baseUrl: anthropic.origin,
      apiKey: ANTHROPIC_VENDOR_KEY,
      defaultModel: 'claude-sonnet-4-5',
      filters: ['no-secrets'],
    });
    expect(drafted.body).toMatchObject({ ok: true });
    expect(anthropic.seen.at(-1)?.headers['x-api-key']).toBe(ANTHROPIC_VENDOR_KEY);
    expect((await admin('GET', '/routes/draft')).status).toBe(404);
  });

  it('deletes a route', async () => {
    expect((await write('DELETE', '/routes/filtered')).status).toBe(204);
    expect((await admin('GET', '/routes/filtered')).status).toBe(404);
  });

  it('creates and edits apps with filters, budgets and rate limits; issues, revokes keys; deletes', async () => {
    const created = await write('POST', '/apps', {
      name: 'agent',
      routes: ['openai-main', 'plain'],
      budget: { usd: 2, period: 'day' },
      rateLimit: { rpm: 30 },
      filters: ['no-secrets', 'guard'],
    });
    expect(created.status).toBe(201);
    const key = created.body!['key'] as string;
    expect((await chat(key, 'plain')).status).toBe(200);
    // The app's script filter runs on its requests.
    expect((await chat(key, 'plain', 'this is forbidden')).status).toBe(403);

    await write('PATCH', '/apps/agent', { budget: { usd: 4, period: 'week' }, filters: ['no-secrets'] });
    await write('PATCH', '/apps/my-ide', { rateLimit: { rpm: 120, tpm: 100000 } });
    const listed = await apps();
    expect(listed.find((app) => app.name === 'agent')).toMatchObject({
      budget: { usd: 4, period: 'week' },
      filters: ['no-secrets'],
    });
    expect(await budgets()).toEqual(
      expect.arrayContaining([expect.objectContaining({ scope: 'app', name: 'agent', limitUsd: 4 })]),
    );

    const second = await write('POST', '/apps/agent/keys');
    expect(second.status).toBe(201);
    expect((await chat(second.body!['key'] as string, 'plain')).status).toBe(200);
    await write('DELETE', `/apps/agent/keys/${second.body!['id'] as number}`);
    expect((await chat(second.body!['key'] as string, 'plain')).status).toBe(401);

    await write('DELETE', '/apps/agent');
    expect((await apps()).some((app) => app.name === 'agent')).toBe(false);
  });

  it('refuses an app that names a filter which does not exist', async () => {
    const response = await admin('POST', '/apps', { name: 'dangling', filters: ['nope'] });
    expect(response.status).toBe(400);
    expect((response.body!['error'] as { message: string }).message).toBe('filters: no filter named "nope".');
    expect((await apps()).some((app) => app.name === 'dangling')).toBe(false);
  });

  it('creates, replaces, tries and deletes filters of every kind', async () => {
    for (const filter of EVERY_FILTER) {
      const copy = { ...filter, name: `${filter.name}-2` };
      const created = await write('POST', '/filters', copy);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject(copy);
    }
    await write('PUT', '/filters/no-secrets-2', { kind: 'redact', patterns: ['builtin:emails'] });
    const tried = await write('POST', '/filters/test', {
      filter: 'no-secrets-2',
      request: { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'mail ada@example.com' }] },
    });
    expect(JSON.stringify(tried.body)).toContain('[REDACTED:emails]');
    // A route may now use a filter created after it.
    await write('PATCH', '/routes/plain', { filters: ['no-secrets-2', 'cap-2'] });
    await write('PATCH', '/routes/plain', { filters: [] });
    for (const filter of EVERY_FILTER) await write('DELETE', `/filters/${filter.name}-2`);
    const names = (await read<{ data: { name: string }[] }>('/filters')).data.map((filter) => filter.name);
    expect(names.sort()).toEqual(EVERY_FILTER.map((filter) => filter.name).sort());
  });

  it('sets and removes a price', async () => {
    await write('PUT', '/prices/house-model', { inputPerMTok: 1, outputPerMTok: 2 });
    const prices = async () =>
      (await read<{ data: { model: string }[] }>('/prices')).data.map((p) => p.model);
    expect(await prices()).toContain('house-model');
    await write('DELETE', '/prices/house-model');
    expect(await prices()).not.toContain('house-model');
  });

  it('changes the settings', async () => {
    const changed = await write('PUT', '/settings', {
      maxBodyMb: 16,
      corsOrigins: ['http://localhost:5173'],
    });
    expect(changed.body).toMatchObject({ maxBodyMb: 16, corsOrigins: ['http://localhost:5173'] });
    await write('PUT', '/settings', { maxBodyMb: 32, corsOrigins: [] });
  });

  it('imports what it exports', async () => {
    const exported = (await admin('GET', '/config')).text;
    expect(exported).not.toContain(ANTHROPIC_VENDOR_KEY);
    const imported = await write('POST', '/config', exported);
    expect(imported.body).toEqual({ changes: 0, newKeys: [] });
    expect((await admin('GET', '/config')).text).toBe(exported);
    expect((await chat(IDE_KEY, 'openai-main')).status).toBe(200);
    expect(openai.seen.at(-1)?.headers['authorization']).toBe(`Bearer ${OPENAI_VENDOR_KEY}`);
  });

  it('sends a test alert', async () => {
    const listener = await startAlertListener();
    try {
      const sent = await write('POST', '/settings/alert-webhook/test', { url: `${listener.origin}/hook` });
      expect(sent.body).toEqual({ delivered: true, status: 204, message: null });
    } finally {
      await listener.close();
    }
  });

  it('looks for model servers on a port it is given', async () => {
    // Port 1: nothing listens there, so it is looked at and nothing is found.
    const looked = await write('POST', '/discovery', { ports: [1] });
    expect(looked.body).toMatchObject({ servers: [] });
  });

  it('sends a playground prompt, and replays a logged request', async () => {
    const sent = await write('POST', '/playground', {
      route: 'openai-main',
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(sent.body).toMatchObject({ status: 200, request: { app: 'playground' } });
    await write('PATCH', '/routes/openai-main', { logBodies: true });
    try {
      const logged = await chat(IDE_KEY, 'openai-main');
      const id = logged.headers.get('x-switchboard-request-id');
      await logged.text();
      const replayed = await write('POST', `/requests/${id}/replay`, { route: 'openai-main' });
      expect(replayed.body).toMatchObject({
        status: 200,
        request: { app: 'playground', route: 'openai-main' },
      });
    } finally {
      await write('PATCH', '/routes/openai-main', { logBodies: false });
    }
  });

  it('covered every write endpoint of the admin API with a success', () => {
    // Sanity: the scan found the endpoints this file knows of.
    expect(ENDPOINTS).toEqual(expect.arrayContaining(['POST /routes', 'PATCH /routes/:id', 'POST /config']));
    expect(ENDPOINTS.filter((endpoint) => !succeeded.has(endpoint))).toEqual([]);
  });
});
