import type { IncomingMessage } from 'node:http';
import Router from '@koa/router';
import { Document, parse as parseYaml } from 'yaml';
import type { Catalog, RuntimeRoute } from '../catalog.ts';
import { appInput, applyConfig, KeysWouldBeDropped, routeInput } from '../config/apply.ts';
import { ConfigError, parseConfig, STORED_KEY, type ResolvedRoute } from '../config/load.ts';
import { appSchema, type ServerConfig } from '../config/schema.ts';
import { GatewayError } from '../errors.ts';
import { MAX_JSON_DEPTH, readBody, readJsonObject } from '../http/body.ts';
import type { GatewayState } from '../http/context.ts';
import { displayPrefix, generateAppKey, hashKey } from '../keys.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { RouteRecord } from '../store/types.ts';
import { compileAllowList } from '../policy/allow-list.ts';
import type { JsonObject } from '../formats/types.ts';
import type { Store } from '../store/index.ts';
import { PRESETS } from '../providers/presets.ts';
import type { ScriptSandbox } from '../filters/script-sandbox.ts';
import type { BudgetGuard } from '../policy/budgets.ts';
import { addPolicyRoutes } from './policy-routes.ts';
import { addUsageRoutes } from './usage-routes.ts';
import { addRouteTools, type RouteToolsDeps } from './route-tools.ts';
import { addSettingsRoutes, type SettingsDeps } from './settings-routes.ts';
import type { Logger } from '../http/errors.ts';
import { VERSION } from '../version.ts';
import { appView, keyView, requestView, routeView } from './views.ts';

export interface AdminDeps {
  store: Store;
  catalog: Catalog;
  secrets: SecretBox;
  server: () => ServerConfig;
  setServer: (server: ServerConfig) => void;
  now: () => number;
  /** Writes queued request rows, so that a read sees every request that has ended. */
  flushRecords: () => void;
  budgets: BudgetGuard;
  sandbox: () => ScriptSandbox | null;
  routeTools: RouteToolsDeps['routeTools'];
  runtime: SettingsDeps['runtime'];
  log: Logger;
}

const ADMIN_BODY_LIMIT = 4 * 1024 * 1024;

const EXPORT_HEADER = [
  ' Switchboard config, exported. Keys are never exported: `apiKey: stored` (a route) and',
  ' `key: stored` (an app) stand for the key this gateway holds, which importing this file or',
  ' `serve --config` on the same data dir keeps. To use it elsewhere, put the key (or env:NAME',
  ' in a file for --config) in their place.',
].join('\n');

function invalid(error: unknown): never {
  if (error instanceof ConfigError) {
    throw new GatewayError(400, 'invalid_request', error.message.replace(/^[^:]*: invalid config:\n\s*/, ''));
  }
  throw error;
}

/**
 * Whether a config text nests `[`/`{` deeper than MAX_JSON_DEPTH, counted with no regard to
 * quoting (brackets inside strings count too, so this is an upper bound; only hundreds of
 * unbalanced ones in a string could trip it). The YAML parser recurses on flow collections: a
 * thousand levels overflow its stack, and a million (2 MB) hold the event loop for seconds before
 * it gives up. (In a bare Node process, a second such overflow has even aborted Node with a fatal
 * out-of-memory error in V8's RegExp compiler.)
 */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x5b || code === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if ((code === 0x5d || code === 0x7d) && depth > 0) depth--;
  }
  return false;
}

function notFound(what: string): never {
  throw new GatewayError(404, 'not_found', `${what} does not exist.`, { type: 'not_found_error' });
}

