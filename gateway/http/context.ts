import type { Context, Next } from 'koa';
import type { RuntimeApp } from '../catalog.ts';
import type { RecordDraft } from '../recorder.ts';

export interface GatewayState {
  draft?: RecordDraft;
  app?: RuntimeApp;
}

export type GatewayContext = Context & { state: GatewayState };
export type Middleware = (ctx: GatewayContext, next: Next) => Promise<void>;
