import { describe, expect, it } from 'vitest';
import type { RuntimeApp, RuntimeRoute } from '../../../gateway/catalog.ts';
import { GatewayError } from '../../../gateway/errors.ts';
import { resolveRoute, routeForApp } from '../../../gateway/pipeline/resolve-route.ts';
import type { RouteTable } from '../../../gateway/pipeline/resolve-route.ts';
import { compileAllowList } from '../../../gateway/policy/allow-list.ts';
import type { RouteRecord } from '../../../gateway/store/types.ts';

function route(id: string, models: string[], extra: Partial<RouteRecord> = {}): RuntimeRoute {
  return {
    id,
    position: 0,
    vendor: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    apiKeySealed: null,
    models,
    defaultModel: null,
    budget: null,
    filters: [],
    timeouts: null,
    defaultMaxTokens: null,
    rateLimit: null,
    logBodies: false,
    source: 'config',
    createdAt: 0,
    updatedAt: 0,
    ...extra,
    apiKey: null,
    allowList: compileAllowList(models),
    compiledFilters: [],
  };
}

function app(routes: string[] | null, name = 'my-ide'): RuntimeApp {
  return {
    id: 1,
    name,
    routes,
    budget: null,
    rateLimit: null,
    filters: [],
    source: 'config',
    createdAt: 0,
    updatedAt: 0,
    keyId: 1,
    compiledFilters: [],
  };
}

function table(...routes: RuntimeRoute[]): RouteTable {
  return { routes: new Map(routes.map((item) => [item.id, item])), orderedRoutes: routes };
}

const claude = route('claude', ['claude-*'], { vendor: 'anthropic', defaultModel: 'claude-sonnet-4-6' });
const openai = route('oa', ['gpt-*', 'o4-mini']);
const router = route('router', []);
const local = route('local', ['llama*', 'qwen*'], { vendor: 'ollama', defaultModel: 'llama3.2' });
const all = table(claude, openai, router, local);
const everyRoute = app(null);

/** The GatewayError that `work` throws, with its status and code. */
function errorOf(work: () => unknown): GatewayError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError, but nothing was thrown');
}

describe('resolveRoute with a routeId in the path', () => {
  it('uses that route and the requested model', () => {
    const resolved = resolveRoute(all, everyRoute, 'oa', 'gpt-4.1-nano');
    expect(resolved.route.id).toBe('oa');
    expect(resolved.model).toBe('gpt-4.1-nano');
  });

  it('passes a model with a slash unchanged to the route', () => {
    const resolved = resolveRoute(all, everyRoute, 'router', 'claude/claude-x');
    expect(resolved.route.id).toBe('router');
    expect(resolved.model).toBe('claude/claude-x');
  });

  it('answers 404 route_not_found for an unknown routeId', () => {
    const error = errorOf(() => resolveRoute(all, everyRoute, 'nope', 'gpt-4o'));
    expect([error.status, error.code, error.type]).toEqual([404, 'route_not_found', 'not_found_error']);
    expect(error.message).toContain('"nope"');
  });

  it('answers 403 route_not_allowed for a route the app may not use', () => {
    const error = errorOf(() => resolveRoute(all, app(['claude']), 'oa', 'gpt-4o'));
    expect([error.status, error.code, error.type]).toEqual([403, 'route_not_allowed', 'permission_error']);
    expect(error.message).toContain('my-ide');
  });

  it('checks the route before the model', () => {
    const error = errorOf(() => resolveRoute(all, app(['claude']), 'oa', 'not-on-any-list'));
    expect(error.code).toBe('route_not_allowed');
  });

  it('answers 403 model_not_allowed for a model off the allow-list', () => {
    const error = errorOf(() => resolveRoute(all, everyRoute, 'claude', 'gpt-4o'));
    expect([error.status, error.code, error.param]).toEqual([403, 'model_not_allowed', 'model']);
    expect(error.message).toContain('"gpt-4o"');
    expect(error.message).toContain('"claude"');
  });

  it('uses the defaultModel when the request names no model', () => {
    expect(resolveRoute(all, everyRoute, 'claude', undefined).model).toBe('claude-sonnet-4-6');
    expect(resolveRoute(all, everyRoute, 'claude', '').model).toBe('claude-sonnet-4-6');
  });

  it('answers 400 invalid_request when there is neither a model nor a defaultModel', () => {
    const error = errorOf(() => resolveRoute(all, everyRoute, 'oa', undefined));
    expect([error.status, error.code, error.param]).toEqual([400, 'invalid_request', 'model']);
  });

  it('checks a defaultModel against the allow-list too', () => {
    const odd = route('odd', ['gpt-*'], { defaultModel: 'claude-3' });
    const error = errorOf(() => resolveRoute(table(odd), everyRoute, 'odd', undefined));
    expect(error.code).toBe('model_not_allowed');
  });
});

