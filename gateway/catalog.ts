import { speaksResponses } from './config/responses-setting.ts';
import { compileFilter, type CompiledFilter } from './filters/engine.ts';
import { compileAllowList, globToRegExp, isGlob, type AllowList } from './policy/allow-list.ts';
import type { PriceOverride } from './policy/pricing.ts';
import type { SecretBox } from './secrets/types.ts';
import type { Store } from './store/index.ts';
import type { AppRecord, ModelMap, RouteRecord } from './store/types.ts';

/** A model map ready for the hot path. */
export interface CompiledModelMap {
  /** The model the first matching pattern maps `model` to; undefined when none matches. */
  lookup(model: string): string | undefined;
}

const NO_MAP: CompiledModelMap = { lookup: () => undefined };

/** Patterns are globs as in the allow-list (`*`, `?`), tried in the map's order. */
export function compileModelMap(map: ModelMap | null): CompiledModelMap {
  if (map === null) return NO_MAP;
  const entries = Object.entries(map).map(([pattern, model]) => {
    if (!isGlob(pattern)) return { matches: (asked: string) => asked === pattern, model };
    const glob = globToRegExp(pattern);
    return { matches: (asked: string) => glob.test(asked), model };
  });
  if (entries.length === 0) return NO_MAP;
  return { lookup: (asked) => entries.find((entry) => entry.matches(asked))?.model };
}

export interface RuntimeRoute extends RouteRecord {
  /** The vendor key, opened once per change and kept only in memory. */
  apiKey: string | null;
  allowList: AllowList;
  compiledFilters: CompiledFilter[];
  compiledModelMap: CompiledModelMap;
  /**
   * Whether Responses requests pass through to its server: the route's setting, or true where every
   * server of its vendor speaks the Responses API (OpenAI). Else they are translated.
   */
  speaksResponses: boolean;
}

export interface RuntimeApp extends AppRecord {
  keyId: number;
  compiledFilters: CompiledFilter[];
  compiledModelMap: CompiledModelMap;
}

/**
 * The hot path's view of the store: routes, key hashes and prices held in memory and rebuilt
 * after every change, so that a request costs map lookups rather than queries.
 */
export class Catalog {
  routes = new Map<string, RuntimeRoute>();
  /** Routes in their configured order (the order bare-model routing tries them). */
  orderedRoutes: RuntimeRoute[] = [];
  private appsByKeyHash = new Map<string, RuntimeApp>();
  prices = new Map<string, PriceOverride>();
  /** Whether any route or app uses a script filter (the sandbox is started only then). */
  usesScripts = false;
  /** Whether any route or app has a budget or a TPM limit, i.e. requests' tokens are counted. */
  countsTokens = false;
  private listeners: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
  ) {
    this.refresh();
  }

  refresh(): void {
    const filters = new Map<string, CompiledFilter>();
    for (const filter of this.store.filters.list()) {
      try {
        filters.set(filter.name, compileFilter(filter.name, filter.kind, filter.spec));
      } catch {
        // Stored filters were validated when saved; one that no longer compiles blocks (below) rather than vanishes.
      }
    }
    // A filter that is named but missing or broken fails closed: its requests are blocked, not waved through.
    const compiled = (names: readonly string[]): CompiledFilter[] =>
      names.map((name) => filters.get(name) ?? { name, kind: 'invalid' });
    const routes = this.store.routes.list().map((route) => ({
      ...route,
      apiKey: route.apiKeySealed === null ? null : this.secrets.open(route.apiKeySealed),
      allowList: compileAllowList(route.models),
      compiledFilters: compiled(route.filters),
      compiledModelMap: compileModelMap(route.modelMap),
      speaksResponses: speaksResponses(route),
    }));
    const apps = new Map(this.store.apps.list().map((app) => [app.id, app]));
    const byHash = new Map<string, RuntimeApp>();
    for (const key of this.store.apps.allKeys()) {
      const app = apps.get(key.appId);
      if (app && key.revokedAt === null) {
        byHash.set(key.hash, {
          ...app,
          keyId: key.id,
          compiledFilters: compiled(app.filters),
          compiledModelMap: compileModelMap(app.modelMap),
        });
      }
    }
    this.orderedRoutes = routes;
    this.routes = new Map(routes.map((route) => [route.id, route]));
    this.appsByKeyHash = byHash;
    this.prices = new Map(this.store.prices.list().map((price) => [price.model, price]));
    this.usesScripts = [...filters.values()].some((filter) => filter.kind === 'script');
    this.countsTokens = [...routes, ...apps.values()].some(
      (holder) => holder.budget !== null || holder.rateLimit?.tpm !== undefined,
    );
    for (const listener of this.listeners) listener();
  }

  /** Called after every refresh (the gateway starts the script sandbox when scripts appear). */
  onRefresh(listener: () => void): void {
    this.listeners.push(listener);
  }

  appByKeyHash(hash: string): RuntimeApp | undefined {
    return this.appsByKeyHash.get(hash);
  }
}

export function appMayUse(app: AppRecord, routeId: string): boolean {
  return app.routes === null || app.routes.includes(routeId);
}
