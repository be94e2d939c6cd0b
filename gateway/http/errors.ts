import type { Context } from 'koa';
import { GatewayError, openAiErrorBody } from '../errors.ts';
import { scrubSecrets } from '../scrub.ts';

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

/** Writes the error in OpenAI's shape, or in the given vendor shape (`/proxy` speaks the vendor's). */
export function writeError(
  ctx: Context,
  error: GatewayError,
  shape: (error: GatewayError) => unknown = openAiErrorBody,
): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.body = shape(error);
}
