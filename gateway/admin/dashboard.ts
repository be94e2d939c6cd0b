import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { GatewayError } from '../errors.ts';
import { readJsonObject } from '../http/body.ts';
import type { GatewayContext, Middleware } from '../http/context.ts';
import { SESSION_COOKIE, type AdminSessions } from './sessions.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>Switchboard is running</h1>
<p>The dashboard has not been built in this checkout. The gateway and its admin API
(<code>/admin/api/…</code>) work without it.</p></body></html>`;

const LINK_USED =
  'This login link was already used or has expired. For a new one, run `npx switchboard login` (with the same --data-dir as the gateway), or sign in with the admin token on the dashboard.';

/** The sign-in form sends a token, nothing more: a few KB is plenty. */
const SIGN_IN_BODY_LIMIT = 16 * 1024;

/** Where the sign-in form posts the admin token, and where `switchboard login` asks for a link. */
export const SIGN_IN_PATH = '/ui/login';
export const LOGIN_LINK_PATH = '/ui/login-link';

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6, as a socket reports them. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

function sameOrigin(ctx: GatewayContext): boolean {
  const origin = ctx.get('origin');
  return origin === '' || origin === `${ctx.protocol}://${ctx.host}`;
}

/** The dashboard's index page; `status` 401 when it stands for a failed sign-in (a used link). */
function serveIndex(ctx: GatewayContext, distDir: string, status = 200): void {
  const index = join(distDir, 'index.html');
  ctx.status = status;
  if (!existsSync(index)) {
    ctx.type = status === 200 ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
    ctx.body = status === 200 ? NOT_BUILT : LINK_USED;
    return;
  }
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = readFileSync(index);
}

/**
 * `POST /ui/login` `{"token": ADMIN_TOKEN}`: the signed-out page's way back in, with no new link
 * and no restart. 204 and the session cookie; 401 for a wrong token; 429 once too many were wrong.
 */
async function signIn(ctx: GatewayContext, sessions: AdminSessions): Promise<void> {
  ctx.set('cache-control', 'no-store');
  // Another site's page could post here (the Host check passes for a page the user has open): refuse it.
  if (!sameOrigin(ctx))
    throw new GatewayError(403, 'origin_not_allowed', 'Sign-in from another origin is refused.');
  // JSON only: a cross-site HTML form cannot send it without a CORS preflight, which /ui never allows.
  if (!ctx.is('application/json'))
    throw new GatewayError(415, 'invalid_request', 'Send the admin token as JSON: {"token": "…"}.');
  const body = await readJsonObject(ctx.req, SIGN_IN_BODY_LIMIT);
  const token = body['token'];
  if (typeof token !== 'string' || token.trim() === '')
    throw new GatewayError(400, 'invalid_request', 'Enter the admin token.', { param: 'token' });
  const result = sessions.signIn(token.trim());
  if (!result.ok && result.reason === 'rate_limited') {
    throw new GatewayError(
      429,
      'rate_limited',
      `Too many wrong admin tokens. Try again in ${result.retryAfterSeconds} s.`,
      { headers: { 'retry-after': String(result.retryAfterSeconds) } },
    );
  }
  if (!result.ok)
    throw new GatewayError(
      401,
      'invalid_api_key',
      'That is not the admin token. It is the one Switchboard was started with (--admin-token, --admin-token-file or SWITCHBOARD_ADMIN_TOKEN); without one, use `npx switchboard login` for a link instead.',
      { param: 'token' },
    );
  ctx.append('set-cookie', sessions.cookie(result.session));
  ctx.status = 204;
}

/**
 * `POST /ui/login-link` with `Authorization: Bearer SECRET` (the secret in runtime.json): a new
 * one-time login path, for `switchboard login`. Only over loopback and never from a web page.
 */
function loginLink(ctx: GatewayContext, sessions: AdminSessions): void {
  ctx.set('cache-control', 'no-store');
  if (!isLoopbackAddress(ctx.socket.remoteAddress) || ctx.get('origin') !== '')
    throw new GatewayError(
      403,
      'origin_not_allowed',
      'Login links are only given to `switchboard login` on this machine.',
    );
  const authorization = ctx.get('authorization');
  const secret = authorization.toLowerCase().startsWith('bearer ') ? authorization.slice(7).trim() : '';
  if (!sessions.acceptsLocalSecret(secret))
    throw new GatewayError(
      401,
      'invalid_api_key',
      'A login link needs the secret from this gateway’s runtime.json.',
    );
  ctx.body = { path: `/ui/login?token=${sessions.newLoginToken()}` };
}

/**
 * `/ui/login?token=…` trades a one-time token (printed at start, or by `switchboard login`) for a
 * session cookie; `POST /ui/login` trades the admin token for one; `/ui/…` serves the dashboard
 * build (renderer/dist) with a strict Content-Security-Policy.
 */
export function dashboard(sessions: AdminSessions, distDir: string): Middleware {
  return async function dashboardMiddleware(ctx, next) {
    if (!ctx.path.startsWith('/ui')) return next();
    if (ctx.path === SIGN_IN_PATH && ctx.method === 'POST') return signIn(ctx, sessions);
    if (ctx.path === LOGIN_LINK_PATH) {
      if (ctx.method !== 'POST') throw new GatewayError(405, 'invalid_request', 'Use POST.');
      return loginLink(ctx, sessions);
    }
    ctx.set(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    ctx.set('x-content-type-options', 'nosniff');
    if (ctx.path === SIGN_IN_PATH) {
      ctx.set('cache-control', 'no-store');
      const token = ctx.query['token'];
      const session = typeof token === 'string' ? sessions.redeem(token) : null;
      if (session !== null) {
        ctx.append('set-cookie', sessions.cookie(session));
        ctx.redirect('/ui/');
        return;
      }
      // An old link opened again by someone still signed in: nothing is wrong, take them in.
      if (sessions.isSession(ctx.cookies.get(SESSION_COOKIE))) return ctx.redirect('/ui/');
      // Otherwise the dashboard itself, whose signed-out page says the link is used and asks for the token.
      serveIndex(ctx, distDir, 401);
      return;
    }
    if (ctx.path === '/ui') return ctx.redirect('/ui/');
    const relative = normalize(ctx.path.slice('/ui/'.length) || 'index.html');
    const file = join(distDir, relative);
    if (!relative.startsWith('..') && existsSync(file) && extname(file) !== '') {
      ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
      ctx.body = readFileSync(file);
      return;
    }
    serveIndex(ctx, distDir);
  };
}
