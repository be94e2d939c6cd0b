import { describe, expect, it } from 'vitest';
import { compileModelMap, type RuntimeApp, type RuntimeRoute } from '../../../gateway/catalog.ts';
import { GatewayError } from '../../../gateway/errors.ts';
import { resolveRoute, routeForApp } from '../../../gateway/pipeline/resolve-route.ts';
import type { ModelMapper, RouteTable } from '../../../gateway/pipeline/resolve-route.ts';
import { compileAllowList } from '../../../gateway/policy/allow-list.ts';
import type { ModelMap, RouteRecord } from '../../../gateway/store/types.ts';

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
    modelMap: null,
    speaksResponses: false,
    fallbacks: [],
    retries: null,
    source: 'config',
    createdAt: 0,
    updatedAt: 0,
    ...extra,
    apiKey: null,
    allowList: compileAllowList(models),
    compiledFilters: [],
    compiledModelMap: compileModelMap(extra.modelMap ?? null),
  };
}

function app(routes: string[] | null, name = 'my-ide', modelMap: ModelMap | null = null): RuntimeApp {
  return {
    id: 1,
    name,
    routes,
    budget: null,
    rateLimit: null,
    filters: [],
    modelMap,
    source: 'config',
    createdAt: 0,
    updatedAt: 0,
    keyId: 1,
    compiledFilters: [],
    compiledModelMap: compileModelMap(modelMap),
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

/** An app of every route with this model map. */
const mapping = (modelMap: ModelMap, routes: string[] | null = null) => app(routes, 'claude-code', modelMap);

/** [route, model, asked] of a resolution, to compare in one line. */
const where = (resolved: { route: RuntimeRoute; model: string; asked: string }) => [
  resolved.route.id,
  resolved.model,
  resolved.asked,
];

// Without `router` (which allows everything), so that a bare model's route says what chose it.
const strict = table(claude, openai, local);

describe('model maps at the root (no routeId): the app’s map picks the route', () => {
  const claudeCode = mapping({ 'claude-*haiku*': 'local/llama3.2', 'claude-*': 'oa/gpt-5' });

  it('sends a model to the route a `routeId/model` value names, asked kept as the client named it', () => {
    expect(where(resolveRoute(strict, claudeCode, undefined, 'claude-haiku-4-5'))).toEqual([
      'local',
      'llama3.2',
      'claude-haiku-4-5',
    ]);
    expect(where(resolveRoute(strict, claudeCode, undefined, 'claude-sonnet-4-6'))).toEqual([
      'oa',
      'gpt-5',
      'claude-sonnet-4-6',
    ]);
  });

  it('takes the first pattern that matches, in the map’s order', () => {
    const broadFirst = mapping({ 'claude-*': 'oa/gpt-5', 'claude-*haiku*': 'local/llama3.2' });
    expect(resolveRoute(strict, broadFirst, undefined, 'claude-haiku-4-5').route.id).toBe('oa');
  });

  it('routes a bare value as a bare model: the first route whose allow-list takes it', () => {
    const bare = mapping({ 'gemini-*flash*': 'qwen3' });
    expect(where(resolveRoute(strict, bare, undefined, 'gemini-2.5-flash'))).toEqual([
      'local',
      'qwen3',
      'gemini-2.5-flash',
    ]);
  });

  it('reads a value whose prefix is no route id as a bare model', () => {
    const slashed = mapping({ 'gpt-*': 'meta-llama/llama-3' });
    expect(where(resolveRoute(all, slashed, undefined, 'gpt-4o'))).toEqual([
      'router',
      'meta-llama/llama-3',
      'gpt-4o',
    ]);
  });

  it('leaves a model no pattern matches unchanged', () => {
    const resolved = resolveRoute(
      strict,
      mapping({ 'claude-*haiku*': 'local/llama3.2' }),
      undefined,
      'gpt-4o',
    );
    expect(where(resolved)).toEqual(['oa', 'gpt-4o', 'gpt-4o']);
    // A literal pattern matches only that name.
    const literal = mapping({ 'gpt-4o': 'local/llama3.2' });
    expect(resolveRoute(strict, literal, undefined, 'gpt-4o-mini').route.id).toBe('oa');
  });

  it('refuses a value naming a route the app may not use, saying the map sent it there', () => {
    const error = errorOf(() =>
      resolveRoute(strict, mapping({ 'claude-*': 'local/llama3.2' }, ['claude']), undefined, 'claude-x'),
    );
    expect([error.status, error.code, error.param]).toEqual([403, 'route_not_allowed', 'model']);
    expect(error.message).toContain('model map of app "claude-code"');
    expect(error.message).toContain('"claude-x"');
    expect(error.message).toContain('route "local"');
  });

  it('checks the allow-list on the model the map chose, not the one asked', () => {
    const error = errorOf(() =>
      resolveRoute(strict, mapping({ 'claude-*': 'oa/llama3.2' }), undefined, 'claude-sonnet-4-6'),
    );
    expect([error.status, error.code]).toEqual([403, 'model_not_allowed']);
    expect(error.message).toContain('Model "llama3.2" (asked for as "claude-sonnet-4-6")');
    expect(error.message).toContain('route "oa"');
    const bare = errorOf(() =>
      resolveRoute(strict, mapping({ 'claude-*': 'mistral' }), undefined, 'claude-x'),
    );
    expect([bare.status, bare.code]).toEqual([403, 'model_not_allowed']);
    expect(bare.message).toContain('"mistral"');
    expect(bare.message).toContain('"claude-x"');
  });

  it('treats an explicit `routeId/model` as a route’s path: the map applies but cannot move it', () => {
    expect(where(resolveRoute(strict, claudeCode, undefined, 'oa/claude-sonnet-4-6'))).toEqual([
      'oa',
      'gpt-5',
      'claude-sonnet-4-6',
    ]);
    const error = errorOf(() => resolveRoute(strict, claudeCode, undefined, 'oa/claude-haiku-4-5'));
    expect([error.status, error.code]).toEqual([403, 'route_not_allowed']);
  });

  it('leaves a request without a model to the first route’s defaultModel', () => {
    const everything = mapping({ '*': 'oa/gpt-5' });
    expect(where(resolveRoute(strict, everything, undefined, undefined))).toEqual([
      'claude',
      'claude-sonnet-4-6',
      'claude-sonnet-4-6',
    ]);
  });
});

describe('model maps on a route-scoped path', () => {
  it('applies a bare value on the route in the path', () => {
    expect(where(resolveRoute(all, mapping({ 'claude-*': 'gpt-5' }), 'oa', 'claude-sonnet-4-6'))).toEqual([
      'oa',
      'gpt-5',
      'claude-sonnet-4-6',
    ]);
  });

  it('applies a value prefixed with this route’s own id, the prefix removed', () => {
    expect(resolveRoute(all, mapping({ 'claude-*': 'oa/gpt-5' }), 'oa', 'claude-x').model).toBe('gpt-5');
  });

  it('refuses a value naming another route with 403 route_not_allowed, naming both routes', () => {
    const claudeCode = mapping({ 'claude-*haiku*': 'local/llama3.2', 'claude-*': 'oa/gpt-5' });
    const error = errorOf(() => resolveRoute(all, claudeCode, 'oa', 'claude-haiku-4-5'));
    expect([error.status, error.code, error.param]).toEqual([403, 'route_not_allowed', 'model']);
    expect(error.message).toContain('sends "claude-haiku-4-5" to route "local"');
    expect(error.message).toContain('names route "oa"');
    expect(error.message).toContain('root endpoints');
    // The next entry is not tried instead: the first match decides.
    expect(resolveRoute(all, claudeCode, 'oa', 'claude-sonnet-4-6').model).toBe('gpt-5');
  });
});

describe('a route’s model map', () => {
  const localMapped = route('local', ['llama*', 'qwen*'], {
    vendor: 'ollama',
    defaultModel: 'llama3.2',
    modelMap: { 'claude-*haiku*': 'qwen3', 'claude-*': 'llama3.3' },
  });
  const mapped = table(openai, localMapped, claude);

  it('maps the model asked for on its path', () => {
    expect(where(resolveRoute(mapped, everyRoute, 'local', 'claude-haiku-4-5'))).toEqual([
      'local',
      'qwen3',
      'claude-haiku-4-5',
    ]);
  });

  it('makes its route take a bare model at the root, in the routes’ order', () => {
    // `local` comes before `claude`, and its map turns the Claude model into one it allows.
    expect(where(resolveRoute(mapped, everyRoute, undefined, 'claude-opus-4'))).toEqual([
      'local',
      'llama3.3',
      'claude-opus-4',
    ]);
    expect(resolveRoute(mapped, everyRoute, undefined, 'gpt-4o').route.id).toBe('oa');
  });

  it('is not applied to the route’s defaultModel', () => {
    const selfMapped = route('self', [], { defaultModel: 'llama3.2', modelMap: { 'llama*': 'qwen3' } });
    expect(resolveRoute(table(selfMapped), everyRoute, 'self', undefined).model).toBe('llama3.2');
  });

  it('comes after the app’s map, before the aliases, and the allow-list judges the result', () => {
    const seen: string[] = [];
    const aliases: ModelMapper = (_route, model) => {
      seen.push(model);
      return model === 'llama3.3' ? 'llama3.3-70b' : model;
    };
    const claudeCode = mapping({ 'claude-*': 'local/claude-any' });
    expect(where(resolveRoute(mapped, claudeCode, undefined, 'claude-sonnet-4-6', aliases))).toEqual([
      'local',
      'llama3.3-70b',
      'claude-sonnet-4-6',
    ]);
    // The app's map gave `claude-any`, the route's map `llama3.3`, and the aliases saw only that.
    expect(seen).toEqual(['llama3.3']);

    const offList: ModelMapper = () => 'gpt-4o';
    const error = errorOf(() => resolveRoute(mapped, claudeCode, undefined, 'claude-sonnet-4-6', offList));
    expect([error.status, error.code]).toEqual([403, 'model_not_allowed']);
    expect(error.message).toContain('Model "gpt-4o" (asked for as "claude-sonnet-4-6")');
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
