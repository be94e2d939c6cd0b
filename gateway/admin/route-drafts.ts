import { compileModelMap, type RuntimeRoute } from '../catalog.ts';
import { ConfigError, parseConfig, STORED_KEY, type ResolvedRoute } from '../config/load.ts';
import { routeFromConfig, routeToConfig } from '../config/records.ts';
import { speaksResponses } from '../config/responses-setting.ts';
import type { JsonObject } from '../domain.ts';
import { GatewayError } from '../errors.ts';
import { compileAllowList } from '../policy/allow-list.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import type { RouteRecord } from '../store/types.ts';
import { configInvalid, notFound } from './errors.ts';

export interface RouteDraftDeps {
  store: Store;
  secrets: SecretBox;
  now: () => number;
}

/** What becomes of a stored route's vendor key on a PATCH: a new one, none, or the stored one kept. */
export type KeyChange = { change: 'new'; apiKey: string } | { change: 'remove' } | { change: 'keep' };

/** A route as a write's body describes it, checked as that write would check it; nothing is saved. */
export interface RouteDrafts {
  /**
   * One route validated exactly as the config file's would be, so both paths accept the same
   * things — but for `env:` keys: no environment is passed, so the admin API never reads the gateway's.
   */
  validate(raw: unknown): ResolvedRoute;
  /** A new route has no stored key for `apiKey: stored` to keep. */
  refuseStoredKey(route: ResolvedRoute): ResolvedRoute;
  /** A stored route with a PATCH body applied, validated. */
  patch(existing: RouteRecord, patch: JsonObject): { route: ResolvedRoute; key: KeyChange };
  /**
   * What "Test connection" runs with: the stored route `id` with the body applied as a PATCH, or
   * (no id) a new route from the body as a POST. Throws the write's own 400/404.
   */
  draft(id: string | undefined, body: JsonObject): RuntimeRoute;
}

export function routeDrafts(deps: RouteDraftDeps): RouteDrafts {
  const { store, secrets } = deps;

  const validate = (raw: unknown): ResolvedRoute => {
    // The filters as stored, by name. A route written here may name any of them; they were checked
    // when they were written, and are not checked again (a stripped copy of them once failed every
    // route write: issue 10).
    const knownFilters = new Set(store.filters.list().map((filter) => filter.name));
    const knownRoutes = store.routes.list().map((route) => route.id);
    try {
      // One route in, one route out: parseConfig keeps every entry or throws.
      return parseConfig({ routes: [raw] }, 'route', undefined, { knownFilters, knownRoutes }).routes[0]!;
    } catch (error) {
      // The body is one route: its fields are named as they are sent (`filters[0]`, not `routes[0].filters[0]`).
      if (error instanceof ConfigError) error.message = error.message.replace(/^(\s*)routes\[0\]\./gm, '$1');
      configInvalid(error);
    }
  };

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

  const patch = (existing: RouteRecord, body: JsonObject) => {
    if (body['id'] !== undefined && body['id'] !== existing.id) {
      throw new GatewayError(
        400,
        'invalid_request',
        'A route id cannot be changed; create a new route instead.',
      );
    }
    const { apiKey, ...rest } = body;
    // The key is the body's to decide (below), not a field to merge.
    const { apiKey: _stored, ...current } = routeToConfig(existing);
    const merged: Record<string, unknown> = {
      ...current,
      ...rest,
      ...(typeof apiKey === 'string' ? { apiKey } : {}),
    };
    // `null` clears an optional field.
    for (const [name, value] of Object.entries(merged)) if (value === null) delete merged[name];
    const route = validate(merged);
    if (route.keepStoredKey && existing.apiKeySealed === null) {
      throw new GatewayError(
        400,
        'invalid_request',
        `apiKey: "${STORED_KEY}" keeps the key this gateway holds for route "${existing.id}", but it holds none; paste the key itself`,
        { param: 'apiKey' },
      );
    }
    // A key in the body comes back resolved; `apiKey: "stored"` (as in an export) keeps the
    // stored key, like leaving it out.
    const key: KeyChange =
      apiKey === null
        ? { change: 'remove' }
        : route.apiKey !== undefined
          ? { change: 'new', apiKey: route.apiKey }
          : { change: 'keep' };
    return { route, key };
  };

  const draft = (id: string | undefined, body: JsonObject): RuntimeRoute => {
    let route: ResolvedRoute;
    let apiKey: string | null;
    if (id === undefined) {
      route = refuseStoredKey(validate(body));
      apiKey = route.apiKey ?? null;
    } else {
      const existing = store.routes.get(id) ?? notFound(`Route "${id}"`);
      const patched = patch(existing, body);
      route = patched.route;
      apiKey =
        patched.key.change === 'new'
          ? patched.key.apiKey
          : patched.key.change === 'remove' || existing.apiKeySealed === null
            ? null
            : secrets.open(existing.apiKeySealed);
    }
    const now = deps.now();
    const record = routeFromConfig(route, { position: 0, apiKeySealed: null, source: 'admin' });
    return {
      ...record,
      createdAt: now,
      updatedAt: now,
      apiKey,
      allowList: compileAllowList(route.models),
      // The test sends a fixed prompt and records nothing: no filter has anything to act on.
      compiledFilters: [],
      compiledModelMap: compileModelMap(record.modelMap),
      speaksResponses: speaksResponses(record),
    };
  };

  return { validate, refuseStoredKey, patch, draft };
}
