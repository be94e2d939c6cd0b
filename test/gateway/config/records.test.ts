import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../gateway/config/load.ts';
import {
  appFromConfig,
  appToConfig,
  filterFromConfig,
  filterToConfig,
  priceFromConfig,
  priceToConfig,
  routeFromConfig,
  routeToConfig,
  unchanged,
} from '../../../gateway/config/records.ts';
import type {
  AppKeyRecord,
  AppRecord,
  FilterRecord,
  PriceRecord,
  RouteRecord,
} from '../../../gateway/store/types.ts';

const route: RouteRecord = {
  id: 'oa',
  position: 3,
  vendor: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  apiKeySealed: 'sealed-key',
  models: ['gpt-*'],
  defaultModel: null,
  budget: { usd: 5, period: 'day' },
  filters: ['no-secrets'],
  timeouts: null,
  defaultMaxTokens: 1024,
  rateLimit: null,
  logBodies: true,
  modelMap: null,
  speaksResponses: false,
  fallbacks: [],
  retries: null,
  source: 'admin',
  createdAt: 1,
  updatedAt: 2,
};

const app: AppRecord = {
  id: 7,
  name: 'cli',
  routes: null,
  budget: null,
  rateLimit: { rpm: 60 },
  filters: [],
  modelMap: null,
  source: 'config',
  createdAt: 1,
  updatedAt: 2,
};

const key = (source: AppKeyRecord['source']): AppKeyRecord => ({
  id: 1,
  appId: 7,
  hash: 'h',
  prefix: 'sbk_…',
  source,
  createdAt: 1,
  revokedAt: null,
});

const filter: FilterRecord = {
  name: 'no-secrets',
  kind: 'redact',
  spec: { patterns: ['builtin:api-keys'], responses: true },
  source: 'config',
  updatedAt: 2,
};

const price: PriceRecord = {
  model: 'local',
  inputPerMTok: 0,
  outputPerMTok: 0,
  cachedInputPerMTok: null,
  source: 'admin',
  updatedAt: 2,
};

