import Router from '@koa/router';
import type { ScriptSandbox } from '../filters/script-sandbox.ts';
import type { GatewayState } from '../http/context.ts';
import type { Logger } from '../http/errors.ts';
import type { BudgetGuard } from '../policy/budgets.ts';
import type { RouteHealthBook } from '../policy/route-health.ts';
import { VERSION } from '../version.ts';
import { addAgentSessionsRoutes } from './agent-sessions-routes.ts';
import { addAppsRoutes } from './apps-routes.ts';
import { addConfigRoutes, type ConfigAdminDeps } from './config-routes.ts';
import { addDiscoveryRoutes } from './discovery-routes.ts';
import { addPlaygroundRoutes } from './playground-routes.ts';
import { addPolicyRoutes } from './policy-routes.ts';
import { addPricesRoutes } from './prices-routes.ts';
import { addRequestsRoutes } from './requests-routes.ts';
import { routeDrafts } from './route-drafts.ts';
import { addRouteTools, type RouteToolsDeps } from './route-tools.ts';
import { addRoutesRoutes } from './routes-routes.ts';
import { addSettingsRoutes, type SettingsDeps } from './settings-routes.ts';
import { addUsageRoutes } from './usage-routes.ts';

export interface AdminDeps extends ConfigAdminDeps {
  /** Writes queued request rows, so that a read sees every request that has ended. */
  flushRecords: () => void;
  budgets: BudgetGuard;
  sandbox: () => ScriptSandbox | null;
  routeTools: RouteToolsDeps['routeTools'];
  runtime: SettingsDeps['runtime'];
  log: Logger;
  /** Each route's cooldown state, for the routes' `health`. */
  health: RouteHealthBook;
  /** The alert webhook, for the Settings page. */
  alerts: SettingsDeps['alerts'];
}

/** The admin API (`/admin/api/…`, behind adminAuth): one file per resource, put together here. */
export function adminRouter(deps: AdminDeps): Router<GatewayState> {
  const router = new Router<GatewayState>({ prefix: '/admin/api' });
  const drafts = routeDrafts(deps);

  router.get('/status', (ctx) => {
    ctx.body = { status: 'ok', secrets: deps.secrets.kind, routes: deps.catalog.orderedRoutes.length };
  });

  addRoutesRoutes(router, { ...deps, drafts });
  addAppsRoutes(router, deps);
  addRequestsRoutes(router, deps);
  addAgentSessionsRoutes(router, deps);
  addPricesRoutes(router, deps);
  addConfigRoutes(router, deps);
  addPolicyRoutes(router, deps);
  addUsageRoutes(router, deps);
  addRouteTools(router, { ...deps, draftRoute: drafts.draft });
  addDiscoveryRoutes(router, deps);
  addPlaygroundRoutes(router, deps);
  addSettingsRoutes(router, { ...deps, secretsKind: deps.secrets.kind, version: VERSION });
  return router;
}
