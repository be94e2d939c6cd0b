import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminSessions,
  MAX_SESSION_DAYS,
  parseSessionDays,
  SESSION_COOKIE,
  SIGN_IN_FAILURES,
  SIGN_IN_WINDOW_MS,
} from '../../../gateway/admin/sessions.ts';
import { readRuntimeFile, RUNTIME_FILE } from '../../../gateway/data-dir.ts';
import { parseConfig, type ResolvedConfig } from '../../../gateway/config/load.ts';
import { GatewayError } from '../../../gateway/errors.ts';
import type { GatewayContext } from '../../../gateway/http/context.ts';
import { dashboard, isLoopbackAddress } from '../../../gateway/admin/dashboard.ts';
import { startGateway, StartupError, type RunningGateway } from '../../../gateway/index.ts';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** AdminSessions on a clock the test moves. */
function clocked(options: { days?: () => number; key?: Buffer; token?: string } = {}) {
  const clock = { now: Date.UTC(2026, 0, 1) };
  const sessions = new AdminSessions({
    adminToken: options.token ?? ADMIN_TOKEN,
    sessionKey: options.key ?? randomBytes(32),
    ...(options.days ? { sessionDays: options.days } : {}),
    localSecret: 'local-secret',
    now: () => clock.now,
  });
  return { clock, sessions };
}

describe('AdminSessions', () => {
  it('trades a login token for a session once, and not after ten minutes', () => {
    const { clock, sessions } = clocked();
    const token = sessions.newLoginToken();
    const session = sessions.redeem(token);
    expect(session).not.toBeNull();
    expect(sessions.isSession(session!)).toBe(true);
    expect(sessions.redeem(token)).toBeNull();
    const late = sessions.newLoginToken();
    clock.now += 10 * 60 * 1000 + 1;
    expect(sessions.redeem(late)).toBeNull();
  });

  it('keeps a session for 30 days by default, and not a moment longer', () => {
    const { clock, sessions } = clocked();
    const session = sessions.redeem(sessions.newLoginToken())!;
    clock.now += 30 * DAY_MS - 1;
    expect(sessions.isSession(session)).toBe(true);
    clock.now += 1;
    expect(sessions.isSession(session)).toBe(false);
  });

  it('reads the lifetime at every check, so a shorter setting ends sessions already open', () => {
    let days = 30;
    const { clock, sessions } = clocked({ days: () => days });
    const session = sessions.signIn(ADMIN_TOKEN);
    if (!session.ok) throw new Error('sign-in failed');
    clock.now += 2 * DAY_MS;
    expect(sessions.isSession(session.session)).toBe(true);
    days = 1;
    expect(sessions.isSession(session.session)).toBe(false);
  });

  it('accepts a session signed with the same key after a restart with another admin token, and no other', () => {
    const key = randomBytes(32);
    const before = clocked({ key });
    const session = before.sessions.redeem(before.sessions.newLoginToken())!;
    const after = clocked({ key, token: 'a-new-random-token' });
    expect(after.sessions.isSession(session)).toBe(true);
    expect(clocked().sessions.isSession(session)).toBe(false);
  });

  it('refuses a session whose issue time was changed to extend it, or that is not a session at all', () => {
    const { clock, sessions } = clocked();
    const session = sessions.redeem(sessions.newLoginToken())!;
    const [version, issued, nonce, mac] = session.split('.');
    clock.now += 31 * DAY_MS;
    expect(sessions.isSession(session)).toBe(false);
    const extended = [version, String(clock.now), nonce, mac].join('.');
    expect(sessions.isSession(extended)).toBe(false);
    expect(issued).toBeDefined();
    for (const junk of ['', 'v1', 'v1...', `v2.${issued}.${nonce}.${mac}`, `${session}.x`])
      expect(sessions.isSession(junk)).toBe(false);
  });

  it('signs in with the admin token and refuses a wrong one', () => {
    const { sessions } = clocked();
    const right = sessions.signIn(ADMIN_TOKEN);
    expect(right.ok).toBe(true);
    if (right.ok) expect(sessions.isSession(right.session)).toBe(true);
    expect(sessions.signIn(`${ADMIN_TOKEN}x`)).toEqual({ ok: false, reason: 'wrong_token' });
  });

  it(`refuses every sign-in, the right token too, after ${SIGN_IN_FAILURES} wrong ones within a minute, until the oldest is a minute old`, () => {
    const { clock, sessions } = clocked();
    for (let attempt = 0; attempt < SIGN_IN_FAILURES; attempt++) {
      expect(sessions.signIn(`wrong-${attempt}`)).toEqual({ ok: false, reason: 'wrong_token' });
      clock.now += 1000;
    }
    expect(sessions.signIn(ADMIN_TOKEN)).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterSeconds: (SIGN_IN_WINDOW_MS - SIGN_IN_FAILURES * 1000) / 1000,
    });
    // The first failure leaves the window: one more attempt is allowed, and the right token works.
    clock.now = Date.UTC(2026, 0, 1) + SIGN_IN_WINDOW_MS;
    expect(sessions.signIn(ADMIN_TOKEN).ok).toBe(true);
  });

  it('writes a cookie that is HttpOnly, SameSite=Strict, for the whole site, and outlives the browser', () => {
    const { sessions } = clocked({ days: () => 7 });
    const cookie = sessions.cookie('v1.1.n.m');
    expect(cookie).toBe(
      `${SESSION_COOKIE}=v1.1.n.m; Path=/; Max-Age=${7 * 24 * 3600}; Expires=Thu, 08 Jan 2026 00:00:00 GMT; HttpOnly; SameSite=Strict`,
    );
  });

  it('gives login links only for the secret in runtime.json', () => {
    const { sessions } = clocked();
    expect(sessions.acceptsLocalSecret('local-secret')).toBe(true);
    expect(sessions.acceptsLocalSecret('local-secre')).toBe(false);
    expect(sessions.acceptsLocalSecret('')).toBe(false);
    const none = new AdminSessions({ adminToken: ADMIN_TOKEN, sessionKey: randomBytes(32) });
    expect(none.acceptsLocalSecret('')).toBe(false);
  });

  it('takes session days from 0 (exclusive) to the browsers’ cap, and names the setting otherwise', () => {
    expect(parseSessionDays('7', 'X')).toBe(7);
    expect(parseSessionDays(' 0.5 ', 'X')).toBe(0.5);
    expect(parseSessionDays(MAX_SESSION_DAYS, 'X')).toBe(MAX_SESSION_DAYS);
    for (const bad of ['', '0', '-1', 'ten', '401', 'Infinity'])
      expect(() => parseSessionDays(bad, 'SWITCHBOARD_SESSION_DAYS')).toThrow(
        /^SWITCHBOARD_SESSION_DAYS must be/,
      );
  });
});

