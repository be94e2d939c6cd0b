import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AdminSessions } from '../admin/sessions.ts';
import { SESSION_COOKIE } from '../admin/sessions.ts';
import type { Middleware } from './context.ts';

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

/**
 * `/ui/login?token=…` trades the one-time token printed at start for a session cookie;
 * `/ui/…` serves the dashboard build (renderer/dist) with a strict Content-Security-Policy.
 */
export function dashboard(sessions: AdminSessions, distDir: string): Middleware {
  return async function dashboardMiddleware(ctx, next) {
    if (!ctx.path.startsWith('/ui')) return next();
    if (ctx.path === '/ui/login') {
      const session = typeof ctx.query['token'] === 'string' ? sessions.redeem(ctx.query['token']) : null;
      if (session === null) {
        ctx.status = 401;
        ctx.type = 'text/plain';
        ctx.body = 'This login link was already used or has expired. Restart Switchboard for a new one.';
        return;
      }
      ctx.cookies.set(SESSION_COOKIE, session, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        overwrite: true,
      });
      ctx.redirect('/ui/');
      return;
    }
    if (ctx.path === '/ui') return ctx.redirect('/ui/');
    ctx.set(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    ctx.set('x-content-type-options', 'nosniff');
    const relative = normalize(ctx.path.slice('/ui/'.length) || 'index.html');
    const file = join(distDir, relative);
    if (!relative.startsWith('..') && existsSync(file) && extname(file) !== '') {
      ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
      ctx.body = readFileSync(file);
      return;
    }
    const index = join(distDir, 'index.html');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = existsSync(index) ? readFileSync(index) : NOT_BUILT;
  };
}
