import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { parseConfig } from '../../../gateway/config/load.ts';
import { ConfigError, startGateway, type RunningGateway } from '../../../gateway/index.ts';
import { startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import type { FakeServer } from '../../support/fake-server.ts';
import { ADMIN_TOKEN } from '../../support/gateway.ts';
import { ANTHROPIC_VENDOR_KEY, fullExampleConfig, IDE_KEY, OPENAI_VENDOR_KEY } from './full-example.ts';

// Issue 10, item 2: exporting the config and importing the same file must change nothing. Keys are
// never exported; a stored one is written `apiKey: stored` (an app's fixed key `key: stored`), which
// import and `serve --config` read as "keep the key this gateway holds". An import that would
// remove a stored key says so (409, nothing applied) unless the request says `?dropKeys=true`.

const STUDIO_KEY = 'sk-studio-admin-made-key-0011223344';

let anthropic: FakeServer;
let openai: FakeOpenAi;
const dataDirs: string[] = [];
const running: RunningGateway[] = [];

async function start(options: { dataDir: string; configFile?: string; config?: unknown }) {
  const gateway = await startGateway({
    dataDir: options.dataDir,
    port: 0,
    adminToken: ADMIN_TOKEN,
    configFile: options.configFile,
    config:
      options.config === undefined
        ? undefined
        : parseConfig(options.config, 'test-config', { ANTHROPIC_API_KEY: ANTHROPIC_VENDOR_KEY }),
    log: () => {},
    shutdownGraceMs: 1000,
  });
  running.push(gateway);
  return gateway;
}

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-roundtrip-'));
  dataDirs.push(dir);
  return dir;
}

