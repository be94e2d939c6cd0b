import { GatewayError } from '../errors.ts';
import type { Middleware } from './context.ts';

/** The Host values a request may carry: loopback names with the real port, plus what the user allowed. */
export function allowedHostSet(port: number, extra: readonly string[]): Set<string> {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  for (const host of extra.map((entry) => entry.toLowerCase())) {
    hosts.add(host);
    // A name without a port means this gateway's port.
    if (!/:\d+$/.test(host)) hosts.add(`${host}:${port}`);
  }
  return hosts;
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
