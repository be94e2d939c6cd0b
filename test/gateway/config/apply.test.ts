import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig, KeysWouldBeDropped } from '../../../gateway/config/apply.ts';
import { parseConfig } from '../../../gateway/config/load.ts';
import type { ResolvedConfig } from '../../../gateway/config/load.ts';
import { hashKey } from '../../../gateway/keys.ts';
import { fileKeyBox } from '../../../gateway/secrets/file-key-box.ts';
import type { SecretBox } from '../../../gateway/secrets/types.ts';
import { openDatabase } from '../../../gateway/store/database.ts';
import { createStore } from '../../../gateway/store/index.ts';
import type { Store } from '../../../gateway/store/index.ts';

const OPENAI_KEY = 'sk-test-openai-vendor-key-0001';
const FIXED_KEY = 'sbk_test_0123456789abcdef0123';

function baseRaw(): Record<string, unknown> {
  return {
    routes: [
      {
        id: 'oa',
        vendor: 'openai',
        apiKey: 'env:OPENAI_KEY',
        models: ['gpt-*'],
        defaultModel: 'gpt-4.1-nano',
      },
      { id: 'local', vendor: 'ollama', models: [] },
    ],
    apps: [
      { name: 'generated', routes: ['oa'] },
      { name: 'fixed', key: FIXED_KEY, budget: { usd: 5, period: 'day' }, rateLimit: { rpm: 60 } },
    ],
    filters: [{ name: 'no-secrets', kind: 'redact', patterns: ['builtin:api-keys'] }],
    prices: [{ model: 'my-local-model', inputPerMTok: 0, outputPerMTok: 0 }],
  };
}

const config = (raw: Record<string, unknown>): ResolvedConfig =>
  parseConfig(raw, 'test.yaml', { OPENAI_KEY });

