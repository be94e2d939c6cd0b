import type { Context, Next } from 'koa';
import type { RuntimeApp } from '../catalog.ts';
import type { RecordDraft } from '../recorder.ts';

/** Koa's state while a request is under way: filled in by `recorded()` and `appAuth()`. */
export interface GatewayState {
  draft?: RecordDraft;
  app?: RuntimeApp;
}

/** What every proxy endpoint has once `recorded()` and `appAuth()` have run: its row's draft and its app. */
export interface RequestState {
  draft: RecordDraft;
  app: RuntimeApp;
}

export type GatewayContext = Context & { state: GatewayState };
export type Middleware = (ctx: GatewayContext, next: Next) => Promise<void>;
export type Endpoint = (ctx: GatewayContext, state: RequestState) => Promise<void>;

/**
 * An endpoint behind `recorded()` and `appAuth()`, given their state typed: checked here once,
 * so that no handler asserts it.
 */
export function endpoint(handler: Endpoint): Middleware {
  return function endpointMiddleware(ctx) {
    const { draft, app } = ctx.state;
    if (draft === undefined || app === undefined)
      throw new Error('a proxy endpoint was mounted without recorded() and appAuth() before it');
    return handler(ctx, { draft, app });
  };
}
