import type Router from '@koa/router';
import type { Catalog } from '../catalog.ts';
import type { ResolvedRoute } from '../config/load.ts';
import { routeFromConfig } from '../config/records.ts';
import { GatewayError } from '../errors.ts';
import type { GatewayState } from '../http/context.ts';
import { PRESETS } from '../providers/presets.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import type { RouteRecord, Source } from '../store/types.ts';
import type { RouteHealthBook } from '../policy/route-health.ts';
import { readAdminJson } from './body.ts';
import { notFound } from './errors.ts';
import { param } from './params.ts';
import type { RouteDrafts } from './route-drafts.ts';
import { routeView } from './views.ts';

export interface RoutesAdminDeps {
  store: Store;
  catalog: Catalog;
  secrets: SecretBox;
  drafts: RouteDrafts;
  now: () => number;
  flushRecords: () => void;
  health: RouteHealthBook;
}

const UNPRICED_WINDOW_MS = 30 * 24 * 3600 * 1000;
/**
 * How long a route's unpriced models are reused: the Routes page asks every few seconds, and each
 * answer scans a month of the route's requests on the proxy's thread.
 */
const UNPRICED_CACHE_MS = 60_000;

/** The vendor presets and the routes: list, read, create, edit, delete. */
export function addRoutesRoutes(router: Router<GatewayState>, deps: RoutesAdminDeps): void {
  const { store, catalog, secrets, drafts } = deps;

  const unpricedSeen = new Map<string, { at: number; models: string[] }>();
  const stored = (id: string) => store.routes.get(id) ?? notFound(`Route "${id}"`);
  // The route as stored, and how it is doing: healthy, or cooling down after failures until when.
  const view = (route: RouteRecord) => {
    const health = deps.health.health(route.id);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      ...routeView(route),
      health: {
        state: health.state,
        until: iso(health.until),
        recentFailures: health.recentFailures,
        lastError:
          health.lastError === null ? null : { ...health.lastError, time: iso(health.lastError.time) },
      },
    };
  };

  const save = (
    route: ResolvedRoute,
    apiKeySealed: string | null,
    existing: boolean,
    source: Source,
    position: number,
  ) => {
    const record = routeFromConfig(route, { position, apiKeySealed, source });
    if (existing) store.routes.update(record, deps.now());
    else store.routes.insert(record, deps.now());
    catalog.refresh();
    // Its settings changed: what it did before is no guide to what it does now.
    deps.health.forget(route.id);
    unpricedSeen.delete(route.id);
    return view(stored(route.id));
  };

  // Models this route served lately whose price is unknown: the dashboard says "cost unknown — add a price".
  const unpriced = (routeId: string) => {
    const now = deps.now();
    const seen = unpricedSeen.get(routeId);
    if (seen !== undefined && now - seen.at < UNPRICED_CACHE_MS) return seen.models;
    const models = store.requests.unpricedModels(routeId, now - UNPRICED_WINDOW_MS);
    unpricedSeen.set(routeId, { at: now, models });
    return models;
  };

  router.get('/presets', (ctx) => {
    ctx.body = { data: PRESETS };
  });

  router.get('/routes', (ctx) => {
    deps.flushRecords();
    ctx.body = {
      data: store.routes.list().map((route) => ({ ...view(route), unpricedModels: unpriced(route.id) })),
    };
  });

  router.get('/routes/:id', (ctx) => {
    ctx.body = view(stored(param(ctx, 'id')));
  });

  router.post('/routes', async (ctx) => {
    const route = drafts.validate(await readAdminJson(ctx));
    if (store.routes.get(route.id)) {
      throw new GatewayError(409, 'conflict', `Route "${route.id}" already exists.`, {
        type: 'invalid_request_error',
      });
    }
    drafts.refuseStoredKey(route);
    const view = save(
      route,
      route.apiKey ? secrets.seal(route.apiKey) : null,
      false,
      'admin',
      store.routes.nextPosition(),
    );
    ctx.status = 201;
    ctx.body = view;
  });

  router.patch('/routes/:id', async (ctx) => {
    const existing = stored(param(ctx, 'id'));
    const { route, key } = drafts.patch(existing, await readAdminJson(ctx));
    const sealed =
      key.change === 'new'
        ? secrets.seal(key.apiKey)
        : key.change === 'remove'
          ? null
          : existing.apiKeySealed;
    ctx.body = save(route, sealed, true, existing.source, existing.position);
  });

  router.delete('/routes/:id', (ctx) => {
    const id = param(ctx, 'id');
    if (!store.routes.remove(id)) notFound(`Route "${id}"`);
    catalog.refresh();
    // A route made again under this id starts healthy, and without the old one's unpriced models.
    deps.health.forget(id);
    unpricedSeen.delete(id);
    ctx.status = 204;
  });
}
