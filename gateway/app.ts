import Router from '@koa/router';
import Koa from 'koa';
import { adminRouter } from './admin/router.ts';
import { adminAuth, type AdminSessions } from './admin/sessions.ts';
import type { Catalog } from './catalog.ts';
import type { ServerConfig } from './config/schema.ts';
import type { Upstreams } from './forward.ts';
import { GatewayError } from './errors.ts';
import type { GatewayState } from './http/context.ts';
import { toGatewayError, writeError, type Logger } from './http/errors.ts';
import { hostCheck } from './http/host-check.ts';
import type { PolicyDeps } from './pipeline/admit.ts';
import { mountProxyEndpoints } from './endpoints.ts';
import { dashboard } from './admin/dashboard.ts';
import type { VendorId } from './domain.ts';
import type { Provider } from './providers/index.ts';
import type { Recorder } from './recorder.ts';
import type { ResponseStore } from './store/responses.ts';
import type { SecretBox } from './secrets/types.ts';
import type { Carrier } from './formats/types.ts';
import type { AlertWebhook } from './policy/alert-webhook.ts';
import { cooldownSettings, RouteHealthBook, type RouteHealthEvent } from './policy/route-health.ts';
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
  /** Answers kept for clients to continue from (the Responses API's store). */
  kept: ResponseStore;
  /** Seals vendor state a client hands back next turn. */
  carrier: Carrier;
  /** The provider of each vendor: `providerFor`, or a fake in tests. */
  providers: (vendor: VendorId) => Provider | undefined;
  /** A route starts or ends a cooldown (the desktop app's tray and notifications, the alert webhook). */
  onRouteHealth?: (event: RouteHealthEvent) => void;
  /** The alert webhook, for the Settings page's delivery status and test. */
  alerts: AlertWebhook;
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

  const health = new RouteHealthBook(
    () => cooldownSettings(deps.server().cooldown),
    deps.now,
    deps.onRouteHealth,
  );
  const endpointDeps = {
    catalog: deps.catalog,
    upstreams: deps.upstreams,
    server: deps.server,
    policy: deps.policy,
    recorder: deps.recorder,
    log: deps.log,
    corsOrigins: () => deps.server().corsOrigins,
    providers: deps.providers,
    kept: deps.kept,
    carrier: deps.carrier,
    health,
  };
  const proxy = new Router<GatewayState>();
  const modelLists = mountProxyEndpoints(proxy, endpointDeps, deps.catalog);
  const routeTools = { lists: modelLists, exchange: endpointDeps };
  proxy.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  const adminRoutes = adminRouter({
    ...deps,
    flushRecords: () => deps.recorder.flush(),
    budgets: deps.policy.budgets,
    sandbox: () => deps.policy.quickjs,
    routeTools,
    health,
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