describe('resolveRoute without a routeId (root routing)', () => {
  it('takes routeId/model apart', () => {
    const resolved = resolveRoute(all, everyRoute, undefined, 'oa/gpt-4o');
    expect(resolved.route.id).toBe('oa');
    expect(resolved.model).toBe('gpt-4o');
  });

  it('keeps the rest of the model after the first slash', () => {
    const resolved = resolveRoute(all, everyRoute, undefined, 'router/meta-llama/llama-3');
    expect(resolved.route.id).toBe('router');
    expect(resolved.model).toBe('meta-llama/llama-3');
  });

  it('checks routeId/model against the allow-list of that route', () => {
    const error = errorOf(() => resolveRoute(all, everyRoute, undefined, 'claude/gpt-4o'));
    expect([error.status, error.code]).toEqual([403, 'model_not_allowed']);
  });

  it('refuses routeId/model for a route the app may not use', () => {
    const error = errorOf(() => resolveRoute(all, app(['claude']), undefined, 'oa/gpt-4o'));
    expect([error.status, error.code]).toEqual([403, 'route_not_allowed']);
  });

  it('picks the first route whose allow-list matches a bare model', () => {
    expect(resolveRoute(all, everyRoute, undefined, 'gpt-4o').route.id).toBe('oa');
    expect(resolveRoute(all, everyRoute, undefined, 'claude-opus-4').route.id).toBe('claude');
    // `router` allows everything and comes before `local`.
    expect(resolveRoute(all, everyRoute, undefined, 'llama3.2').route.id).toBe('router');
    expect(resolveRoute(all, everyRoute, undefined, 'gpt-4o').model).toBe('gpt-4o');
  });

  it('depends on the order of the routes', () => {
    const reordered = table(local, router, openai, claude);
    expect(resolveRoute(reordered, everyRoute, undefined, 'llama3.2').route.id).toBe('local');
    expect(resolveRoute(reordered, everyRoute, undefined, 'gpt-4o').route.id).toBe('router');
  });

  it('treats a slash model whose prefix is no route id as a bare model', () => {
    const resolved = resolveRoute(all, everyRoute, undefined, 'meta-llama/llama-3');
    expect(resolved.route.id).toBe('router');
    expect(resolved.model).toBe('meta-llama/llama-3');
  });

  it('treats a model starting with a slash as a bare model', () => {
    const resolved = resolveRoute(all, everyRoute, undefined, '/oa');
    expect(resolved.route.id).toBe('router');
    expect(resolved.model).toBe('/oa');
  });

  it('considers only the routes the app may use', () => {
    const restricted = app(['local', 'claude']);
    // `router` would match first, but the app may not use it.
    expect(resolveRoute(all, restricted, undefined, 'llama3.2').route.id).toBe('local');
    const error = errorOf(() => resolveRoute(all, restricted, undefined, 'gpt-4o'));
    expect([error.status, error.code, error.param]).toEqual([403, 'model_not_allowed', 'model']);
    expect(error.message).toContain('"gpt-4o"');
  });

  it('uses the first usable route with a defaultModel when no model is named', () => {
    const resolved = resolveRoute(all, everyRoute, undefined, undefined);
    expect([resolved.route.id, resolved.model]).toEqual(['claude', 'claude-sonnet-4-6']);
    const onlyLocal = resolveRoute(all, app(['oa', 'local']), undefined, undefined);
    expect([onlyLocal.route.id, onlyLocal.model]).toEqual(['local', 'llama3.2']);
  });

  it('answers 400 when no model is named and no usable route has a defaultModel', () => {
    const error = errorOf(() => resolveRoute(all, app(['oa', 'router']), undefined, undefined));
    expect([error.status, error.code, error.param]).toEqual([400, 'invalid_request', 'model']);
  });

  it('answers 404 when the app has no route to use', () => {
    const error = errorOf(() => resolveRoute(all, app([]), undefined, 'gpt-4o'));
    expect([error.status, error.code]).toEqual([404, 'route_not_found']);
  });
});

describe('routeForApp', () => {
  it('gives the route an app may use', () => {
    expect(routeForApp(all, app(['oa']), 'oa')).toBe(openai);
  });

  it('refuses an unknown route before checking the app', () => {
    expect(errorOf(() => routeForApp(all, app([]), 'missing')).code).toBe('route_not_found');
  });
});
