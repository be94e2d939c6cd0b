import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// `switchboard serve` as users run it: the real bin script in a child process, through tsx.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/switchboard.mjs', import.meta.url));
const APP_KEY = 'sbk_test_0123456789abcdef0123';
const ADMIN_TOKEN = 'admin-test-token-0123456789abcdef';
const READY = /^Switchboard listening on http:\/\/127\.0\.0\.1:(\d+)$/;
const NEW_KEY = /^New key for app "([^"]+)": (sbk_[0-9A-Za-z]{32})\b/m;
/** Start-up goes through tsx, so the ready line can take a few seconds on a busy machine. */
const READY_TIMEOUT_MS = 8_000;
const EXIT_TIMEOUT_MS = 5_000;

/** Variables the parent may have set that would change what the child does. */
const SCRUBBED_ENV = ['SWITCHBOARD_ADMIN_TOKEN', 'SB_TEST_MISSING_VAR', 'UP_KEY'];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Serve {
  child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
}

interface Ready extends Serve {
  port: number;
  base: string;
  loginUrl: string;
}

const children = new Set<ChildProcess>();
const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED_ENV) delete env[name];
  return { ...env, ...extra };
}

/** Spawns `node bin/switchboard.mjs serve ...args` in the repo root and collects its output. */
function spawnServe(args: string[], env: Record<string, string> = {}): Serve {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close' (not 'exit'): by then both pipes have been read to the end.
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the first match of `pattern` in stdout; rejects if the process exits first or on timeout. */
function waitForStdout(
  serve: Serve,
  pattern: RegExp,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = serve.stdout().match(pattern);
      if (!match) return false;
      done();
      resolve(match);
      return true;
    };
    const onData = () => void check();
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(
          `no ${pattern} on stdout after ${timeoutMs} ms\nstdout: ${serve.stdout()}\nstderr: ${serve.stderr()}`,
        ),
      );
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      serve.child.stdout?.off('data', onData);
    };
    serve.child.stdout?.on('data', onData);
    if (check()) return;
    void serve.exited.then((exit) => {
      if (check()) return;
      done();
      reject(
        new Error(
          `serve exited (code ${exit.code}, signal ${exit.signal}) before ${pattern} appeared\nstdout: ${serve.stdout()}\nstderr: ${serve.stderr()}`,
        ),
      );
    });
  });
}

/** Spawns serve and resolves once the ready line and the dashboard line are out. */
async function startServe(args: string[], env: Record<string, string> = {}): Promise<Ready> {
  const serve = spawnServe(args, env);
  await waitForStdout(serve, /^[^\n]*\n[^\n]*\n/);
  const [first = '', second = ''] = serve.stdout().split('\n');
  const ready = READY.exec(first);
  if (!ready) throw new Error(`the first stdout line is not the ready line: ${JSON.stringify(first)}`);
  const port = Number(ready[1]);
  const login = /(http:\/\/127\.0\.0\.1:\d+\/ui\/login\?token=[^\s]+)/.exec(second);
  if (!login) throw new Error(`the second stdout line has no login URL: ${JSON.stringify(second)}`);
  return { ...serve, port, base: `http://127.0.0.1:${port}`, loginUrl: login[1]! };
}

