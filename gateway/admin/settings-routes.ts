import type Router from '@koa/router';
import type { IncomingMessage } from 'node:http';
import { serverSchema, type ServerConfig } from '../config/schema.ts';
import { readJsonObject } from '../http/body.ts';
import type { GatewayState } from '../http/context.ts';
import { formatPath } from '../config/load.ts';
import { invalidBody } from './errors.ts';

export interface SettingsDeps {
  server: () => ServerConfig;
  setServer: (server: ServerConfig) => void;
  runtime: () => { host: string; port: number; dataDir: string; managedByConfig: boolean };
  secretsKind: string;
  version: string;
}

const readJson = (ctx: { req: IncomingMessage }) => readJsonObject(ctx.req, 64 * 1024);

/** The dashboard's settings page: where the gateway runs, and the server section it may change. */
export function addSettingsRoutes(router: Router<GatewayState>, deps: SettingsDeps): void {
  const view = () => {
    const runtime = deps.runtime();
    const server = deps.server();
    return {
      host: runtime.host,
      port: runtime.port,
      dataDir: runtime.dataDir,
      allowedHosts: server.allowedHosts,
      corsOrigins: server.corsOrigins,
      maxBodyMb: server.maxBodyMb,
      // With a config file, its server section is applied again at every start.
      managedByConfig: runtime.managedByConfig,
      secrets: deps.secretsKind,
      version: deps.version,
    };
  };

  router.get('/settings', (ctx) => {
    ctx.body = view();
  });

  router.put('/settings', async (ctx) => {
    const patch = await readJson(ctx);
    const current = deps.server();
    const result = serverSchema.safeParse({
      ...current,
      ...Object.fromEntries(
        Object.entries(patch).filter(([key]) => ['allowedHosts', 'corsOrigins', 'maxBodyMb'].includes(key)),
      ),
    });
    if (!result.success) invalidBody(result.error, formatPath);
    deps.setServer(result.data);
    ctx.body = view();
  });
}