describe('stored records ↔ config entries', () => {
  it('writes a route as the config file does: no nulls, and `apiKey: stored` for a key it holds', () => {
    expect(routeToConfig(route)).toEqual({
      id: 'oa',
      vendor: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'stored',
      models: ['gpt-*'],
      budget: { usd: 5, period: 'day' },
      filters: ['no-secrets'],
      defaultMaxTokens: 1024,
      logBodies: true,
    });
    expect(routeToConfig({ ...route, apiKeySealed: null, logBodies: false })).not.toHaveProperty('apiKey');
  });

  it('reads back every record from its own entry unchanged', () => {
    const parsed = parseConfig(
      {
        routes: [routeToConfig(route)],
        apps: [appToConfig(app, [key('config')])],
        filters: [filterToConfig(filter)],
        prices: [priceToConfig(price)],
      },
      'test',
    );
    const [routeEntry] = parsed.routes;
    const [appEntry] = parsed.apps;
    const [filterEntry] = parsed.filters;
    const [priceEntry] = parsed.prices;
    if (!routeEntry || !appEntry || !filterEntry || !priceEntry) throw new Error('an entry was lost');
    expect(routeEntry.keepStoredKey).toBe(true);
    expect(appEntry.keepStoredKey).toBe(true);
    const storage = { position: route.position, apiKeySealed: route.apiKeySealed, source: route.source };
    expect(unchanged(route, routeFromConfig(routeEntry, storage))).toBe(true);
    expect(unchanged(app, appFromConfig(appEntry, app.source))).toBe(true);
    expect(unchanged(filter, filterFromConfig(filterEntry, filter.source))).toBe(true);
    expect(unchanged(price, priceFromConfig(priceEntry, price.source))).toBe(true);
  });

  it('writes `responses: true` only where the route’s server speaks the Responses API, and reads it back', () => {
    const vllm: RouteRecord = {
      ...route,
      id: 'vllm',
      vendor: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:8000/v1',
      filters: [],
      speaksResponses: true,
    };
    const entry = routeToConfig(vllm);
    expect(entry.responses).toBe(true);
    expect(routeToConfig({ ...vllm, speaksResponses: false })).not.toHaveProperty('responses');
    const [parsed] = parseConfig({ routes: [entry] }, 'test').routes;
    if (!parsed) throw new Error('the entry was lost');
    const storage = { position: vllm.position, apiKeySealed: vllm.apiKeySealed, source: vllm.source };
    expect(routeFromConfig(parsed, storage).speaksResponses).toBe(true);
    expect(unchanged(vllm, routeFromConfig(parsed, storage))).toBe(true);
    const { responses: _responses, ...unsaid } = entry;
    const [off] = parseConfig({ routes: [unsaid] }, 'test').routes;
    expect(routeFromConfig(off!, storage).speaksResponses).toBe(false);
  });

  it('names an app’s fixed key only when a config file gave it one, and leaves out empty filters', () => {
    expect(appToConfig(app, [key('admin')])).toEqual({ name: 'cli', rateLimit: { rpm: 60 } });
    expect(appToConfig(app, [key('config')])).toEqual({ name: 'cli', key: 'stored', rateLimit: { rpm: 60 } });
  });

  it('writes and reads back model maps in their order, and stores an empty map as none', () => {
    const modelMap = { 'claude-*haiku*': 'local/llama3.2', 'claude-*': 'gpt/gpt-5' };
    const mappedRoute: RouteRecord = { ...route, modelMap: { 'b-*': 'x', 'a-*': 'y' } };
    const mappedApp = { ...app, modelMap };
    expect(Object.keys(routeToConfig(mappedRoute).modelMap!)).toEqual(['b-*', 'a-*']);
    expect(appToConfig(mappedApp, [])).toEqual({ name: 'cli', rateLimit: { rpm: 60 }, modelMap });
    const parsed = parseConfig(
      { routes: [routeToConfig(mappedRoute)], apps: [appToConfig(mappedApp, [])] },
      'test',
      undefined,
      { knownFilters: ['no-secrets'] },
    );
    const storage = { position: route.position, apiKeySealed: route.apiKeySealed, source: route.source };
    const storedRoute = routeFromConfig(parsed.routes[0]!, storage);
    expect(unchanged(mappedRoute, storedRoute)).toBe(true);
    expect(unchanged(mappedApp, appFromConfig(parsed.apps[0]!, app.source))).toBe(true);
    // The order is the map's meaning: the same entries in another order are a change.
    const reordered = { ...storedRoute, modelMap: { 'a-*': 'y', 'b-*': 'x' } };
    expect(unchanged<typeof storedRoute>(mappedRoute, reordered)).toBe(false);

    const empty = parseConfig({ apps: [{ name: 'cli', modelMap: {} }] }, 'test').apps[0]!;
    expect(appFromConfig(empty, 'config').modelMap).toBeNull();
    expect(appToConfig({ ...app, modelMap: null }, [])).not.toHaveProperty('modelMap');
  });

  it('sees a change anywhere in what an input writes, nested fields included', () => {
    const storage = { position: 3, apiKeySealed: 'sealed-key', source: 'admin' as const };
    const [changed] = parseConfig(
      { routes: [{ ...routeToConfig(route), apiKey: 'sk-new-key' }] },
      'test',
      undefined,
      {
        knownFilters: ['no-secrets'],
      },
    ).routes;
    if (!changed) throw new Error('the route was lost');
    expect(
      unchanged(route, routeFromConfig({ ...changed, budget: { usd: 6, period: 'day' } }, storage)),
    ).toBe(false);
    expect(unchanged(route, routeFromConfig(changed, { ...storage, position: 4 }))).toBe(false);
  });
});
