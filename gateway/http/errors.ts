import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import { GatewayError, openAiErrorBody } from '../errors.ts';
import { scrubSecrets } from '../scrub.ts';
import { discardBody } from './body.ts';

export type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Any thrown value → a GatewayError fit to show the caller; bugs become a 500 without details. */
export function toGatewayError(error: unknown, log: Logger): GatewayError {
  if (error instanceof GatewayError) return error;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose) {
    return new GatewayError(status, 'invalid_request', scrubSecrets((error as Error).message));
  }
  log(
    'error',
    `internal error: ${scrubSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}`,
  );
  return new GatewayError(500, 'internal_error', 'Switchboard hit an internal error; see its log.', {
    type: 'api_error',
  });
}

/**
 * Writes the error in OpenAI's shape, or in the given vendor shape (`/proxy` speaks the vendor's).
 *
 * An error may be answered before the request's body has all arrived (a 413, a refused key): the
 * rest is then read and discarded while the answer goes out, and the response ends only once that
 * is done. Ending it sooner lets Node close a `Connection: close` socket with unread bytes in it,
 * which resets the connection under a client still writing: it sees EPIPE or ECONNRESET instead
 * of this error. Past the bound of discardBody the connection is closed as soon as the answer is out.
 */
export function writeError(
  ctx: Context,
  error: GatewayError,
  shape: (error: GatewayError) => unknown = openAiErrorBody,
): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  const body = shape(error);
  const discarded = discardBody(ctx.req);
  if (discarded === undefined) {
    ctx.body = body;
    return;
  }
  const text = JSON.stringify(body);
  const out = new PassThrough();
  out.write(text);
  ctx.body = out;
  ctx.type = 'application/json';
  ctx.length = Buffer.byteLength(text);
  void discarded.then((end) => {
    if (end === 'cut') {
      // Cut at the bound: the rest of the body stays unread, so the connection cannot carry another request.
      const socket = ctx.req.socket;
      if (ctx.res.writableFinished) socket.destroy();
      else ctx.res.once('finish', () => socket.destroy());
    }
    out.end();
  });
}
