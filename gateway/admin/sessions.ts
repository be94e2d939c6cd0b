import { createHmac, randomBytes } from 'node:crypto';
import { GatewayError } from '../errors.ts';
import { safeEqual } from '../keys.ts';
import type { Middleware } from '../http/context.ts';

export const SESSION_COOKIE = 'switchboard_session';
/** Where the key that signs session cookies lives, in the data dir. */
export const SESSION_KEY_FILE = 'session.key';
export const DEFAULT_SESSION_DAYS = 30;
/** Browsers cap a cookie's lifetime at 400 days (Chrome, Firefox): a longer session would end anyway. */
export const MAX_SESSION_DAYS = 400;
/** Wrong admin tokens accepted on the sign-in form per window, before it answers 429 until the window slides. */
export const SIGN_IN_FAILURES = 5;
export const SIGN_IN_WINDOW_MS = 60_000;

const LOGIN_TOKEN_TTL_MS = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A session issued a little "in the future" is fine: the clock may have been set back since. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const SESSION_VERSION = 'v1';

export interface AdminSessionsOptions {
  adminToken: string;
  /**
   * Signs session cookies. Kept in the data dir, so a session outlives a restart of the gateway
   * (and a new random admin token); a new key signs every browser out.
   */
  sessionKey: Buffer;
  /** How long a session lasts, read at every check, so a shorter setting also ends open sessions. */
  sessionDays?: () => number;
  /** The secret in runtime.json with which `switchboard login` asks for a login link. */
  localSecret?: string;
  now?: () => number;
}

export type SignInResult =
  | { ok: true; session: string }
  | { ok: false; reason: 'wrong_token' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/** Days from a setting: a positive number up to MAX_SESSION_DAYS, or an error message naming `source`. */
export function parseSessionDays(value: string | number, source: string): number {
  const days = typeof value === 'number' ? value : Number(value.trim() || Number.NaN);
  if (!Number.isFinite(days) || days <= 0 || days > MAX_SESSION_DAYS)
    throw new Error(
      `${source} must be a number of days above 0 and at most ${MAX_SESSION_DAYS}, not "${String(value)}".`,
    );
  return days;
}

/**
 * The admin token, one-time login tokens for the dashboard URL, and the sessions they open.
 * A session is a signed cookie (`v1.<issued ms>.<nonce>.<HMAC>`): nothing to store, it survives
 * a restart, and it ends when its lifetime since `issued` has passed. Login tokens stay in memory.
 */
export class AdminSessions {
  readonly adminToken: string;
  private readonly key: Buffer;
  private readonly sessionDays: () => number;
  private readonly localSecret: string | undefined;
  private readonly now: () => number;
  private loginTokens = new Map<string, number>();
  /** When the recent wrong sign-ins happened, oldest first. */
  private failures: number[] = [];

  constructor(options: AdminSessionsOptions) {
    this.adminToken = options.adminToken;
    this.key = options.sessionKey;
    this.sessionDays = options.sessionDays ?? (() => DEFAULT_SESSION_DAYS);
    this.localSecret = options.localSecret;
    this.now = options.now ?? Date.now;
  }

  /** How long a new session lasts, for the cookie's Max-Age. */
  get lifetimeMs(): number {
    return Math.round(this.sessionDays() * DAY_MS);
  }

  /** A token for `/ui/login?token=…` that works once, within ten minutes. */
  newLoginToken(): string {
    const now = this.now();
    // Forget the expired ones, so that links nobody opened cannot pile up.
    for (const [token, expires] of this.loginTokens) if (expires < now) this.loginTokens.delete(token);
    const token = randomBytes(24).toString('base64url');
    this.loginTokens.set(token, now + LOGIN_TOKEN_TTL_MS);
    return token;
  }

  /** Trades a login token for a session, or null if it is unknown, used or expired. */
  redeem(token: string): string | null {
    const expires = this.loginTokens.get(token);
    this.loginTokens.delete(token);
    if (expires === undefined || expires < this.now()) return null;
    return this.newSession();
  }

  /**
   * The sign-in form: the admin token for a session. After SIGN_IN_FAILURES wrong tokens within
   * SIGN_IN_WINDOW_MS every attempt is refused, the right token too (else guessing could go on
   * at full speed), until the oldest failure leaves the window.
   */
  signIn(token: string): SignInResult {
    const now = this.now();
    while ((this.failures[0] ?? Infinity) <= now - SIGN_IN_WINDOW_MS) this.failures.shift();
    const oldest = this.failures[0];
    if (oldest !== undefined && this.failures.length >= SIGN_IN_FAILURES) {
      const retryAfterMs = oldest + SIGN_IN_WINDOW_MS - now;
      return {
        ok: false,
        reason: 'rate_limited',
        retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
      };
    }
    if (!safeEqual(token, this.adminToken)) {
      this.failures.push(now);
      return { ok: false, reason: 'wrong_token' };
    }
    return { ok: true, session: this.newSession() };
  }

  /** Whether `secret` is the one in runtime.json: only then may the caller get a login link. */
  acceptsLocalSecret(secret: string): boolean {
    return this.localSecret !== undefined && safeEqual(secret, this.localSecret);
  }

  isSession(session: string | undefined): boolean {
    if (session === undefined) return false;
    const parts = session.split('.');
    if (parts.length !== 4 || parts[0] !== SESSION_VERSION) return false;
    const [, issuedText = '', nonce = '', mac = ''] = parts;
    if (!safeEqual(mac, this.sign(issuedText, nonce))) return false;
    const issued = Number(issuedText);
    const now = this.now();
    return Number.isSafeInteger(issued) && issued <= now + CLOCK_SKEW_MS && now - issued < this.lifetimeMs;
  }

  isAdmin(authorization: string | undefined, session: string | undefined): boolean {
    if (authorization?.toLowerCase().startsWith('bearer '))
      return safeEqual(authorization.slice(7).trim(), this.adminToken);
    return this.isSession(session);
  }

  /**
   * The Set-Cookie value for a session: HttpOnly (no script reads it), SameSite=Strict (no other
   * site's page sends it), Path=/ (the admin API is outside /ui), and Max-Age so that it outlives
   * the browser; Expires as well, for clients that know only that.
   */
  cookie(session: string): string {
    const seconds = Math.floor(this.lifetimeMs / 1000);
    const expires = new Date(this.now() + seconds * 1000).toUTCString();
    return `${SESSION_COOKIE}=${session}; Path=/; Max-Age=${seconds}; Expires=${expires}; HttpOnly; SameSite=Strict`;
  }

  private newSession(): string {
    const issued = String(this.now());
    const nonce = randomBytes(16).toString('base64url');
    return `${SESSION_VERSION}.${issued}.${nonce}.${this.sign(issued, nonce)}`;
  }

  private sign(issued: string, nonce: string): string {
    return createHmac('sha256', this.key).update(`${SESSION_VERSION}.${issued}.${nonce}`).digest('base64url');
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
