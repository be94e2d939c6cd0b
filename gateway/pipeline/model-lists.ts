import { appMayUse, type RuntimeRoute } from '../catalog.ts';
import { formatFor } from '../formats/index.ts';
import type { WireFormat } from '../formats/types.ts';
import type { GatewayContext, RequestState } from '../http/context.ts';
import { isGlob } from '../policy/allow-list.ts';
import { providerOf, sendCall, type ExchangeDeps } from './exchange.ts';
import { routeForApp } from './resolve-route.ts';
import { abortOnClientClose, readJson, upstreamLimits } from './upstream.ts';

const MODEL_CACHE_MS = 5 * 60 * 1000;

/** The vendor's model lists, fetched with the route's key and kept for a few minutes. */
export class ModelLists {
  private cache = new Map<string, { at: number; ids: string[]; baseUrl: string }>();

  constructor(private readonly deps: ExchangeDeps) {}

  async of(route: RuntimeRoute, signal: AbortSignal): Promise<string[]> {
    const cached = this.cache.get(route.id);
    if (cached && cached.baseUrl === route.baseUrl && Date.now() - cached.at < MODEL_CACHE_MS)
      return cached.ids;
    let ids: string[];
    try {
      const provider = providerOf(this.deps, route);
      const upstream = await sendCall(this.deps, {
        route,
        provider,
        operation: 'models',
        model: '',
        stream: false,
        signal,
      });
      const { parsed } = await readJson(upstream, upstreamLimits(this.deps.server()).bodyBytes);
      ids = formatFor(provider.format).parseModelList(parsed);
    } catch (error) {
      // A vendor that cannot list: the allow-list's literal names and the default model.
      const literal = [...route.models.filter((pattern) => !isGlob(pattern))];
      if (route.defaultModel && !literal.includes(route.defaultModel)) literal.push(route.defaultModel);
      if (literal.length === 0) throw error;
      return literal;
    }
    this.cache.set(route.id, { at: Date.now(), ids, baseUrl: route.baseUrl });
    return ids;
  }

  /** The models `app` may use on `route`: the vendor's list filtered by the allow-list. */
  async allowed(route: RuntimeRoute, signal: AbortSignal): Promise<string[]> {
    return (await this.of(route, signal)).filter((id) => route.allowList.allows(id));
  }
}

function modelObject(id: string, ownedBy: string) {
  return { id, object: 'model', created: 0, owned_by: ownedBy };
}

/** `GET …/models`: one route's allowed models, or (at the root) every usable route's as `routeId/model`. */
export async function listModels(
  ctx: GatewayContext,
  deps: ExchangeDeps,
  lists: ModelLists,
  { app, draft }: RequestState,
  routeId: string | undefined,
  /** The format the client reads: lists in its own shape where it is not the hub's. */
  format: WireFormat,
): Promise<void> {
  const signal = abortOnClientClose(ctx).signal;
  if (routeId !== undefined) {
    const route = routeForApp(deps.catalog, app, routeId);
    draft.route = route.id;
    draft.vendor = route.vendor;
    const ids = await lists.allowed(route, signal);
    ctx.body = format.inbound
      ? format.inbound.modelList(ids)
      : { object: 'list', data: ids.map((id) => modelObject(id, route.vendor)) };
    return;
  }
  const routes = deps.catalog.orderedRoutes.filter((route) => appMayUse(app, route.id));
  const perRoute = await Promise.all(
    routes.map(async (route) => {
      try {
        return (await lists.allowed(route, signal)).map((id) =>
          modelObject(`${route.id}/${id}`, route.vendor),
        );
      } catch {
        return []; // One unreachable upstream does not hide the others' models.
      }
    }),
  );
  ctx.body = { object: 'list', data: perRoute.flat() };
}
