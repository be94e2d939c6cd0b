import { appMayUse, type RuntimeApp, type RuntimeRoute } from '../catalog.ts';
import { GatewayError } from '../errors.ts';

export interface RouteTable {
  routes: ReadonlyMap<string, RuntimeRoute>;
  orderedRoutes: readonly RuntimeRoute[];
}

export interface Resolved {
  route: RuntimeRoute;
  /** The model to ask the vendor for. */
  model: string;
  /** The model as asked for on this route (the route prefix removed, no map or alias applied yet). */
  asked: string;
}

/** Model aliases (`model` filters) for a route: the model asked for → the model to use. */
export type ModelMapper = (route: RuntimeRoute, model: string) => string;

const sameModel: ModelMapper = (_route, model) => model;

/** `routeId/model` taken apart where routeId names a route; anything else is a bare model. */
function splitRoute(table: RouteTable, model: string): { route: RuntimeRoute; model: string } | undefined {
  const slash = model.indexOf('/');
  if (slash <= 0) return undefined;
  const route = table.routes.get(model.slice(0, slash));
  return route && { route, model: model.slice(slash + 1) };
}

/** What follows the app's map on a chosen route: the route's map, then the aliases. */
function onRoute(route: RuntimeRoute, model: string, aliases: ModelMapper): string {
  return aliases(route, route.compiledModelMap.lookup(model) ?? model);
}

/** The allow-list judges the model actually sent, whatever maps and aliases made of the one asked. */
function allowed(route: RuntimeRoute, model: string, asked: string): Resolved {
  if (!route.allowList.allows(model)) {
    const from = model === asked ? '' : ` (asked for as "${asked}")`;
    throw new GatewayError(
      403,
      'model_not_allowed',
      `Model "${model}"${from} is not on the allow-list of route "${route.id}".`,
      { param: 'model' },
    );
  }
  return { route, model, asked };
}

/**
 * The model on a route the request chose itself (in the path, or as `routeId/model`). The app's
 * map still applies, but can no longer choose the route: a value naming this route, or a bare
 * model, is used; a value naming another route is refused, since sending the request elsewhere
 * than the route the client named would be a surprise, and ignoring the map entry another.
 */
function checkModel(
  table: RouteTable,
  app: RuntimeApp,
  route: RuntimeRoute,
  requested: string | undefined,
  aliases: ModelMapper,
): Resolved {
  if (!requested) {
    if (!route.defaultModel) {
      throw new GatewayError(
        400,
        'invalid_request',
        `"model" is required: route "${route.id}" has no defaultModel.`,
        { param: 'model' },
      );
    }
    // The route's own default is already the model the user wants there: maps apply to what a client names.
    return allowed(route, aliases(route, route.defaultModel), route.defaultModel);
  }
  const mapped = app.compiledModelMap.lookup(requested);
  let model = mapped ?? requested;
  const target = mapped === undefined ? undefined : splitRoute(table, mapped);
  if (target && target.route !== route) {
    throw new GatewayError(
      403,
      'route_not_allowed',
      `The model map of app "${app.name}" sends "${requested}" to route "${target.route.id}", but this ` +
        `request names route "${route.id}". Call the gateway's root endpoints (no route in the path, ` +
        `a bare model) to let the map choose the route, or map "${requested}" to a model of route "${route.id}".`,
      { param: 'model' },
    );
  }
  if (target) model = target.model;
  return allowed(route, onRoute(route, model, aliases), requested);
}

export function routeForApp(table: RouteTable, app: RuntimeApp, routeId: string): RuntimeRoute {
  const route = table.routes.get(routeId);
  if (!route) throw new GatewayError(404, 'route_not_found', `There is no route "${routeId}".`);
  if (!appMayUse(app, routeId)) {
    throw new GatewayError(403, 'route_not_allowed', `App "${app.name}" may not use route "${routeId}".`);
  }
  return route;
}

/**
 * Picks the route and model for a request. With a routeId in the path, that route. Without one
 * (`/v1/...`): `routeId/model` picks the route; a bare model goes through the app's model map
 * first, whose value may be `routeId/model` (that route) or a model; a bare model then picks the
 * first of the app's routes whose allow-list matches it (after that route's map and the aliases);
 * no model, the first of the app's routes with a defaultModel. On a chosen route the order is:
 * the app's map, the route's map, the aliases (app's, then route's), the allow-list.
 */
export function resolveRoute(
  table: RouteTable,
  app: RuntimeApp,
  routeId: string | undefined,
  requested: string | undefined,
  aliases: ModelMapper = sameModel,
): Resolved {
  if (routeId !== undefined)
    return checkModel(table, app, routeForApp(table, app, routeId), requested, aliases);

  const usable = table.orderedRoutes.filter((route) => appMayUse(app, route.id));
  if (!requested) {
    const route = usable.find((candidate) => candidate.defaultModel);
    if (!route) {
      throw new GatewayError(
        400,
        'invalid_request',
        '"model" is required (as "routeId/model" or a model name).',
        { param: 'model' },
      );
    }
    return checkModel(table, app, route, undefined, aliases);
  }
  const named = splitRoute(table, requested);
  if (named) return checkModel(table, app, routeForApp(table, app, named.route.id), named.model, aliases);

  const mapped = app.compiledModelMap.lookup(requested);
  const target = mapped === undefined ? undefined : splitRoute(table, mapped);
  if (target) {
    const { route } = target;
    if (!appMayUse(app, route.id)) {
      throw new GatewayError(
        403,
        'route_not_allowed',
        `The model map of app "${app.name}" sends "${requested}" to route "${route.id}", which the app may not use.`,
        { param: 'model' },
      );
    }
    return allowed(route, onRoute(route, target.model, aliases), requested);
  }
  const model = mapped ?? requested;
  for (const candidate of usable) {
    const used = onRoute(candidate, model, aliases);
    if (candidate.allowList.allows(used)) return { route: candidate, model: used, asked: requested };
  }
  if (usable.length === 0)
    throw new GatewayError(404, 'route_not_found', `App "${app.name}" has no route to use.`);
  const from = model === requested ? '' : ` (the app's model map's choice for "${requested}")`;
  throw new GatewayError(
    403,
    'model_not_allowed',
    `No route of app "${app.name}" allows model "${model}"${from}.`,
    { param: 'model' },
  );
}
