import type { Middleware } from './context.ts';

/** CORS for the proxy endpoints, only for origins the user listed; preflights answered here. */
export function proxyCors(origins: () => readonly string[]): Middleware {
  return async function proxyCorsMiddleware(ctx, next) {
    const origin = ctx.get('origin');
    const allowed = origin !== '' && origins().includes(origin);
    if (allowed) {
      ctx.set('access-control-allow-origin', origin);
      ctx.vary('origin');
    }
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method') !== '') {
      if (allowed) {
        ctx.set('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
        ctx.set(
          'access-control-allow-headers',
          ctx.get('access-control-request-headers') || 'authorization, content-type, x-api-key',
        );
        ctx.set('access-control-max-age', '600');
      }
      ctx.status = 204;
      return;
    }
    await next();
  };
}
