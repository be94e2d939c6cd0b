import type Router from '@koa/router';
import type { GatewayState } from '../http/context.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import { param } from './params.ts';
import { requestView } from './views.ts';

export interface RequestsAdminDeps {
  store: Store;
  secrets: SecretBox;
  flushRecords: () => void;
}

/** The request log, newest first, and the bodies of a request whose route logs them. */
export function addRequestsRoutes(router: Router<GatewayState>, deps: RequestsAdminDeps): void {
  const { store, secrets } = deps;

  router.get('/requests', (ctx) => {
    const query = ctx.query;
    const text = (name: string) =>
      typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined;
    const limit = Math.min(Math.max(Number(text('limit') ?? 50) || 50, 1), 1000);
    const status = text('status') === undefined ? undefined : Number(text('status'));
    deps.flushRecords();
    ctx.body = {
      data: store.requests
        .query({
          limit,
          before: text('before'),
          app: text('app'),
          route: text('route'),
          model: text('model'),
          status,
        })
        .map(requestView),
    };
  });

  /** A request's bodies, where its route logs them (opened from their sealed form); `logged: false` otherwise. */
  router.get('/requests/:id/bodies', (ctx) => {
    deps.flushRecords();
    const sealed = store.requests.sealedBodies(param(ctx, 'id'));
    ctx.body =
      sealed === undefined
        ? { logged: false }
        : { logged: true, ...(JSON.parse(secrets.open(sealed)) as { request: string; response: string }) };
  });
}
