import type { z } from 'zod';
import { ConfigError } from '../config/load.ts';
import { GatewayError } from '../errors.ts';

export function notFound(what: string): never {
  throw new GatewayError(404, 'not_found', `${what} does not exist.`, { type: 'not_found_error' });
}

/**
 * A config problem as a 400 that names the field, without the "source: invalid config:" heading
 * meant for a file; anything else is not the caller's doing and goes on as it is.
 */
export function configInvalid(error: unknown): never {
  if (error instanceof ConfigError) {
    throw new GatewayError(400, 'invalid_request', error.message.replace(/^[^:]*: invalid config:\n\s*/, ''));
  }
  throw error;
}

/** The first problem zod found in a body, as a 400 that names its field as `where` writes paths. */
export function invalidBody(error: z.ZodError, where: (path: PropertyKey[]) => string): never {
  const [issue] = error.issues;
  throw new GatewayError(
    400,
    'invalid_request',
    issue === undefined ? error.message : `${where(issue.path)}: ${issue.message}`,
  );
}
