import type { Recorder } from '../recorder.ts';
import { newDraft } from '../recorder.ts';
import type { Endpoint } from '../store/types.ts';
import type { GatewayError } from '../errors.ts';
import type { GatewayContext, Middleware } from './context.ts';
import { toGatewayError, writeError, type Logger } from './errors.ts';

/**
 * Wraps a proxy endpoint so that every request leaves exactly one row, whatever happens:
 * success, a refused key, an upstream failure, or a client that hangs up mid-stream.
 */
export function recorded(
  endpoint: Endpoint,
  recorder: Recorder,
  log: Logger,
  errorShape?: (ctx: GatewayContext) => ((error: GatewayError) => unknown) | undefined,
): Middleware {
  return async function recordedMiddleware(ctx, next) {
    const draft = newDraft(endpoint, Date.now(), performance.now());
    ctx.state.draft = draft;
    ctx.res.once('close', () => {
      if (draft.status === 0) draft.status = ctx.res.headersSent ? ctx.res.statusCode : 499;
      if (!ctx.res.writableFinished) {
        // The client left before the whole answer was written.
        draft.partial = true;
        draft.errorCode ??= 'client_closed';
      }
      const endedAt = performance.now();
      const finish = () => {
        const costUsd = recorder.add(draft, endedAt);
        try {
          draft.settle?.(draft.usage, costUsd);
        } catch (error) {
          log('error', `could not settle the budget of request ${draft.id}: ${String(error)}`);
        }
      };
      if (draft.pending) void draft.pending.then(finish);
      else finish();
    });
    try {
      await next();
    } catch (thrown) {
      const error = toGatewayError(thrown, log);
      draft.errorCode = error.code;
      writeError(ctx, error, errorShape?.(ctx));
    }
    if (ctx.respond !== false) {
      draft.status = ctx.status;
      draft.firstByteAt ??= performance.now();
    }
  };
}