describe('login links for `switchboard login`', () => {
  it('counts 127.0.0.0/8 and ::1 as loopback, also IPv4-mapped, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(address)).toBe(true);
    for (const address of [undefined, '', '192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '10.127.0.1'])
      expect(isLoopbackAddress(address)).toBe(false);
  });

  it('are refused to a caller that is not on loopback, even with the secret', async () => {
    const { sessions } = clocked();
    const middleware = dashboard(sessions, '/nonexistent');
    const call = async (remoteAddress: string) => {
      const headers: Record<string, string> = { authorization: 'Bearer local-secret' };
      const ctx = {
        path: '/ui/login-link',
        method: 'POST',
        socket: { remoteAddress },
        get: (name: string) => headers[name] ?? '',
        set: () => {},
        body: undefined as unknown,
      };
      await middleware(ctx as unknown as GatewayContext, async () => {});
      return ctx.body;
    };
    expect(await call('127.0.0.1')).toMatchObject({ path: expect.stringMatching(/^\/ui\/login\?token=/) });
    const refused = await call('192.0.2.2').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ status: 403 });
  });
});

describe('signing in over HTTP', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({});
  });
  afterAll(() => gateway.stop());

  const signIn = (token: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/ui/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ token }),
    });
  const status = (cookie: string) =>
    fetch(`${gateway.url}/admin/api/status`, { headers: { cookie } }).then((response) => response.status);
  const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0]!;

  it('sets a session cookie for the admin token, with every flag, and the cookie opens the admin API', async () => {
    const response = await signIn(ADMIN_TOKEN);
    expect(response.status).toBe(204);
    const header = response.headers.get('set-cookie') ?? '';
    const attributes = header.split(/;\s*/).slice(1);
    expect(attributes).toEqual(
      expect.arrayContaining(['Path=/', `Max-Age=${30 * 24 * 3600}`, 'HttpOnly', 'SameSite=Strict']),
    );
    expect(await status(cookieOf(response))).toBe(200);
    expect(await status(`${SESSION_COOKIE}=v1.1.forged.mac`)).toBe(401);
  });

  it('sets the same cookie from a login link', async () => {
    const response = await fetch(gateway.loginUrl(), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('set-cookie')).toMatch(
      /; Path=\/; Max-Age=2592000; Expires=[^;]+; HttpOnly; SameSite=Strict$/,
    );
    expect(await status(cookieOf(response))).toBe(200);
  });

  it('takes a signed-in user opening a used link to the dashboard, and anyone else to the sign-in page (401)', async () => {
    const link = gateway.loginUrl();
    const first = await fetch(link, { redirect: 'manual' });
    const again = await fetch(link, { redirect: 'manual', headers: { cookie: cookieOf(first) } });
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe('/ui/');
    const stranger = await fetch(link, { redirect: 'manual' });
    expect(stranger.status).toBe(401);
    expect(stranger.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a sign-in from another origin, one that is not JSON, and one with no token', async () => {
    expect((await signIn(ADMIN_TOKEN, { origin: 'https://evil.example' })).status).toBe(403);
    const form = await fetch(`${gateway.url}/ui/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${ADMIN_TOKEN}`,
    });
    expect(form.status).toBe(415);
    expect(form.headers.get('set-cookie')).toBeNull();
    expect((await signIn('')).status).toBe(400);
  });

  // Last in this block: it uses up the gateway's sign-in attempts for a minute.
  it('says a wrong token is wrong, then answers 429 with Retry-After, to the right token too', async () => {
    const wrong = await signIn('not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const body = (await wrong.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('invalid_api_key');
    expect(body.error.message).toMatch(/^That is not the admin token/);
    for (let attempt = 1; attempt < SIGN_IN_FAILURES; attempt++)
      expect((await signIn(`wrong-${attempt}`)).status).toBe(401);
    const limited = await signIn(ADMIN_TOKEN);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(SIGN_IN_WINDOW_MS / 1000);
    expect(limited.headers.get('set-cookie')).toBeNull();
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });
});

