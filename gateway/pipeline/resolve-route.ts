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
}

/** Model aliases (`model` filters) for a route: the model asked for → the model to use. */
export type ModelMapper = (route: RuntimeRoute, model: string) => string;

const sameModel: ModelMapper = (_route, model) => model;

function checkModel(route: RuntimeRoute, requested: string | undefined, mapModel: ModelMapper): Resolved {
  const asked = requested || route.defaultModel;
  const model = asked ? mapModel(route, asked) : asked;
  if (!model) {
    throw new GatewayError(
      400,
      'invalid_request',
      `"model" is required: route "${route.id}" has no defaultModel.`,
      {
        param: 'model',
      },
    );
  }
  if (!route.allowList.allows(model)) {
    throw new GatewayError(
      403,
      'model_not_allowed',
      `Model "${model}" is not on the allow-list of route "${route.id}".`,
      {
        param: 'model',
      },
    );
  }
  return { route, model };
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
 * (`/v1/...`): `routeId/model` picks the route, a bare model the first of the app's routes whose
 * allow-list matches it, and no model the first of the app's routes with a defaultModel.
 */
export function resolveRoute(
  table: RouteTable,
  app: RuntimeApp,
  routeId: string | undefined,
  requested: string | undefined,
  mapModel: ModelMapper = sameModel,
): Resolved {
  if (routeId !== undefined) return checkModel(routeForApp(table, app, routeId), requested, mapModel);

  const usable = table.orderedRoutes.filter((route) => appMayUse(app, route.id));
  if (!requested) {
    const route = usable.find((candidate) => candidate.defaultModel);
    if (!route) {
      throw new GatewayError(
        400,
        'invalid_request',
        '"model" is required (as "routeId/model" or a model name).',
        {
          param: 'model',
        },
      );
    }
    return checkModel(route, undefined, mapModel);
  }
  const slash = requested.indexOf('/');
  if (slash > 0) {
    const prefix = requested.slice(0, slash);
    if (table.routes.has(prefix)) {
      return checkModel(routeForApp(table, app, prefix), requested.slice(slash + 1), mapModel);
    }
  }
  for (const candidate of usable) {
    const model = mapModel(candidate, requested);
    if (candidate.allowList.allows(model)) return { route: candidate, model };
  }
  if (usable.length === 0)
    throw new GatewayError(404, 'route_not_found', `App "${app.name}" has no route to use.`);
  throw new GatewayError(
    403,
    'model_not_allowed',
    `No route of app "${app.name}" allows model "${requested}".`,
    {
      param: 'model',
    },
  );
}
