import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors.ts';
import { safeEqual } from '../keys.ts';
import type { Middleware } from '../http/context.ts';

export const SESSION_COOKIE = 'switchboard_session';
const LOGIN_TOKEN_TTL_MS = 10 * 60 * 1000;

/**
 * The admin token, one-time login tokens for the dashboard URL, and the sessions they open.
 * All in memory: a restart signs the dashboard out, and nothing of it reaches the database.
 */
export class AdminSessions {
  private loginTokens = new Map<string, number>();
  private sessions = new Set<string>();

  constructor(readonly adminToken: string) {}

  /** A token for `/ui/login?token=…` that works once, within ten minutes. */
  newLoginToken(): string {
    const token = randomBytes(24).toString('base64url');
    this.loginTokens.set(token, Date.now() + LOGIN_TOKEN_TTL_MS);
    return token;
  }

  /** Trades a login token for a session id, or null if it is unknown, used or expired. */
  redeem(token: string): string | null {
    const expires = this.loginTokens.get(token);
    this.loginTokens.delete(token);
    if (expires === undefined || expires < Date.now()) return null;
    const session = randomBytes(32).toString('base64url');
    this.sessions.add(session);
    return session;
  }

  isAdmin(authorization: string | undefined, session: string | undefined): boolean {
    if (authorization?.toLowerCase().startsWith('bearer '))
      return safeEqual(authorization.slice(7).trim(), this.adminToken);
    return session !== undefined && this.sessions.has(session);
  }
}

/** Admin token or dashboard session; app keys never open the admin API. */
export function adminAuth(sessions: AdminSessions): Middleware {
  return async function adminAuthMiddleware(ctx, next) {
    if (!sessions.isAdmin(ctx.get('authorization') || undefined, ctx.cookies.get(SESSION_COOKIE))) {
      throw new GatewayError(
        401,
        'invalid_api_key',
        'The admin API needs the admin token (Authorization: Bearer …).',
      );
    }
    // A cookie-authenticated write must come from the dashboard's own origin.
    const origin = ctx.get('origin');
    if (origin !== '' && ctx.method !== 'GET' && origin !== `${ctx.protocol}://${ctx.host}`) {
      throw new GatewayError(403, 'origin_not_allowed', 'Admin requests from another origin are refused.');
    }
    await next();
  };
}