/** Waits for the process to end; rejects if it is still running after `timeoutMs`. */
async function waitForExit(serve: Serve, timeoutMs = EXIT_TIMEOUT_MS): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `serve still running after ${timeoutMs} ms\nstdout: ${serve.stdout()}\nstderr: ${serve.stderr()}`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([serve.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs serve that is expected to fail at start: its exit and output. */
async function runToExit(args: string[], env: Record<string, string> = {}) {
  const serve = spawnServe(args, env);
  const exit = await waitForExit(serve, READY_TIMEOUT_MS);
  return { ...exit, stdout: serve.stdout(), stderr: serve.stderr() };
}

function writeConfig(dir: string, yaml: string): string {
  const file = join(dir, 'switchboard.yaml');
  writeFileSync(file, yaml);
  return file;
}

interface FakeUpstream {
  port: number;
  /** The requests seen so far, as `METHOD path`, with their Authorization header. */
  seen: Array<{ request: string; authorization: string | undefined }>;
  /** Resolves when the first chat completion request arrives. */
  chatArrived: Promise<void>;
}

/** A tiny OpenAI-format upstream: GET /v1/models, and POST /v1/chat/completions answered after `chatDelayMs`. */
async function startFakeUpstream(chatDelayMs = 0): Promise<FakeUpstream> {
  const seen: FakeUpstream['seen'] = [];
  let arrived = () => {};
  const chatArrived = new Promise<void>((resolve) => (arrived = resolve));
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    for await (const _chunk of request) {
      // drain the body
    }
    const path = (request.url ?? '/').split('?')[0];
    seen.push({ request: `${request.method} ${path}`, authorization: request.headers.authorization });
    if (request.method === 'GET' && path === '/v1/models') {
      return json(response, 200, {
        object: 'list',
        data: [{ id: 'gpt-4.1-nano', object: 'model', created: 0, owned_by: 'x' }],
      });
    }
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      arrived();
      await sleep(chatDelayMs);
      return json(response, 200, {
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'gpt-4.1-nano',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      });
    }
    json(response, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, seen, chatArrived };
}

function upstreamConfig(upstreamPort: number, apps = `  - { name: t, key: ${APP_KEY} }`): string {
  return [
    'routes:',
    `  - { id: up, vendor: openai, baseUrl: "http://127.0.0.1:${upstreamPort}/v1", apiKey: "env:UP_KEY" }`,
    'apps:',
    apps,
    '',
  ].join('\n');
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('switchboard serve: ready', () => {
  it(
    'prints the ready line and a one-time login URL, and answers /healthz',
    { timeout: 15_000 },
    async () => {
      const dataDir = tempDir();
      const serve = await startServe(['--data-dir', dataDir, '--port', '0']);

      const [first, second] = serve.stdout().split('\n');
      expect(first).toMatch(READY);
      expect(serve.port).toBeGreaterThan(0);
      expect(second).toContain(`http://127.0.0.1:${serve.port}/ui/login?token=`);

      const health = await fetch(`${serve.base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const login = await fetch(serve.loginUrl, { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(new URL(login.headers.get('location') ?? '', serve.base).pathname).toBe('/ui/');
      expect(login.headers.get('set-cookie')).toBeTruthy();

      const again = await fetch(serve.loginUrl, { redirect: 'manual' });
      expect(again.status).toBe(401);
      expect(again.headers.get('set-cookie')).toBeNull();
    },
  );
});

describe('switchboard serve: shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 on ${signal}`, { timeout: 15_000 }, async () => {
      const serve = await startServe(['--data-dir', tempDir(), '--port', '0']);
      // Sent the instant the ready line appears: the handlers must already be in place.
      serve.child.kill(signal);
      const exit = await waitForExit(serve);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(serve.stderr()).toBe('');
    });
  }

  it('lets an in-flight request finish before exiting on SIGTERM', { timeout: 15_000 }, async () => {
    const upstream = await startFakeUpstream(500);
    const dir = tempDir();
    const config = writeConfig(dir, upstreamConfig(upstream.port));
    const serve = await startServe(['--data-dir', dir, '--port', '0', '--config', config], {
      UP_KEY: 'sk-upstream-test',
    });

    const pending = fetch(`${serve.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(APP_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hello' }] }),
    });
    // The request is in flight (the upstream holds it for 500 ms) when the signal arrives.
    await Promise.all([upstream.chatArrived, sleep(100)]);
    serve.child.kill('SIGTERM');

    const response = await pending;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe('hi');
    expect(await waitForExit(serve)).toEqual({ code: 0, signal: null });
    expect(upstream.seen).toContainEqual({
      request: 'POST /v1/chat/completions',
      authorization: 'Bearer sk-upstream-test',
    });
  });
});

describe('switchboard serve: start-up failures', () => {
  it('exits 1 with one line naming the port when the port is in use', async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as AddressInfo).port;
    const dataDir = tempDir();

    const result = await runToExit(['--data-dir', dataDir, '--port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(String(port));
    expect(result.stderr).not.toContain('    at ');
  });

  it('exits 1 on an invalid config, naming the file, the path and what is allowed, and touches nothing', async () => {
    const dataDir = tempDir();
    const config = writeConfig(dataDir, 'routes: [{id: x, vendor: nope}]\n');

    const result = await runToExit(['--data-dir', dataDir, '--port', '0', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(config);
    expect(result.stderr).toContain('routes[0].vendor');
    expect(result.stderr).toContain('openai-compatible');
    expect(result.stderr).not.toContain('    at ');
    expect(existsSync(join(dataDir, 'switchboard.db'))).toBe(false);
  });

  it('exits 1 naming an env: variable that is not set', async () => {
    const dataDir = tempDir();
    const config = writeConfig(
      dataDir,
      'routes:\n  - { id: up, vendor: openai, apiKey: "env:SB_TEST_MISSING_VAR" }\n',
    );

    const result = await runToExit(['--data-dir', dataDir, '--port', '0', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SB_TEST_MISSING_VAR');
    expect(result.stderr).toContain('routes[0].apiKey');
    expect(existsSync(join(dataDir, 'switchboard.db'))).toBe(false);
  });

  it('exits 2 on a --port that is not a number', async () => {
    const result = await runToExit(['--data-dir', tempDir(), '--port', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port');
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await runToExit(['--data-dir', tempDir(), '--port', '0', '--nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--nope');
  });
});

describe('switchboard serve: admin token', () => {
  const sources: Array<{ source: string; args: string[]; env: Record<string, string> }> = [
    { source: '--admin-token', args: ['--admin-token', ADMIN_TOKEN], env: {} },
    { source: 'SWITCHBOARD_ADMIN_TOKEN', args: [], env: { SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN } },
  ];
  for (const { source, args, env } of sources) {
    it(`takes the admin token from ${source}`, { timeout: 15_000 }, async () => {
      const dataDir = tempDir();
      const config = writeConfig(dataDir, upstreamConfig(9));
      const serve = await startServe(['--data-dir', dataDir, '--port', '0', '--config', config, ...args], {
        UP_KEY: 'sk-upstream-test',
        ...env,
      });
      const routes = `${serve.base}/admin/api/routes`;

      expect((await fetch(routes, { headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
      expect((await fetch(routes)).status).toBe(401);
      expect((await fetch(routes, { headers: bearer(APP_KEY) })).status).toBe(401);
      // ...and the admin token is no app key.
      expect((await fetch(`${serve.base}/v1/models`, { headers: bearer(ADMIN_TOKEN) })).status).toBe(401);
    });
  }
});

describe('switchboard serve: admin token file', () => {
  const FILE_TOKEN = 'admin-file-token-abcdef0123456789';

  it(
    'reads the token from --admin-token-file, trimmed, before SWITCHBOARD_ADMIN_TOKEN',
    { timeout: 15_000 },
    async () => {
      const dataDir = tempDir();
      const file = join(dataDir, 'admin-token');
      writeFileSync(file, `  ${FILE_TOKEN}\n\n`);
      const serve = await startServe(['--data-dir', dataDir, '--port', '0', '--admin-token-file', file], {
        SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN,
      });
      const routes = `${serve.base}/admin/api/routes`;

      expect((await fetch(routes, { headers: bearer(FILE_TOKEN) })).status).toBe(200);
      expect((await fetch(routes, { headers: bearer(ADMIN_TOKEN) })).status).toBe(401);
      expect(serve.stdout()).not.toContain(FILE_TOKEN);
    },
  );

  const refusals: Array<{ what: string; contents: string | null; says: string }> = [
    { what: 'a missing file', contents: null, says: 'no such file' },
    { what: 'an empty file', contents: ' \n\t\n', says: 'is empty' },
    { what: 'a file of two lines', contents: 'first-token-0123\nsecond-token-4567\n', says: 'one line' },
  ];
  for (const { what, contents, says } of refusals) {
    it(`exits 2 with one line on ${what}, and touches nothing`, async () => {
      const dataDir = tempDir();
      const file = join(dataDir, 'admin-token');
      if (contents !== null) writeFileSync(file, contents);

      const result = await runToExit(['--data-dir', dataDir, '--port', '0', '--admin-token-file', file]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('--admin-token-file');
      expect(lines[0]).toContain(file);
      expect(lines[0]).toContain(says);
      expect(existsSync(join(dataDir, 'switchboard.db'))).toBe(false);
    });
  }

  it('exits 2 when given both --admin-token and --admin-token-file', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'admin-token');
    writeFileSync(file, FILE_TOKEN);
    const result = await runToExit([
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--admin-token',
      ADMIN_TOKEN,
      '--admin-token-file',
      file,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not both');
  });

  it('--help names the safe ways to pass the token and warns that --admin-token shows in ps', async () => {
    const result = await runToExit(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--admin-token-file FILE');
    expect(result.stdout).toContain('SWITCHBOARD_ADMIN_TOKEN');
    expect(result.stdout).toMatch(/--admin-token TOKEN[^\n]*other local users can read it in `ps`/);
  });
});

describe('switchboard serve: generated app keys', () => {
  it('prints a generated key once, and it keeps working after a restart', { timeout: 20_000 }, async () => {
    const upstream = await startFakeUpstream();
    const dataDir = tempDir();
    const config = writeConfig(dataDir, upstreamConfig(upstream.port, '  - { name: gen }'));
    const args = ['--data-dir', dataDir, '--port', '0', '--config', config];
    const env = { UP_KEY: 'sk-upstream-test' };

    const first = await startServe(args, env);
    const [, app, key = ''] = await waitForStdout(first, NEW_KEY);
    expect(app).toBe('gen');
    expect(key).toMatch(/^sbk_[0-9A-Za-z]{32}$/);
    const models = await fetch(`${first.base}/v1/models`, { headers: bearer(key) });
    expect(models.status).toBe(200);
    const list = (await models.json()) as { object: string; data: Array<{ id: string }> };
    expect(list.object).toBe('list');
    expect(list.data.map((model) => model.id)).toContain('up/gpt-4.1-nano');
    first.child.kill('SIGTERM');
    expect(await waitForExit(first)).toEqual({ code: 0, signal: null });

    // Same data dir, same config: nothing new to show, and the key from the first run still works.
    const second = await startServe(args, env);
    expect((await fetch(`${second.base}/healthz`)).status).toBe(200);
    expect(second.stdout()).not.toContain('New key');
    expect((await fetch(`${second.base}/v1/models`, { headers: bearer(key) })).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await waitForExit(second)).toEqual({ code: 0, signal: null });
    expect(second.stdout()).not.toContain('New key');
  });
});