describe('applyConfig', () => {
  let dir: string;
  let store: Store;
  let secrets: SecretBox;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-apply-'));
    store = createStore(openDatabase(dir));
    secrets = fileKeyBox(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('inserts everything on the first apply and returns a new key for each app without one', () => {
    const result = applyConfig(store, secrets, config(baseRaw()), 1000);
    // 2 routes + 2 apps + 1 fixed key + 1 filter + 1 price; the generated key is not counted.
    expect(result.changes).toBe(7);
    expect(result.newKeys).toHaveLength(1);
    const [generated] = result.newKeys;
    expect(generated!.app).toBe('generated');
    expect(generated!.key).toMatch(/^sbk_[0-9A-Za-z]{32}$/);

    expect(store.routes.list().map((route) => [route.id, route.position, route.source])).toEqual([
      ['oa', 0, 'config'],
      ['local', 1, 'config'],
    ]);
    expect(store.apps.list().map((app) => app.name)).toEqual(['fixed', 'generated']);
    const generatedApp = store.apps.get('generated')!;
    expect(generatedApp.routes).toEqual(['oa']);
    expect(store.apps.keysOf(generatedApp.id).map((key) => key.hash)).toEqual([hashKey(generated!.key)]);
    const fixedApp = store.apps.get('fixed')!;
    expect(fixedApp.budget).toEqual({ usd: 5, period: 'day' });
    expect(fixedApp.rateLimit).toEqual({ rpm: 60 });
    expect(store.apps.keysOf(fixedApp.id).map((key) => [key.hash, key.source])).toEqual([
      [hashKey(FIXED_KEY), 'config'],
    ]);
    expect(store.filters.list().map((filter) => [filter.name, filter.kind, filter.spec])).toEqual([
      ['no-secrets', 'redact', { patterns: ['builtin:api-keys'] }],
    ]);
    expect(store.prices.list().map((price) => [price.model, price.inputPerMTok, price.source])).toEqual([
      ['my-local-model', 0, 'config'],
    ]);
  });

  it('stores neither the generated nor the fixed app key in plaintext', () => {
    const { newKeys } = applyConfig(store, secrets, config(baseRaw()), 1000);
    const keys = store.apps.allKeys();
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(key.prefix.length).toBeLessThanOrEqual(9);
    }
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM app_keys').all());
    expect(dump).not.toContain(FIXED_KEY);
    expect(dump).not.toContain(newKeys[0]!.key);
  });

  it('changes nothing when the same config is applied again', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const routesBefore = store.routes.list();
    const appsBefore = store.apps.list();
    const keysBefore = store.apps.allKeys();

    const again = applyConfig(store, secrets, config(baseRaw()), 2000);
    expect(again).toEqual({ changes: 0, newKeys: [] });
    expect(store.routes.list()).toEqual(routesBefore);
    expect(store.routes.list().every((route) => route.updatedAt === 1000)).toBe(true);
    expect(store.apps.list()).toEqual(appsBefore);
    expect(store.apps.allKeys()).toEqual(keysBefore);
    expect(store.filters.list().every((filter) => filter.updatedAt === 1000)).toBe(true);
    expect(store.prices.list().every((price) => price.updatedAt === 1000)).toBe(true);
  });

  it('stores model maps, changes nothing when they are applied again, and sees a reordering', () => {
    const raw = baseRaw();
    const [oa] = raw['routes'] as Record<string, unknown>[];
    const [generated] = raw['apps'] as Record<string, unknown>[];
    oa!['modelMap'] = { 'claude-*haiku*': 'gpt-4.1-nano', 'claude-*': 'gpt-4.1' };
    generated!['modelMap'] = { 'gemini-*flash*': 'local/qwen3', 'gemini-*': 'oa/gpt-4.1' };
    applyConfig(store, secrets, config(raw), 1000);
    expect(store.routes.get('oa')!.modelMap).toEqual(oa!['modelMap']);
    expect(Object.keys(store.apps.get('generated')!.modelMap!)).toEqual(['gemini-*flash*', 'gemini-*']);
    expect(store.routes.get('local')!.modelMap).toBeNull();

    expect(applyConfig(store, secrets, config(raw), 2000)).toEqual({ changes: 0, newKeys: [] });

    generated!['modelMap'] = { 'gemini-*': 'oa/gpt-4.1', 'gemini-*flash*': 'local/qwen3' };
    expect(applyConfig(store, secrets, config(raw), 3000).changes).toBe(1);
    delete oa!['modelMap'];
    expect(applyConfig(store, secrets, config(raw), 4000).changes).toBe(1);
    expect(store.routes.get('oa')!.modelMap).toBeNull();
  });

  it('stores whether a route’s server speaks the Responses API, and changes nothing when applied again', () => {
    const raw = baseRaw();
    const [, local] = raw['routes'] as Record<string, unknown>[];
    local!['responses'] = true;
    applyConfig(store, secrets, config(raw), 1000);
    expect(store.routes.get('local')!.speaksResponses).toBe(true);
    expect(store.routes.get('oa')!.speaksResponses).toBe(false);

    expect(applyConfig(store, secrets, config(raw), 2000)).toEqual({ changes: 0, newKeys: [] });

    delete local!['responses'];
    expect(applyConfig(store, secrets, config(raw), 3000).changes).toBe(1);
    expect(store.routes.get('local')!.speaksResponses).toBe(false);
  });

  it('updates exactly one row when one model list changes', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const raw = baseRaw();
    (raw['routes'] as Record<string, unknown>[])[0]!['models'] = ['gpt-*', 'o4-*'];
    const result = applyConfig(store, secrets, config(raw), 2000);
    expect(result).toEqual({ changes: 1, newKeys: [] });
    const oa = store.routes.get('oa')!;
    expect(oa.models).toEqual(['gpt-*', 'o4-*']);
    expect(oa.createdAt).toBe(1000);
    expect(oa.updatedAt).toBe(2000);
    expect(store.routes.get('local')!.updatedAt).toBe(1000);
  });

  it('deletes a config route that the file no longer lists but keeps one the dashboard created', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    store.routes.insert(
      {
        id: 'dash',
        position: 5,
        vendor: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:8000/v1',
        apiKeySealed: null,
        models: [],
        defaultModel: null,
        budget: null,
        filters: [],
        timeouts: null,
        defaultMaxTokens: null,
        rateLimit: null,
        logBodies: false,
        modelMap: null,
        speaksResponses: false,
        fallbacks: [],
        retries: null,
        source: 'admin',
      },
      1500,
    );
    const raw = baseRaw();
    raw['routes'] = [(raw['routes'] as Record<string, unknown>[])[0]];
    const result = applyConfig(store, secrets, config(raw), 2000);
    expect(result.changes).toBe(1);
    expect(store.routes.get('local')).toBeUndefined();
    expect(store.routes.list().map((route) => route.id)).toEqual(['oa', 'dash']);
    expect(store.routes.get('dash')!.source).toBe('admin');
  });

  it('removes config apps, filters and prices the file no longer lists', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const raw = baseRaw();
    raw['apps'] = [(raw['apps'] as Record<string, unknown>[])[0]];
    raw['filters'] = [];
    raw['prices'] = [];
    const result = applyConfig(store, secrets, config(raw), 2000);
    expect(result).toEqual({ changes: 3, newKeys: [] });
    expect(store.apps.list().map((app) => app.name)).toEqual(['generated']);
    expect(store.filters.list()).toEqual([]);
    expect(store.prices.list()).toEqual([]);
    // The removed app's key went with it.
    expect(store.apps.allKeys().some((key) => key.hash === hashKey(FIXED_KEY))).toBe(false);
  });

  it('stores the vendor key sealed, never in plaintext', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const sealed = store.routes.get('oa')!.apiKeySealed;
    expect(sealed).not.toBeNull();
    expect(sealed).not.toContain(OPENAI_KEY);
    expect(secrets.open(sealed!)).toBe(OPENAI_KEY);
    expect(store.routes.get('local')!.apiKeySealed).toBeNull();
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM routes').all());
    expect(dump).not.toContain(OPENAI_KEY);
  });

  it('keeps the same sealed text while the vendor key is unchanged and reseals a new one', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const first = store.routes.get('oa')!.apiKeySealed;
    applyConfig(store, secrets, config(baseRaw()), 2000);
    expect(store.routes.get('oa')!.apiKeySealed).toBe(first);

    const next = parseConfig(baseRaw(), 'test.yaml', { OPENAI_KEY: 'sk-test-rotated-key-0002' });
    expect(applyConfig(store, secrets, next, 3000).changes).toBe(1);
    const rotated = store.routes.get('oa')!.apiKeySealed!;
    expect(rotated).not.toBe(first);
    expect(secrets.open(rotated)).toBe('sk-test-rotated-key-0002');
  });

  it("replaces the old config key hash when an app's fixed key changes", () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const appId = store.apps.get('fixed')!.id;
    const raw = baseRaw();
    const newKey = 'sbk_test_fedcba9876543210fedc';
    (raw['apps'] as Record<string, unknown>[])[1]!['key'] = newKey;
    const result = applyConfig(store, secrets, config(raw), 2000);
    // One key added, one deleted.
    expect(result).toEqual({ changes: 2, newKeys: [] });
    expect(store.apps.keysOf(appId).map((key) => [key.hash, key.source])).toEqual([
      [hashKey(newKey), 'config'],
    ]);
    expect(store.apps.allKeys().some((key) => key.hash === hashKey(FIXED_KEY))).toBe(false);
  });

  it('keeps a key the dashboard added to a config app when the fixed key changes', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const appId = store.apps.get('fixed')!.id;
    const adminHash = hashKey('sbk_added_in_the_dashboard_0000');
    store.apps.addKey(appId, adminHash, 'sbk_adde…', 'admin', 1500);
    const raw = baseRaw();
    (raw['apps'] as Record<string, unknown>[])[1]!['key'] = 'sbk_test_fedcba9876543210fedc';
    applyConfig(store, secrets, config(raw), 2000);
    expect(store.apps.keysOf(appId).map((key) => key.hash)).toEqual([
      adminHash,
      hashKey('sbk_test_fedcba9876543210fedc'),
    ]);
  });

  it('does not generate another key for an existing app without a fixed key', () => {
    const first = applyConfig(store, secrets, config(baseRaw()), 1000);
    const raw = baseRaw();
    (raw['apps'] as Record<string, unknown>[])[0]!['routes'] = ['oa', 'local'];
    const second = applyConfig(store, secrets, config(raw), 2000);
    expect(second).toEqual({ changes: 1, newKeys: [] });
    const app = store.apps.get('generated')!;
    expect(app.routes).toEqual(['oa', 'local']);
    expect(store.apps.keysOf(app.id).map((key) => key.hash)).toEqual([hashKey(first.newKeys[0]!.key)]);
  });

  it('applies nothing when part of the work fails', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const failing: SecretBox = {
      kind: 'failing',
      seal: () => {
        throw new Error('keychain locked');
      },
      open: (sealed) => secrets.open(sealed),
    };
    const raw = baseRaw();
    const routes = raw['routes'] as Record<string, unknown>[];
    // The change to `oa` is made before sealing the new route's key fails.
    routes[0]!['models'] = ['o4-*'];
    routes.push({ id: 'new', vendor: 'openai', apiKey: 'sk-new-key-000' });
    expect(() => applyConfig(store, failing, config(raw), 2000)).toThrow('keychain locked');
    expect(store.routes.list().map((route) => [route.id, route.models, route.updatedAt])).toEqual([
      ['oa', ['gpt-*'], 1000],
      ['local', [], 1000],
    ]);
  });

  it('moves a fixed key to a renamed app', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const raw = baseRaw();
    (raw['apps'] as Record<string, unknown>[])[1]!['name'] = 'renamed';
    applyConfig(store, secrets, config(raw), 2000);
    expect(store.apps.get('fixed')).toBeUndefined();
    expect(store.apps.ownerOfKey(hashKey(FIXED_KEY))).toBe('renamed');
  });

  it('refuses a fixed key that already belongs to another app, naming it, and applies nothing', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const other = store.apps.insert(
      {
        name: 'dashboard-app',
        routes: null,
        budget: null,
        rateLimit: null,
        filters: [],
        modelMap: null,
        source: 'admin',
      },
      1500,
    );
    store.apps.addKey(other, hashKey('sbk_taken_by_the_dashboard_000'), 'sbk_take…', 'admin', 1500);
    const raw = baseRaw();
    (raw['apps'] as Record<string, unknown>[])[1]!['key'] = 'sbk_taken_by_the_dashboard_000';
    (raw['routes'] as Record<string, unknown>[])[0]!['models'] = ['changed-*'];
    expect(() => applyConfig(store, secrets, config(raw), 2000, 'test.yaml')).toThrow(
      /test\.yaml: invalid config:\n {2}apps\[1\]\.key: this key already belongs to app "dashboard-app"/,
    );
    expect(store.routes.get('oa')!.models).toEqual(['gpt-*']);
  });

  it('retires the fixed key when the file drops it, and issues a new key shown once', () => {
    applyConfig(store, secrets, config(baseRaw()), 1000);
    const raw = baseRaw();
    delete (raw['apps'] as Record<string, unknown>[])[1]!['key'];
    const result = applyConfig(store, secrets, config(raw), 2000);
    expect(store.apps.ownerOfKey(hashKey(FIXED_KEY))).toBeUndefined();
    expect(result.newKeys.map((entry) => entry.app)).toEqual(['fixed']);
    expect(store.apps.ownerOfKey(hashKey(result.newKeys[0]!.key))).toBe('fixed');
    expect(applyConfig(store, secrets, config(raw), 3000)).toEqual({ changes: 0, newKeys: [] });
  });
});

