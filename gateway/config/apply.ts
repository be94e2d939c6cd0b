import { PLAYGROUND_APP } from '../domain.ts';
import { displayPrefix, generateAppKey, hashKey } from '../keys.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import { ConfigError, STORED_KEY, type ResolvedConfig } from './load.ts';
import { appFromConfig, filterFromConfig, priceFromConfig, routeFromConfig, unchanged } from './records.ts';

export interface ApplyResult {
  /** Rows inserted, updated or deleted; 0 when the store already matched the file. */
  changes: number;
  /** Keys generated for new apps that the file gave no key: shown once, never stored in plaintext. */
  newKeys: { app: string; key: string }[];
}

export interface ApplyOptions {
  /**
   * The admin API's import: what already exists keeps its source, so that importing an export
   * leaves a dashboard-made route dashboard-made (what is new is managed by the config, as a file's).
   * Without it (`serve --config`) the file takes over everything it lists.
   */
  keepSources?: boolean;
  /**
   * Whether an entry without a key may remove the key stored for its route (or the fixed key of its
   * app). Default true: a config file is declarative. The admin API's import asks first.
   */
  dropKeys?: boolean;
}

/** Keys an apply would remove, with nothing applied: `dropKeys: false` was given. */
export class KeysWouldBeDropped extends Error {
  readonly routes: string[];
  readonly apps: string[];

  constructor(routes: string[], apps: string[]) {
    const what = [
      ...routes.map((id) => `the vendor key of route "${id}"`),
      ...apps.map((name) => `the fixed key of app "${name}"`),
    ];
    super(
      `This import would remove ${what.join(', ')}: the file gives no key for ${routes.length + apps.length === 1 ? 'it' : 'them'}, or leaves ${routes.length + apps.length === 1 ? 'it' : 'them'} out. ` +
        `Write \`apiKey: ${STORED_KEY}\` (an app: \`key: ${STORED_KEY}\`) to keep a stored key, ` +
        'or import again with ?dropKeys=true to remove them. Nothing was applied.',
    );
    this.name = 'KeysWouldBeDropped';
    this.routes = routes;
    this.apps = apps;
  }
}

/**
 * `stored` refers to a key that must exist already: a new route (or one without a key) has none to
 * keep, and silently leaving it keyless would only fail at its first request.
 */
function checkStoredKeys(store: Store, config: ResolvedConfig, source: string): void {
  const problems: string[] = [];
  config.routes.forEach((route, index) => {
    const existing = store.routes.get(route.id);
    if (route.keepStoredKey && !existing?.apiKeySealed) {
      problems.push(
        `  routes[${index}].apiKey: "${STORED_KEY}" keeps the key this gateway holds for route "${route.id}", ` +
          'but it holds none: give the key itself',
      );
    } else if (route.keepStoredKey && existing && originOf(existing.baseUrl) !== originOf(route.baseUrl)) {
      // A file must not be able to send a key it never held to a host of its choosing.
      problems.push(
        `  routes[${index}].apiKey: "${STORED_KEY}" keeps the key of route "${route.id}" only for its host ` +
          `(${originOf(existing.baseUrl)}); to send a key to ${originOf(route.baseUrl)}, give the key itself`,
      );
    }
  });
  config.apps.forEach((app, index) => {
    const existing = store.apps.get(app.name);
    const fixed = existing && store.apps.keysOf(existing.id).some((key) => key.source === 'config');
    if (app.keepStoredKey && !fixed) {
      problems.push(
        `  apps[${index}].key: "${STORED_KEY}" keeps the fixed key this gateway holds for app "${app.name}", ` +
          'but it holds none: give the key itself, or leave it out to have one generated',
      );
    }
  });
  if (problems.length > 0) throw new ConfigError(`${source}: invalid config:\n${problems.join('\n')}`);
}

function originOf(url: string | undefined): string {
  try {
    return url === undefined ? '' : new URL(url).origin;
  } catch {
    return url ?? '';
  }
}

/**
 * Routes whose stored key, and apps whose fixed key, applying `config` would remove: entries that
 * name no key where one is held, and config-managed ones the file no longer lists (applying it
 * removes them with their keys).
 */
function keysDroppedBy(store: Store, config: ResolvedConfig): { routes: string[]; apps: string[] } {
  const listedRoutes = new Set(config.routes.map((route) => route.id));
  const routes = config.routes
    .filter(
      (route) =>
        route.apiKey === undefined && !route.keepStoredKey && store.routes.get(route.id)?.apiKeySealed,
    )
    .map((route) => route.id);
  for (const route of store.routes.list()) {
    if (route.source === 'config' && !listedRoutes.has(route.id) && route.apiKeySealed) routes.push(route.id);
  }
  const listedApps = new Set(config.apps.map((app) => app.name));
  const removedApps = store.apps
    .list()
    .filter(
      (app) =>
        app.source === 'config' &&
        !listedApps.has(app.name) &&
        store.apps.keysOf(app.id).some((key) => key.source === 'config'),
    )
    .map((app) => app.name);
  const apps = config.apps
    .filter((app) => {
      if (app.key !== undefined || app.keepStoredKey) return false;
      const existing = store.apps.get(app.name);
      return existing !== undefined && store.apps.keysOf(existing.id).some((key) => key.source === 'config');
    })
    .map((app) => app.name);
  return { routes, apps: [...apps, ...removedApps] };
}

/**
 * Routes keep their positions when the file lists only routes that exist, in the order they already
 * have; otherwise the file's order is written. So re-importing an export (whose order is the
 * store's, but whose positions may have gaps) changes nothing.
 */