export function adminRouter(deps: AdminDeps): Router<GatewayState> {
  const { store, catalog, secrets } = deps;
  const router = new Router<GatewayState>({ prefix: '/admin/api' });
  // The filters as stored, by name. A route written here may name any of them; they were checked
  // when they were written, and are not checked again (a stripped copy of them once failed every
  // route write: issue 10).
  const storedFilters = () => new Set(store.filters.list().map((filter) => filter.name));

  /**
   * Validates one route exactly as the config file would, so both paths accept the same things —
   * but for `env:` keys: no environment is passed, so the admin API never reads the gateway's.
   */
  const validateRoute = (raw: unknown): ResolvedRoute => {
    try {
      return parseConfig({ routes: [raw] }, 'route', undefined, { knownFilters: storedFilters() }).routes[0]!;
    } catch (error) {
      // The body is one route: its fields are named as they are sent (`filters[0]`, not `routes[0].filters[0]`).
      if (error instanceof ConfigError) error.message = error.message.replace(/^(\s*)routes\[0\]\./gm, '$1');
      invalid(error);
    }
  };

  const saveRoute = (
    route: ResolvedRoute,
    apiKeySealed: string | null,
    existing: boolean,
    source: 'config' | 'admin',
    position: number,
  ) => {
    const record = routeInput(route, { position, apiKeySealed, source });
    if (existing) store.routes.update(record, deps.now());
    else store.routes.insert(record, deps.now());
    catalog.refresh();
  };

  const jsonBody = (ctx: { req: IncomingMessage }) => readJsonObject(ctx.req, ADMIN_BODY_LIMIT);

  router.get('/status', (ctx) => {
    ctx.body = { status: 'ok', secrets: secrets.kind, routes: catalog.orderedRoutes.length };
  });

  router.get('/presets', (ctx) => {
    ctx.body = { data: PRESETS };
  });

  // Models this route served lately whose price is unknown: the dashboard says "cost unknown — add a price".
  const unpriced = (routeId: string) =>
    store.requests.unpricedModels(routeId, deps.now() - 30 * 24 * 3600 * 1000);

  router.get('/routes', (ctx) => {
    deps.flushRecords();
    ctx.body = {
      data: store.routes.list().map((route) => ({ ...routeView(route), unpricedModels: unpriced(route.id) })),
    };
  });

  router.get('/routes/:id', (ctx) => {
    const route = store.routes.get(ctx.params['id']!) ?? notFound(`Route "${ctx.params['id']}"`);
    ctx.body = routeView(route);
  });

  /** A new route has no stored key for `apiKey: stored` to keep. */
  const refuseStoredKey = (route: ResolvedRoute): ResolvedRoute => {
    if (route.keepStoredKey) {
      throw new GatewayError(
        400,
        'invalid_request',
        `apiKey: "${STORED_KEY}" keeps a key this gateway holds, and a new route has none; paste the key itself`,
        { param: 'apiKey' },
      );
    }
    return route;
  };

  /**
   * A stored route with a PATCH body applied, validated; nothing saved. `key` is what becomes of
   * its vendor key: a new one, none, or the stored one kept.
   */
  const patchedRoute = (existing: RouteRecord, patch: JsonObject) => {
    if (patch['id'] !== undefined && patch['id'] !== existing.id) {
      throw new GatewayError(
        400,
        'invalid_request',
        'A route id cannot be changed; create a new route instead.',
      );
    }
    const { apiKey, ...rest } = patch;
    const merged = {
      id: existing.id,
      vendor: existing.vendor,
      baseUrl: existing.baseUrl,
      models: existing.models,
      filters: existing.filters,
      ...(existing.defaultModel === null ? {} : { defaultModel: existing.defaultModel }),
      ...(existing.budget === null ? {} : { budget: existing.budget }),
      ...(existing.timeouts === null ? {} : { timeouts: existing.timeouts }),
      ...(existing.defaultMaxTokens === null ? {} : { defaultMaxTokens: existing.defaultMaxTokens }),
      ...(existing.rateLimit === null ? {} : { rateLimit: existing.rateLimit }),
      ...(existing.logBodies ? { logBodies: true } : {}),
      ...rest,
      ...(typeof apiKey === 'string' ? { apiKey } : {}),
    };
    // `null` clears an optional field.
    for (const [name, value] of Object.entries(merged))
      if (value === null) delete (merged as Record<string, unknown>)[name];
    const route = validateRoute(merged);
    if (route.keepStoredKey && existing.apiKeySealed === null) {
      throw new GatewayError(
        400,
        'invalid_request',
        `apiKey: "${STORED_KEY}" keeps the key this gateway holds for route "${existing.id}", but it holds none; paste the key itself`,
        { param: 'apiKey' },
      );
    }
    // `apiKey: "stored"` (as in an export) keeps the stored key, like leaving it out.
    const key: { change: 'new'; apiKey: string } | { change: 'remove' } | { change: 'keep' } =
      apiKey === null
        ? { change: 'remove' }
        : typeof apiKey === 'string' && !route.keepStoredKey
          ? { change: 'new', apiKey: route.apiKey! }
          : { change: 'keep' };
    return { route, key };
  };

  router.post('/routes', async (ctx) => {
    const route = validateRoute(await jsonBody(ctx));
    if (store.routes.get(route.id)) {
      throw new GatewayError(409, 'conflict', `Route "${route.id}" already exists.`, {
        type: 'invalid_request_error',
      });
    }
    refuseStoredKey(route);
    saveRoute(
      route,
      route.apiKey ? secrets.seal(route.apiKey) : null,
      false,
      'admin',
      store.routes.nextPosition(),
    );
    ctx.status = 201;
    ctx.body = routeView(store.routes.get(route.id)!);
  });

  router.patch('/routes/:id', async (ctx) => {
    const existing = store.routes.get(ctx.params['id']!) ?? notFound(`Route "${ctx.params['id']}"`);
    const { route, key } = patchedRoute(existing, await jsonBody(ctx));
    const sealed =
      key.change === 'new'
        ? secrets.seal(key.apiKey)
        : key.change === 'remove'
          ? null
          : existing.apiKeySealed;
    saveRoute(route, sealed, true, existing.source, existing.position);
    ctx.body = routeView(store.routes.get(route.id)!);
  });

  /**
   * What "Test connection" runs with: the route as the dashboard's form has it, saved or not (a
   * stored route with a PATCH body applied, or a new route from a POST body), checked as that
   * write would be and never saved. The form's values are tested without saving them.
   */
  const draftRoute = (id: string | undefined, body: JsonObject): RuntimeRoute => {
    let route: ResolvedRoute;
    let apiKey: string | null;
    if (id === undefined) {
      route = refuseStoredKey(validateRoute(body));
      apiKey = route.apiKey ?? null;
    } else {
      const existing = store.routes.get(id) ?? notFound(`Route "${id}"`);
      const patched = patchedRoute(existing, body);
      route = patched.route;
      apiKey =
        patched.key.change === 'new'
          ? patched.key.apiKey
          : patched.key.change === 'remove' || existing.apiKeySealed === null
            ? null
            : secrets.open(existing.apiKeySealed);
    }
    const now = deps.now();
    return {
      ...routeInput(route, { position: 0, apiKeySealed: null, source: 'admin' }),
      createdAt: now,
      updatedAt: now,
      apiKey,
      allowList: compileAllowList(route.models),
      // The test sends a fixed prompt and records nothing: no filter has anything to act on.
      compiledFilters: [],
    };
  };

  router.delete('/routes/:id', (ctx) => {
    if (!store.routes.remove(ctx.params['id']!)) notFound(`Route "${ctx.params['id']}"`);
    catalog.refresh();
    ctx.status = 204;
  });

  const validateApp = (raw: unknown) => {
    const result = appSchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new GatewayError(400, 'invalid_request', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    for (const id of result.data.routes ?? []) {
      if (!catalog.routes.has(id))
        throw new GatewayError(400, 'invalid_request', `routes: no route with id "${id}".`);
    }
    const filters = storedFilters();
    for (const name of result.data.filters) {
      if (!filters.has(name))
        throw new GatewayError(400, 'invalid_request', `filters: no filter named "${name}".`);
    }
    return result.data;
  };

  const issueKey = (appId: number) => {
    const key = generateAppKey();
    const id = store.apps.addKey(appId, hashKey(key), displayPrefix(key), 'admin', deps.now());
    return { id, key, prefix: displayPrefix(key) };
  };

  router.get('/apps', (ctx) => {
    ctx.body = { data: store.apps.list().map((app) => appView(app, store.apps.keysOf(app.id))) };
  });

  router.post('/apps', async (ctx) => {
    const app = validateApp(await jsonBody(ctx));
    if (app.key !== undefined) {
      throw new GatewayError(400, 'invalid_request', 'key: the admin API generates keys; leave it out.');
    }
    if (store.apps.get(app.name)) {
      throw new GatewayError(409, 'conflict', `App "${app.name}" already exists.`, {
        type: 'invalid_request_error',
      });
    }
    const created = store.transaction(() => {
      const appId = store.apps.insert(appInput(app, 'admin'), deps.now());
      return { appId, key: issueKey(appId) };
    });
    catalog.refresh();
    ctx.status = 201;
    const record = store.apps.get(app.name)!;
    // The only time the key is ever shown.
    ctx.body = { ...appView(record, store.apps.keysOf(created.appId)), key: created.key.key };
  });

  router.patch('/apps/:name', async (ctx) => {
    const existing = store.apps.get(ctx.params['name']!) ?? notFound(`App "${ctx.params['name']}"`);
    const patch = await jsonBody(ctx);
    // Never stored from here (as in POST): refused rather than ignored, `env:` values included.
    if (patch['key'] !== undefined) {
      throw new GatewayError(400, 'invalid_request', 'key: the admin API generates keys; leave it out.');
    }
    const merged = {
      name: existing.name,
      ...(existing.routes === null ? {} : { routes: existing.routes }),
      ...(existing.budget === null ? {} : { budget: existing.budget }),
      ...(existing.rateLimit === null ? {} : { rateLimit: existing.rateLimit }),
      filters: existing.filters,
      ...patch,
    };
    for (const [name, value] of Object.entries(merged))
      if (value === null) delete (merged as Record<string, unknown>)[name];
    const app = validateApp(merged);
    if (app.name !== existing.name)
      throw new GatewayError(400, 'invalid_request', 'An app cannot be renamed.');
    store.apps.update(appInput(app, existing.source), deps.now());
    catalog.refresh();
    ctx.body = appView(store.apps.get(app.name)!, store.apps.keysOf(existing.id));
  });

  router.delete('/apps/:name', (ctx) => {
    if (!store.apps.remove(ctx.params['name']!)) notFound(`App "${ctx.params['name']}"`);
    catalog.refresh();
    ctx.status = 204;
  });

  router.post('/apps/:name/keys', (ctx) => {
    const app = store.apps.get(ctx.params['name']!) ?? notFound(`App "${ctx.params['name']}"`);
    const issued = issueKey(app.id);
    catalog.refresh();
    ctx.status = 201;
    const record = store.apps.keysOf(app.id).find((key) => key.id === issued.id)!;
    ctx.body = { ...keyView(record), key: issued.key };
  });

  router.delete('/apps/:name/keys/:id', (ctx) => {
    const app = store.apps.get(ctx.params['name']!) ?? notFound(`App "${ctx.params['name']}"`);
    if (!store.apps.revokeKey(app.id, Number(ctx.params['id']), deps.now()))
      notFound(`Active key ${ctx.params['id']}`);
    catalog.refresh();
    ctx.status = 204;
  });

  router.get('/requests', (ctx) => {
    const query = ctx.query;
    const text = (name: string) =>
      typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined;
    const limit = Math.min(Math.max(Number(text('limit') ?? 50) || 50, 1), 1000);
    const status = text('status') === undefined ? undefined : Number(text('status'));
    deps.flushRecords();
    ctx.body = {
      data: store.requests
        .query({
          limit,
          before: text('before'),
          app: text('app'),
          route: text('route'),
          model: text('model'),
          status,
        })
        .map(requestView),
    };
  });

  /** A request's bodies, where its route logs them (opened from their sealed form); `logged: false` otherwise. */
  router.get('/requests/:id/bodies', (ctx) => {
    deps.flushRecords();
    const sealed = store.requests.sealedBodies(ctx.params['id']!);
    ctx.body =
      sealed === undefined
        ? { logged: false }
        : { logged: true, ...(JSON.parse(secrets.open(sealed)) as { request: string; response: string }) };
  });

  router.get('/prices', (ctx) => {
    ctx.body = { data: store.prices.list() };
  });

  router.put('/prices/:model', async (ctx) => {
    const body = await jsonBody(ctx);
    const parsed = (() => {
      try {
        return parseConfig({ prices: [{ ...body, model: ctx.params['model'] }] }, 'price').prices[0]!;
      } catch (error) {
        invalid(error);
      }
    })();
    store.prices.upsert(
      { ...parsed, cachedInputPerMTok: parsed.cachedInputPerMTok ?? null, source: 'admin' },
      deps.now(),
    );
    catalog.refresh();
    ctx.body = store.prices.list().find((price) => price.model === parsed.model);
  });

  router.delete('/prices/:model', (ctx) => {
    if (!store.prices.remove(ctx.params['model']!)) notFound(`A price for "${ctx.params['model']}"`);
    catalog.refresh();
    ctx.status = 204;
  });

  /**
   * The store in the config-file format. Keys are never exported: a route whose vendor key is
   * stored says `apiKey: stored`, and an app with a fixed key from a config file `key: stored`,
   * which import (and `serve --config` on the same data dir) read as "keep what is stored". So
   * importing an export changes nothing.
   */
  router.get('/config', (ctx) => {
    const config = {
      routes: store.routes.list().map((route) => ({
        id: route.id,
        vendor: route.vendor,
        baseUrl: route.baseUrl,
        ...(route.apiKeySealed === null ? {} : { apiKey: STORED_KEY }),
        models: route.models,
        ...(route.defaultModel === null ? {} : { defaultModel: route.defaultModel }),
        ...(route.budget === null ? {} : { budget: route.budget }),
        filters: route.filters,
        ...(route.timeouts === null ? {} : { timeouts: route.timeouts }),
        ...(route.defaultMaxTokens === null ? {} : { defaultMaxTokens: route.defaultMaxTokens }),
        ...(route.rateLimit === null ? {} : { rateLimit: route.rateLimit }),
        ...(route.logBodies ? { logBodies: true } : {}),
      })),
      apps: store.apps.list().map((app) => ({
        name: app.name,
        // Keys the dashboard issued are not the file's to keep or drop; a fixed one from a file is.
        ...(store.apps.keysOf(app.id).some((key) => key.source === 'config') ? { key: STORED_KEY } : {}),
        ...(app.routes === null ? {} : { routes: app.routes }),
        ...(app.budget === null ? {} : { budget: app.budget }),
        ...(app.rateLimit === null ? {} : { rateLimit: app.rateLimit }),
        ...(app.filters.length === 0 ? {} : { filters: app.filters }),
      })),
      filters: store.filters
        .list()
        .map((filter) => ({ name: filter.name, kind: filter.kind, ...filter.spec })),
      prices: store.prices.list().map((price) => ({
        model: price.model,
        inputPerMTok: price.inputPerMTok,
        outputPerMTok: price.outputPerMTok,
        ...(price.cachedInputPerMTok === null ? {} : { cachedInputPerMTok: price.cachedInputPerMTok }),
      })),
      server: deps.server(),
    };
    if (ctx.query['format'] === 'json') ctx.body = config;
    else {
      const document = new Document(config);
      document.commentBefore = EXPORT_HEADER;
      ctx.type = 'application/yaml';
      ctx.body = document.toString();
    }
  });

  /**
   * Applies a config file (YAML or JSON) as `serve --config` does: all or nothing. What exists keeps
   * its source (a dashboard-made route stays one). An entry without a key where a key is stored would
   * remove that key: answered 409 with the routes and apps concerned, nothing applied, unless the
   * request says `?dropKeys=true`.
   */
  router.post('/config', async (ctx) => {
    const text = (await readBody(ctx.req, ADMIN_BODY_LIMIT)).toString('utf8');
    if (nestsTooDeep(text)) {
      throw new GatewayError(
        400,
        'invalid_request',
        `The config is nested deeper than ${MAX_JSON_DEPTH} levels of [ and {.`,
      );
    }
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch (error) {
      throw new GatewayError(
        400,
        'invalid_request',
        `Not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    let config;
    try {
      // No environment: `env:` values are refused (see parseConfig).
      config = parseConfig(raw ?? {}, 'import');
    } catch (error) {
      invalid(error);
    }
    let result;
    try {
      result = applyConfig(store, secrets, config, deps.now(), 'import', {
        keepSources: true,
        dropKeys: ctx.query['dropKeys'] === 'true',
      });
    } catch (error) {
      if (error instanceof KeysWouldBeDropped) {
        ctx.status = 409;
        ctx.body = {
          error: {
            message: error.message,
            type: 'invalid_request_error',
            param: null,
            code: 'keys_would_be_dropped',
          },
          droppedKeys: { routes: error.routes, apps: error.apps },
        };
        return;
      }
      invalid(error);
    }
    catalog.refresh();
    deps.setServer(config.server);
    ctx.body = { changes: result.changes, newKeys: result.newKeys };
  });

  addPolicyRoutes(router, deps);
  addUsageRoutes(router, deps);
  addRouteTools(router, { ...deps, draftRoute });
  addSettingsRoutes(router, { ...deps, secretsKind: secrets.kind, version: VERSION });
  return router;
}
