import type Router from '@koa/router';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { alertWebhookSchema, serverSchema, type ServerConfig } from '../config/schema.ts';
import { GatewayError } from '../errors.ts';
import { readJsonObject } from '../http/body.ts';
import type { GatewayState } from '../http/context.ts';
import { formatPath } from '../config/load.ts';
import type { AlertWebhook } from '../policy/alert-webhook.ts';
import { invalidBody } from './errors.ts';

export interface SettingsDeps {
  server: () => ServerConfig;
  setServer: (server: ServerConfig) => void;
  runtime: () => { host: string; port: number; dataDir: string; managedByConfig: boolean };
  /** The alert webhook: its last delivery, and the test the Settings page sends. */
  alerts: Pick<AlertWebhook, 'status' | 'test'>;
  secretsKind: string;
  version: string;
}

/** What the Settings page may change of the server section; `alertWebhook: null` removes the webhook. */
const EDITABLE = ['allowedHosts', 'corsOrigins', 'maxBodyMb', 'alertWebhook'];

/** A test alert goes to the URL typed in the page, so that it can be tried before it is saved. */
const testRequest = z.strictObject({ url: alertWebhookSchema.shape.url.optional() });

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
      // The whole URL, token included: only the admin sees it, to edit it.
      alertWebhook: server.alertWebhook ?? null,
      alertDelivery: deps.alerts.status(),
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
    const next: Record<string, unknown> = {
      ...deps.server(),
      ...Object.fromEntries(Object.entries(patch).filter(([key]) => EDITABLE.includes(key))),
    };
    if (next['alertWebhook'] === null) delete next['alertWebhook'];
    const result = serverSchema.safeParse(next);
    if (!result.success) invalidBody(result.error, formatPath);
    deps.setServer(result.data);
    ctx.body = view();
  });

  router.post('/settings/alert-webhook/test', async (ctx) => {
    const body = testRequest.safeParse(await readJson(ctx));
    if (!body.success) invalidBody(body.error, formatPath);
    const url = body.data.url ?? deps.server().alertWebhook?.url;
    if (url === undefined)
      throw new GatewayError(400, 'invalid_request', 'There is no webhook URL to test: enter one first.');
    // Delivered or not, the call itself worked: the result says how the receiver answered.
    ctx.body = await deps.alerts.test(url);
  });
}
