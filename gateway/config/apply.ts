import { displayPrefix, generateAppKey, hashKey } from '../keys.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import type { AppInput } from '../store/apps.ts';
import type { RouteInput } from '../store/routes.ts';
import { ConfigError, type ResolvedConfig, type ResolvedRoute } from './load.ts';
import type { AppConfig } from './schema.ts';

export interface ApplyResult {
  /** Rows inserted, updated or deleted; 0 when the store already matched the file. */
  changes: number;
  /** Keys generated for new apps that the file gave no key: shown once, never stored in plaintext. */
  newKeys: { app: string; key: string }[];
}

const same = (left: unknown, right: unknown) => JSON.stringify(left) === JSON.stringify(right);

/** A validated app (from a file or the admin API) as the store keeps it. */
export function appInput(app: AppConfig, source: 'config' | 'admin'): AppInput {
  return {
    name: app.name,
    routes: app.routes ?? null,
    budget: app.budget ?? null,
    rateLimit: app.rateLimit ?? null,
    filters: app.filters,
    source,
  };
}

/** A validated route (from a file or the admin API) as the store keeps it. */
export function routeInput(
  route: ResolvedRoute,
  stored: { position: number; apiKeySealed: string | null; source: 'config' | 'admin' },
): RouteInput {
  return {
    id: route.id,
    position: stored.position,
    vendor: route.vendor,
    baseUrl: route.baseUrl,
    apiKeySealed: stored.apiKeySealed,
    models: route.models,
    defaultModel: route.defaultModel ?? null,
    budget: route.budget ?? null,
    filters: route.filters,
    timeouts: route.timeouts ?? null,
    defaultMaxTokens: route.defaultMaxTokens ?? null,
    rateLimit: route.rateLimit ?? null,
    logBodies: route.logBodies ?? false,
    source: stored.source,
  };
}

/**
 * Makes the store match the file, in one transaction. What the file manages (`source = 'config'`)
 * and no longer lists is removed; what the dashboard created is left alone. Applying the same
 * file twice changes nothing.
 */
export function applyConfig(
  store: Store,
  secrets: SecretBox,
  config: ResolvedConfig,
  now: number,
  source = 'config',
): ApplyResult {
  return store.transaction(() => {
    let changes = 0;
    const newKeys: ApplyResult['newKeys'] = [];

    const routeIds = new Set(config.routes.map((route) => route.id));
    config.routes.forEach((route, position) => {
      const existing = store.routes.get(route.id);
      const keyUnchanged =
        existing !== undefined &&
        (existing.apiKeySealed === null
          ? route.apiKey === undefined
          : route.apiKey !== undefined && secrets.open(existing.apiKeySealed) === route.apiKey);
      const sealed = keyUnchanged
        ? existing.apiKeySealed
        : route.apiKey === undefined
          ? null
          : secrets.seal(route.apiKey);
      const desired = routeInput(route, { position, apiKeySealed: sealed, source: 'config' });
      if (!existing) {
        store.routes.insert(desired, now);
        changes++;
      } else {
        const { createdAt: _createdAt, updatedAt: _updatedAt, ...current } = existing;
        if (!same(current, desired)) {
          store.routes.update(desired, now);
          changes++;
        }
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
      const desired = appInput(app, 'config');
      const existing = store.apps.get(app.name);
      let appId: number;
      if (!existing) {
        appId = store.apps.insert(desired, now);
        changes++;
      } else {
        appId = existing.id;
        const current: AppInput = {
          name: existing.name,
          routes: existing.routes,
          budget: existing.budget,
          rateLimit: existing.rateLimit,
          filters: existing.filters,
          source: existing.source,
        };
        if (!same(current, desired)) {
          store.apps.update(desired, now);
          changes++;
        }
      }
      const keys = store.apps.keysOf(appId);
      // A key the file used to set and no longer does stops working.
      const retired = keys.filter(
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
        // A new app, or one whose only key was the file's, gets a key of its own, shown once.
        if (!existing || (retired.length > 0 && active.length === 0)) {
          const key = generateAppKey();
          store.apps.addKey(appId, hashKey(key), displayPrefix(key), 'admin', now);
          newKeys.push({ app: app.name, key });
        }
      }
    });

    const filterNames = new Set(config.filters.map((filter) => filter.name));
    const currentFilters = new Map(store.filters.list().map((filter) => [filter.name, filter]));
    for (const filter of config.filters) {
      const { name, kind, ...spec } = filter;
      const existing = currentFilters.get(name);
      if (!existing || existing.kind !== kind || existing.source !== 'config' || !same(existing.spec, spec)) {
        store.filters.upsert({ name, kind, spec, source: 'config' }, now);
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
      const desired = {
        ...price,
        cachedInputPerMTok: price.cachedInputPerMTok ?? null,
        source: 'config' as const,
      };
      const existing = currentPrices.get(price.model);
      const current = existing && {
        model: existing.model,
        inputPerMTok: existing.inputPerMTok,
        outputPerMTok: existing.outputPerMTok,
        cachedInputPerMTok: existing.cachedInputPerMTok,
        source: existing.source,
      };
      if (!same(current, desired)) {
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