function keepsRouteOrder(store: Store, config: ResolvedConfig): boolean {
  let previous = -Infinity;
  for (const route of config.routes) {
    const existing = store.routes.get(route.id);
    if (!existing || existing.position <= previous) return false;
    previous = existing.position;
  }
  return true;
}

/**
 * Makes the store match the file, in one transaction. What the file manages (`source = 'config'`)
 * and no longer lists is removed; what the dashboard created is left alone. Applying the same
 * file twice changes nothing. `stored` keys must exist (a ConfigError names each that does not);
 * with `dropKeys: false`, KeysWouldBeDropped is thrown before anything is written.
 */
export function applyConfig(
  store: Store,
  secrets: SecretBox,
  config: ResolvedConfig,
  now: number,
  source = 'config',
  options: ApplyOptions = {},
): ApplyResult {
  return store.transaction(() => {
    checkStoredKeys(store, config, source);
    if (options.dropKeys === false) {
      const dropped = keysDroppedBy(store, config);
      if (dropped.routes.length + dropped.apps.length > 0)
        throw new KeysWouldBeDropped(dropped.routes, dropped.apps);
    }
    let changes = 0;
    const newKeys: ApplyResult['newKeys'] = [];
    const sourceOf = (existing: { source: 'config' | 'admin' } | undefined) =>
      options.keepSources && existing ? existing.source : 'config';

    const routeIds = new Set(config.routes.map((route) => route.id));
    const keepPositions = keepsRouteOrder(store, config);
    config.routes.forEach((route, index) => {
      const existing = store.routes.get(route.id);
      const keyUnchanged =
        existing !== undefined &&
        (route.keepStoredKey === true ||
          (existing.apiKeySealed === null
            ? route.apiKey === undefined
            : route.apiKey !== undefined && secrets.open(existing.apiKeySealed) === route.apiKey));
      const sealed = keyUnchanged
        ? existing.apiKeySealed
        : route.apiKey === undefined
          ? null
          : secrets.seal(route.apiKey);
      const position = keepPositions && existing ? existing.position : index;
      const desired = routeFromConfig(route, { position, apiKeySealed: sealed, source: sourceOf(existing) });
      if (!existing) {
        store.routes.insert(desired, now);
        changes++;
      } else if (!unchanged(existing, desired)) {
        store.routes.update(desired, now);
        changes++;
      }
    });
    for (const route of store.routes.list()) {
      if (route.source === 'config' && !routeIds.has(route.id))
        changes += Number(store.routes.remove(route.id));
    }

    // Apps the file no longer lists go first, so that a fixed key can move to a renamed app.
    const appNames = new Set(config.apps.map((app) => app.name));
    for (const app of store.apps.list()) {
      if (app.source === 'config' && !appNames.has(app.name)) changes += Number(store.apps.remove(app.name));
    }
    config.apps.forEach((app, index) => {
      const existing = store.apps.get(app.name);
      const desired = appFromConfig(app, sourceOf(existing));
      let appId: number;
      if (!existing) {
        appId = store.apps.insert(desired, now);
        changes++;
      } else {
        appId = existing.id;
        if (!unchanged(existing, desired)) {
          store.apps.update(desired, now);
          changes++;
        }
      }
      const keys = store.apps.keysOf(appId);
      // A key the file used to set and no longer does stops working; `key: stored` keeps it.
      const retired = app.keepStoredKey
        ? []
        : keys.filter(
            (key) => key.source === 'config' && (app.key === undefined || key.hash !== hashKey(app.key)),
          );
      for (const key of retired) changes += Number(store.apps.deleteKey(key.id));
      if (app.key !== undefined) {
        const hash = hashKey(app.key);
        if (!keys.some((key) => key.hash === hash)) {
          const owner = store.apps.ownerOfKey(hash);
          if (owner !== undefined) {
            throw new ConfigError(
              `${source}: invalid config:\n  apps[${index}].key: this key already belongs to app "${owner}"`,
            );
          }
          store.apps.addKey(appId, hash, displayPrefix(app.key), 'config', now);
          changes++;
        }
      } else {
        const active = keys.filter((key) => key.revokedAt === null && !retired.includes(key));
        // A new app, or one whose only key was the file's, gets a key of its own, shown once; not the
        // built-in app, whose key the Playground issues itself and nobody else is meant to hold.
        if (app.name !== PLAYGROUND_APP && (!existing || (retired.length > 0 && active.length === 0))) {
          const key = generateAppKey();
          store.apps.addKey(appId, hashKey(key), displayPrefix(key), 'admin', now);
          newKeys.push({ app: app.name, key });
        }
      }
    });

    const filterNames = new Set(config.filters.map((filter) => filter.name));
    const currentFilters = new Map(store.filters.list().map((filter) => [filter.name, filter]));
    for (const filter of config.filters) {
      const existing = currentFilters.get(filter.name);
      const desired = filterFromConfig(filter, sourceOf(existing));
      if (!existing || !unchanged(existing, desired)) {
        store.filters.upsert(desired, now);
        changes++;
      }
    }
    for (const filter of currentFilters.values()) {
      if (filter.source === 'config' && !filterNames.has(filter.name))
        changes += Number(store.filters.remove(filter.name));
    }

    const priceModels = new Set(config.prices.map((price) => price.model));
    const currentPrices = new Map(store.prices.list().map((price) => [price.model, price]));
    for (const price of config.prices) {
      const existing = currentPrices.get(price.model);
      const desired = priceFromConfig(price, sourceOf(existing));
      if (!existing || !unchanged(existing, desired)) {
        store.prices.upsert(desired, now);
        changes++;
      }
    }
    for (const price of currentPrices.values()) {
      if (price.source === 'config' && !priceModels.has(price.model))
        changes += Number(store.prices.remove(price.model));
    }

    return { changes, newKeys };
  });
}
