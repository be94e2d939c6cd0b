import Router from '@koa/router';
import Koa from 'koa';
import { adminRouter } from './admin/router.ts';
import { adminAuth, type AdminSessions } from './admin/sessions.ts';
import type { Catalog } from './catalog.ts';
import type { ServerConfig } from './config/schema.ts';
import type { Upstreams } from './forward.ts';
import { GatewayError } from './errors.ts';
import { appAuth } from './http/auth.ts';
import type { GatewayContext, GatewayState, Middleware } from './http/context.ts';
import type { PolicyDeps } from './http/policy.ts';
import { proxyCors } from './http/cors.ts';
import { toGatewayError, writeError, type Logger } from './http/errors.ts';
import { hostCheck } from './http/host-check.ts';
import { chatCompletions, embeddings, listModels, ModelLists } from './http/openai-endpoints.ts';
import { proxyPassThrough } from './http/proxy.ts';
import { recorded } from './http/recorded.ts';
import { dashboard } from './http/ui.ts';
import type { Recorder } from './recorder.ts';
import { vendorFor } from './providers/index.ts';
import type { SecretBox } from './secrets/types.ts';
import type { Store } from './store/index.ts';

export interface GatewayDeps {
  store: Store;
  catalog: Catalog;
  secrets: SecretBox;
  recorder: Recorder;
  upstreams: Upstreams;
  policy: PolicyDeps;
  sessions: AdminSessions;
  server: () => ServerConfig;
  setServer: (server: ServerConfig) => void;
  /** Where this gateway runs, for the dashboard's settings page. */
  runtime: () => { host: string; port: number; dataDir: string; managedByConfig: boolean };
  allowedHosts: () => ReadonlySet<string>;
  dashboardDir: string;
  log: Logger;
  now: () => number;
}

/** The Koa app: a small core, every feature a middleware that takes its dependencies. */
export function createGateway(deps: GatewayDeps): Koa<GatewayState> {
  const app = new Koa<GatewayState>({ proxy: false });
  // Koa's default handler prints errors to stderr; ours are answered and, if they are bugs, logged once.
  app.silent = true;

  app.use(async function errorsMiddleware(ctx, next) {
    try {
      await next();
    } catch (thrown) {
      writeError(ctx, toGatewayError(thrown, deps.log));
    }
  });
  app.use(hostCheck(deps.allowedHosts));

  const endpointDeps = {
    catalog: deps.catalog,
    upstreams: deps.upstreams,
    server: deps.server,
    policy: deps.policy,
  };
  const modelLists = new ModelLists(endpointDeps);
  const routeTools = { lists: modelLists, endpoints: endpointDeps };
  const auth = appAuth(deps.catalog);
  const cors = proxyCors(() => deps.server().corsOrigins);
  const proxy = new Router<GatewayState>();
  const chat = chatCompletions(endpointDeps);
  const embed = embeddings(endpointDeps);
  const models = listModels(endpointDeps, modelLists);
  const wrap = (
    endpoint: Parameters<typeof recorded>[0],
    handler: Middleware,
    errorShape?: Parameters<typeof recorded>[3],
  ) => [cors, recorded(endpoint, deps.recorder, deps.log, errorShape), auth, handler];
  // On /proxy, errors come in the route's vendor's own shape, so its SDK can read them.
  const vendorShape = (ctx: GatewayContext) => {
    const route = deps.catalog.routes.get(ctx.params['routeId'] ?? '');
    return route ? vendorFor(route.vendor)?.errorBody : undefined;
  };

  for (const prefix of ['/openai/:routeId/v1', '/v1']) {
    proxy.post(`${prefix}/chat/completions`, ...wrap('chat.completions', chat));
    proxy.post(`${prefix}/embeddings`, ...wrap('embeddings', embed));
    proxy.get(`${prefix}/models`, ...wrap('models', models));
    proxy.options(`${prefix}/{*rest}`, cors);
  }
  proxy.all('/proxy/:routeId/{*rest}', ...wrap('proxy', proxyPassThrough(endpointDeps), vendorShape));
  proxy.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  const adminRoutes = adminRouter({
    ...deps,
    flushRecords: () => deps.recorder.flush(),
    budgets: deps.policy.budgets,
    sandbox: () => deps.policy.quickjs,
    routeTools,
  }).routes();
  const adminGuard = adminAuth(deps.sessions);
  app.use(proxy.routes());
  app.use(dashboard(deps.sessions, deps.dashboardDir));
  app.use(async function adminMiddleware(ctx, next) {
    if (!ctx.path.startsWith('/admin/')) return next();
    await adminGuard(ctx, () => adminRoutes(ctx as Parameters<typeof adminRoutes>[0], next));
  });
  app.use(async function notFoundMiddleware(ctx) {
    if (ctx.body === undefined && ctx.status === 404) {
      throw new GatewayError(404, 'route_not_found', `There is no endpoint at ${ctx.method} ${ctx.path}.`);
    }
  });
  return app;
}
