import { GatewayError } from '../errors.ts';
import type { Middleware } from './context.ts';

/** The Host values a request may carry: loopback names with the real port, plus what the user allowed. */
export function allowedHostSet(port: number, extra: readonly string[]): Set<string> {
  return new Set([
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `[::1]:${port}`,
    ...extra.map((host) => host.toLowerCase()),
  ]);
}

/** Stops DNS rebinding: a page on evil.example that resolves to 127.0.0.1 still sends `Host: evil.example`. */
export function hostCheck(allowed: () => ReadonlySet<string>): Middleware {
  return async function hostCheckMiddleware(ctx, next) {
    const host = ctx.get('host').toLowerCase();
    if (!allowed().has(host)) {
      throw new GatewayError(
        403,
        'host_not_allowed',
        'This Host is not allowed; add it to server.allowedHosts.',
      );
    }
    await next();
  };
}