describe('sessions across restarts, lifetimes and runtime.json', () => {
  const dirs: string[] = [];
  const running: RunningGateway[] = [];
  const savedDays = process.env['SWITCHBOARD_SESSION_DAYS'];

  afterEach(async () => {
    for (const gateway of running.splice(0)) await gateway.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (savedDays === undefined) delete process.env['SWITCHBOARD_SESSION_DAYS'];
    else process.env['SWITCHBOARD_SESSION_DAYS'] = savedDays;
  });

  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-sessions-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (
    dir: string,
    options: { adminToken?: string; sessionDays?: number; config?: ResolvedConfig } = {},
  ) => {
    const gateway = await startGateway({
      dataDir: dir,
      port: 0,
      log: () => {},
      shutdownGraceMs: 500,
      ...options,
    });
    running.push(gateway);
    return gateway;
  };
  const sessionCookie = async (gateway: RunningGateway) => {
    const response = await fetch(gateway.loginUrl(), { redirect: 'manual' });
    return {
      cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!,
      header: response.headers.get('set-cookie') ?? '',
    };
  };
  const status = (gateway: RunningGateway, cookie: string) =>
    fetch(`${gateway.url}/admin/api/status`, { headers: { cookie } }).then((response) => response.status);

  it('keeps a session across a restart with a new random admin token', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const { cookie } = await sessionCookie(first);
    await first.close();
    const second = await start(dir);
    expect(second.adminToken).not.toBe(first.adminToken);
    expect(await status(second, cookie)).toBe(200);
    // Another data dir has another key: the cookie means nothing there.
    expect(await status(await start(dataDir()), cookie)).toBe(401);
  });

  it('signs every browser out when session.key is replaced', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const { cookie } = await sessionCookie(first);
    await first.close();
    writeFileSync(join(dir, 'session.key'), `${randomBytes(32).toString('base64')}\n`);
    expect(await status(await start(dir), cookie)).toBe(401);
  });

  it('takes the session length from the sessionDays option, else SWITCHBOARD_SESSION_DAYS', async () => {
    const fromOption = await start(dataDir(), { sessionDays: 2 });
    expect((await sessionCookie(fromOption)).header).toContain(`Max-Age=${2 * 24 * 3600};`);
    process.env['SWITCHBOARD_SESSION_DAYS'] = '0.5';
    const fromEnvironment = await start(dataDir());
    expect((await sessionCookie(fromEnvironment)).header).toContain(`Max-Age=${12 * 3600};`);
  });

  it("takes the config file's server.sessionDays over both", async () => {
    process.env['SWITCHBOARD_SESSION_DAYS'] = '9';
    const config = parseConfig({ server: { sessionDays: 3 } }, 'test', {});
    const fromConfig = await start(dataDir(), { sessionDays: 2, config });
    expect((await sessionCookie(fromConfig)).header).toContain(`Max-Age=${3 * 24 * 3600};`);
  });

  it('refuses to start on a SWITCHBOARD_SESSION_DAYS that is not a number of days', async () => {
    process.env['SWITCHBOARD_SESSION_DAYS'] = 'forever';
    await expect(start(dataDir())).rejects.toThrow(StartupError);
    await expect(start(dataDir())).rejects.toThrow(/SWITCHBOARD_SESSION_DAYS must be a number of days/);
  });

  it('writes runtime.json (0600) while running, hands login links only for its secret, and removes it at close', async () => {
    const dir = dataDir();
    const gateway = await start(dir);
    const runtime = readRuntimeFile(dir);
    expect(runtime.url).toBe(gateway.url);
    expect(runtime.pid).toBe(process.pid);
    expect(runtime.secret).not.toContain(gateway.adminToken);
    expect(statSync(join(dir, RUNTIME_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'session.key')).mode & 0o777).toBe(0o600);

    const ask = (secret: string, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}/ui/login-link`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, ...headers },
      });
    const answer = await ask(runtime.secret);
    expect(answer.status).toBe(200);
    const { path } = (await answer.json()) as { path: string };
    expect(path).toMatch(/^\/ui\/login\?token=[\w-]+$/);
    const { cookie } = await sessionCookie({ ...gateway, loginUrl: () => `${gateway.url}${path}` });
    expect(await status(gateway, cookie)).toBe(200);

    expect((await ask('wrong')).status).toBe(401);
    expect((await ask(gateway.adminToken)).status).toBe(401);
    expect((await ask(runtime.secret, { origin: gateway.url })).status).toBe(403);
    expect((await fetch(`${gateway.url}/ui/login-link`)).status).toBe(405);

    await gateway.close();
    expect(() => readRuntimeFile(dir)).toThrow(/ENOENT/);
  });

  it('leaves at close a runtime.json that it did not write (another writer replaced it)', async () => {
    const dir = dataDir();
    const first = await start(dir);
    // Only one gateway can hold a data dir now; another writer is simulated by replacing the file.
    const other = {
      url: 'http://127.0.0.1:1',
      pid: process.pid,
      secret: 'another-secret',
      startedAt: new Date().toISOString(),
    };
    writeFileSync(join(dir, RUNTIME_FILE), JSON.stringify(other), { mode: 0o600 });
    await first.close();
    expect(readRuntimeFile(dir)).toEqual(other);
  });

  it('starts, with a warning, when runtime.json cannot be written', async () => {
    const dir = dataDir();
    // A directory where the file should go: the rename over it fails.
    mkdirSync(join(dir, RUNTIME_FILE));
    const logs: string[] = [];
    const gateway = await startGateway({
      dataDir: dir,
      port: 0,
      log: (level, message) => logs.push(`${level}: ${message}`),
      shutdownGraceMs: 500,
    });
    running.push(gateway);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect(logs.some((line) => line.startsWith('warn: could not write runtime.json'))).toBe(true);
  });
});
