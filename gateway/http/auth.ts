import type { Catalog } from '../catalog.ts';
import { GatewayError } from '../errors.ts';
import { hashKey } from '../keys.ts';
import type { Middleware } from './context.ts';

/** The caller's credential, wherever its SDK puts it: OpenAI, Anthropic and Google conventions. */
export function presentedKey(
  headers: Record<string, string | string[] | undefined>,
  query: string,
): string | null {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) {
    return authorization.slice(7).trim() || null;
  }
  for (const name of ['x-api-key', 'x-goog-api-key']) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') return value.trim();
  }
  if (query.includes('key=')) {
    const key = new URLSearchParams(query).get('key');
    if (key) return key;
  }
  return null;
}

/** App-key authentication for the proxy endpoints. The admin token is not an app key and fails here. */
export function appAuth(catalog: Catalog): Middleware {
  return async function appAuthMiddleware(ctx, next) {
    const key = presentedKey(ctx.req.headers, ctx.querystring);
    if (key === null) {
      throw new GatewayError(
        401,
        'invalid_api_key',
        'No API key: send your Switchboard app key as a Bearer token.',
      );
    }
    const app = catalog.appByKeyHash(hashKey(key));
    if (!app) throw new GatewayError(401, 'invalid_api_key', 'This API key is not valid, or it was revoked.');
    ctx.state.app = app;
    if (ctx.state.draft) ctx.state.draft.app = app.name;
    await next();
  };
}