function client(gateway: RunningGateway) {
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${gateway.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> | null = null;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      // YAML
    }
    return { status: response.status, text, body: parsed };
  };
  const exportYaml = async () => (await admin('GET', '/config')).text;
  /** Everything the admin API shows of the store, times and sources included. */
  const snapshot = async () => ({
    routes: (await admin('GET', '/routes')).text,
    apps: (await admin('GET', '/apps')).text,
    filters: (await admin('GET', '/filters')).text,
    prices: (await admin('GET', '/prices')).text,
    settings: (await admin('GET', '/settings')).text,
  });
  const chat = (key: string, route: string, model: string) =>
    fetch(`${gateway.url}/openai/${route}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  return { admin, exportYaml, snapshot, chat };
}

type Client = ReturnType<typeof client>;

/** Every route that had a key still sends it: checked at the fake upstream. */
async function expectEveryKeyWorks(api: Client, agentKey: string) {
  expect((await api.chat(IDE_KEY, 'claude', 'claude-sonnet-4-5')).status).toBe(200);
  expect(anthropic.seen.at(-1)?.headers['x-api-key']).toBe(ANTHROPIC_VENDOR_KEY);
  expect((await api.chat(IDE_KEY, 'openai-main', 'gpt-4.1-nano')).status).toBe(200);
  expect(openai.seen.at(-1)?.headers['authorization']).toBe(`Bearer ${OPENAI_VENDOR_KEY}`);
  expect((await api.chat(agentKey, 'studio', 'gpt-4.1-nano')).status).toBe(200);
  expect(openai.seen.at(-1)?.headers['authorization']).toBe(`Bearer ${STUDIO_KEY}`);
}

/** The full example from a config file, plus what a user adds in the dashboard. */
async function populate(api: Client): Promise<string> {
  // A route made and deleted leaves a gap in the positions, as real use does.
  expect((await api.admin('POST', '/routes', { id: 'scratch', vendor: 'ollama' })).status).toBe(201);
  const studio = await api.admin('POST', '/routes', {
    id: 'studio',
    vendor: 'openai-compatible',
    baseUrl: openai.url,
    apiKey: STUDIO_KEY,
    filters: ['no-secrets'],
    modelMap: { 'big-*': 'studio-model', small: 'gpt-4.1-nano' },
  });
  expect(studio.status).toBe(201);
  expect((await api.admin('DELETE', '/routes/scratch')).status).toBe(204);
  const agent = await api.admin('POST', '/apps', {
    name: 'agent',
    budget: { usd: 1, period: 'day' },
    modelMap: { 'gemini-*flash*': 'local/llama3.2', 'gemini-*': 'studio/big-one' },
  });
  expect(agent.status).toBe(201);
  expect((await api.admin('POST', '/filters', { name: 'short', kind: 'max-tokens', max: 256 })).status).toBe(
    201,
  );
  expect((await api.admin('PUT', '/prices/studio-model', { inputPerMTok: 1, outputPerMTok: 3 })).status).toBe(
    200,
  );
  expect((await api.admin('PUT', '/settings', { corsOrigins: ['http://localhost:5173'] })).status).toBe(200);
  return agent.body!['key'] as string;
}

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAi()]);
});

afterAll(async () => {
  for (const gateway of running) await gateway.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  await Promise.all([anthropic?.close(), openai?.close()]);
});

describe('config export → import through the admin API', () => {
  let api: Client;
  let agentKey: string;

  beforeAll(async () => {
    const gateway = await start({
      dataDir: freshDir(),
      config: fullExampleConfig({ anthropic: anthropic.origin, openai: openai.url }),
    });
    api = client(gateway);
    agentKey = await populate(api);
  });

  it('exports no key, only `stored` where one is held', async () => {
    const yaml = await api.exportYaml();
    for (const secret of [ANTHROPIC_VENDOR_KEY, OPENAI_VENDOR_KEY, STUDIO_KEY, IDE_KEY, agentKey])
      expect(yaml).not.toContain(secret);
    expect(yaml).not.toMatch(/:\s*env:/);
    const parsed = parseYaml(yaml) as {
      routes: { id: string; apiKey?: string }[];
      apps: { name: string; key?: string }[];
    };
    expect(parsed.routes.map((route) => [route.id, route.apiKey])).toEqual([
      ['claude', 'stored'],
      ['openai-main', 'stored'],
      ['local', undefined],
      ['studio', 'stored'],
    ]);
    // Model maps keep their order: it is their meaning.
    expect(yaml).toContain(
      'modelMap:\n      claude-*haiku*: openai-main/gpt-4.1-nano\n      gpt-4o*: gpt-4.1-mini\n',
    );
    // my-ide's key came from the config file; agent's keys were issued by the dashboard (apps by name).
    expect(parsed.apps.map((app) => [app.name, app.key])).toEqual([
      ['agent', undefined],
      ['my-ide', 'stored'],
      ['scripts', undefined],
    ]);
  });

  it('imports its own export (YAML and JSON) changing nothing, and exports the same document again', async () => {
    const yaml = await api.exportYaml();
    const json = (await api.admin('GET', '/config?format=json')).text;
    const before = await api.snapshot();

    const fromYaml = await api.admin('POST', '/config', yaml);
    expect(fromYaml.status, fromYaml.text).toBe(200);
    expect(fromYaml.body).toEqual({ changes: 0, newKeys: [] });
    const fromJson = await api.admin('POST', '/config', json);
    expect(fromJson.body).toEqual({ changes: 0, newKeys: [] });

    expect(await api.exportYaml()).toBe(yaml);
    expect((await api.admin('GET', '/config?format=json')).text).toBe(json);
    // Sources (dashboard-made stays dashboard-made), times, keys' prefixes: all as they were.
    expect(await api.snapshot()).toEqual(before);
    const studio = (await api.admin('GET', '/routes/studio')).body!;
    expect(studio).toMatchObject({ source: 'admin', hasApiKey: true });
    await expectEveryKeyWorks(api, agentKey);
  });

  it('answers 409 naming the keys an import would remove, applies nothing, and drops them only when told', async () => {
    const yaml = await api.exportYaml();
    const edited = parseYaml(yaml) as {
      routes: Record<string, unknown>[];
      apps: Record<string, unknown>[];
    };
    delete edited.routes.find((route) => route['id'] === 'studio')!['apiKey'];
    delete edited.apps.find((app) => app['name'] === 'my-ide')!['key'];
    const before = await api.snapshot();

    const refused = await api.admin('POST', '/config', toYaml(edited));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'keys_would_be_dropped' },
      droppedKeys: { routes: ['studio'], apps: ['my-ide'] },
    });
    const message = (refused.body!['error'] as { message: string }).message;
    expect(message).toContain('route "studio"');
    expect(message).toContain('app "my-ide"');
    expect(await api.snapshot()).toEqual(before);
    await expectEveryKeyWorks(api, agentKey);

    // Only the route's key: the app keeps `key: stored`.
    edited.apps.find((app) => app['name'] === 'my-ide')!['key'] = 'stored';
    const dropped = await api.admin('POST', '/config?dropKeys=true', toYaml(edited));
    expect(dropped.status, dropped.text).toBe(200);
    expect((await api.admin('GET', '/routes/studio')).body).toMatchObject({
      hasApiKey: false,
      source: 'admin',
    });
    expect((await api.chat(IDE_KEY, 'openai-main', 'gpt-4.1-nano')).status).toBe(200);

    // Put it back for the tests after this one.
    expect((await api.admin('PATCH', '/routes/studio', { apiKey: STUDIO_KEY })).status).toBe(200);
  });

  it('refuses `stored` where no key is held, naming the route or app, and applies nothing', async () => {
    const edited = parseYaml(await api.exportYaml()) as {
      routes: Record<string, unknown>[];
      apps: Record<string, unknown>[];
    };
    edited.routes.find((route) => route['id'] === 'local')!['apiKey'] = 'stored';
    edited.routes.push({ id: 'brand-new', vendor: 'openai', apiKey: 'stored' });
    edited.apps.find((app) => app['name'] === 'agent')!['key'] = 'stored';
    const before = await api.snapshot();
    const refused = await api.admin('POST', '/config', toYaml(edited));
    expect(refused.status).toBe(400);
    const message = (refused.body!['error'] as { message: string }).message;
    expect(message).toContain(
      'routes[2].apiKey: "stored" keeps the key this gateway holds for route "local"',
    );
    expect(message).toContain(
      'routes[4].apiKey: "stored" keeps the key this gateway holds for route "brand-new"',
    );
    expect(message).toContain('apps[0].key: "stored" keeps the fixed key this gateway holds for app "agent"');
    expect(await api.snapshot()).toEqual(before);
  });

  it('reads `stored` on a route write as "keep the key", and refuses it where there is none', async () => {
    const kept = await api.admin('PATCH', '/routes/studio', { apiKey: 'stored', models: ['gpt-*'] });
    expect(kept.status).toBe(200);
    expect((await api.chat(agentKey, 'studio', 'gpt-4.1-nano')).status).toBe(200);
    expect(openai.seen.at(-1)?.headers['authorization']).toBe(`Bearer ${STUDIO_KEY}`);
    expect((await api.admin('PATCH', '/routes/local', { apiKey: 'stored' })).status).toBe(400);
    expect(
      (await api.admin('POST', '/routes', { id: 'fresh', vendor: 'openai', apiKey: 'stored' })).status,
    ).toBe(400);
    expect((await api.admin('GET', '/routes/fresh')).status).toBe(404);
  });
});

describe('serve --config with an exported file', () => {
  it('keeps the stored keys on the same data dir, and names each route and app with none elsewhere', async () => {
    const dataDir = freshDir();
    const first = await start({
      dataDir,
      config: fullExampleConfig({ anthropic: anthropic.origin, openai: openai.url }),
    });
    const firstApi = client(first);
    const agentKey = await populate(firstApi);
    const yaml = await firstApi.exportYaml();
    await first.close();

    const file = join(freshDir(), 'exported.yaml');
    writeFileSync(file, yaml);
    const again = await start({ dataDir, configFile: file });
    const api = client(again);
    await expectEveryKeyWorks(api, agentKey);
    expect(await api.exportYaml()).toBe(yaml);
    await again.close();

    const error = await start({ dataDir: freshDir(), configFile: file }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain(`${file}: invalid config:`);
    for (const [index, id] of [
      [0, 'claude'],
      [1, 'openai-main'],
      [3, 'studio'],
    ] as const) {
      expect(message).toContain(
        `routes[${index}].apiKey: "stored" keeps the key this gateway holds for route "${id}", but it holds none`,
      );
    }
    expect(message).toContain(
      'apps[1].key: "stored" keeps the fixed key this gateway holds for app "my-ide"',
    );
  });
});
