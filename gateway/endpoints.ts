import type Router from '@koa/router';
import type { Catalog } from './catalog.ts';
import { formatFor } from './formats/index.ts';
import type { FormatId } from './formats/types.ts';
import { appAuth } from './http/auth.ts';
import { endpoint, type GatewayContext, type GatewayState, type Middleware } from './http/context.ts';
import { proxyCors } from './http/cors.ts';
import type { Logger } from './http/errors.ts';
import { recorded } from './http/recorded.ts';
import type { Recorder } from './recorder.ts';
import type { Endpoint } from './store/types.ts';
import { runExchange, type ExchangeDeps } from './pipeline/exchange.ts';
import { listModels, ModelLists } from './pipeline/model-lists.ts';

export interface EndpointDeps extends ExchangeDeps {
  recorder: Recorder;
  log: Logger;
  corsOrigins: () => readonly string[];
}

/**
 * The proxy's endpoints: which path speaks which wire format and asks for what. Every one is
 * recorded (one row each), authenticated with an app key, and run by the one exchange.
 */
const INBOUND: { prefixes: string[]; format: FormatId }[] = [
  { prefixes: ['/openai/:routeId/v1', '/v1'], format: 'openai-chat' },
];

/** Mounts the proxy endpoints on `router`; returns the model lists, which the dashboard's route tools share. */
export function mountProxyEndpoints(
  router: Router<GatewayState>,
  deps: EndpointDeps,
  catalog: Catalog,
): ModelLists {
  const lists = new ModelLists(deps);
  const auth = appAuth(catalog);
  const cors = proxyCors(deps.corsOrigins);
  const wrap = (
    kind: Endpoint,
    handler: Middleware,
    errorShape?: Parameters<typeof recorded>[3],
  ): Middleware[] => [cors, recorded(kind, deps.recorder, deps.log, errorShape), auth, handler];
  const routeId = (ctx: GatewayContext): string | undefined => ctx.params['routeId'];

  for (const { prefixes, format } of INBOUND) {
    const inbound = formatFor(format);
    for (const prefix of prefixes) {
      router.post(
        `${prefix}/chat/completions`,
        ...wrap(
          'chat.completions',
          endpoint((ctx, state) =>
            runExchange(ctx, deps, state, { operation: 'chat', inbound, routeId: routeId(ctx) }),
          ),
        ),
      );
      router.post(
        `${prefix}/embeddings`,
        ...wrap(
          'embeddings',
          endpoint((ctx, state) =>
            runExchange(ctx, deps, state, { operation: 'embeddings', inbound, routeId: routeId(ctx) }),
          ),
        ),
      );
      router.get(
        `${prefix}/models`,
        ...wrap(
          'models',
          endpoint((ctx, state) => listModels(ctx, deps, lists, state, routeId(ctx))),
        ),
      );
      router.options(`${prefix}/{*rest}`, cors);
    }
  }

  // On /proxy, errors come in the route's own format, so that its SDK can read them.
  const routeShape = (ctx: GatewayContext) => {
    const route = catalog.routes.get(ctx.params['routeId'] ?? '');
    const provider = route ? deps.providers(route.vendor) : undefined;
    return provider ? formatFor(provider.format).errorBody : undefined;
  };
  router.all(
    '/proxy/:routeId/{*rest}',
    ...wrap(
      'proxy',
      endpoint((ctx, state) =>
        runExchange(ctx, deps, state, { operation: 'native', routeId: ctx.params['routeId'] ?? '' }),
      ),
      routeShape,
    ),
  );
  return lists;
}