describe('applyConfig and stored keys (review of issue 10)', () => {
  let dir: string;
  let store: Store;
  let secrets: SecretBox;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-apply-stored-'));
    store = createStore(openDatabase(dir));
    secrets = fileKeyBox(dir);
    applyConfig(store, secrets, config(baseRaw()), 1);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses "stored" for a route whose host the file changes: a file cannot send a key elsewhere', () => {
    const raw = baseRaw();
    (raw['routes'] as Record<string, unknown>[])[0] = {
      id: 'oa',
      vendor: 'openai',
      baseUrl: 'https://evil.example/v1',
      apiKey: 'stored',
    };
    expect(() => applyConfig(store, secrets, parseConfig(raw, 'import', undefined), 2)).toThrow(
      /keeps the key of route "oa" only for its host/,
    );
    expect(store.routes.get('oa')?.baseUrl).toBe('https://api.openai.com/v1');
    // The same host keeps it.
    (raw['routes'] as Record<string, unknown>[])[0] = { id: 'oa', vendor: 'openai', apiKey: 'stored' };
    applyConfig(store, secrets, parseConfig(raw, 'import', undefined), 3);
    expect(secrets.open(store.routes.get('oa')!.apiKeySealed!)).toBe(OPENAI_KEY);
  });

  it('counts a config-managed route that the file leaves out as a key it would drop', () => {
    const raw = baseRaw();
    raw['routes'] = [{ id: 'local', vendor: 'ollama', models: [] }];
    raw['apps'] = [{ name: 'generated', routes: [] }];
    expect(() =>
      applyConfig(store, secrets, parseConfig(raw, 'import', undefined), 2, 'import', { dropKeys: false }),
    ).toThrow(KeysWouldBeDropped);
    expect(store.routes.get('oa')).toBeDefined();
    try {
      applyConfig(store, secrets, parseConfig(raw, 'import', undefined), 2, 'import', { dropKeys: false });
    } catch (error) {
      expect(error).toMatchObject({ routes: ['oa'], apps: ['fixed'] });
    }
  });
});
