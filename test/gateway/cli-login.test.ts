import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// `switchboard login` as users run it: the real bin script, against a real `serve` in another process.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/switchboard.mjs', import.meta.url));
const READY = /^Switchboard listening on (http:\/\/127\.0\.0\.1:\d+)\n[^\n]*\n/;
/** Start-up goes through tsx, so the ready line can take a few seconds on a busy machine. */
const READY_TIMEOUT_MS = 10_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-login-'));
  dirs.push(dir);
  return dir;
}

function spawnBin(args: string[]): { child: ChildProcess; output: () => Run; closed: Promise<Run> } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['SWITCHBOARD_ADMIN_TOKEN'];
  delete env['SWITCHBOARD_SESSION_DAYS'];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const output = () => ({ code: child.exitCode, stdout, stderr });
  const closed = new Promise<Run>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output, closed };
}

/** `switchboard login ARGS` to its end. */
async function login(args: string[]): Promise<Run> {
  const run = spawnBin(['login', ...args]);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), READY_TIMEOUT_MS);
  try {
    return await run.closed;
  } finally {
    clearTimeout(timer);
  }
}

/** `switchboard serve --port 0 --data-dir DIR`, once its ready line and login line are out. */
async function serve(dataDir: string) {
  const run = spawnBin(['serve', '--port', '0', '--data-dir', dataDir]);
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve not ready: ${JSON.stringify(run.output())}`)),
      READY_TIMEOUT_MS,
    );
    const check = () => {
      const match = READY.exec(run.output().stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    };
    run.child.stdout?.on('data', check);
    void run.closed.then((result) => reject(new Error(`serve exited: ${JSON.stringify(result)}`)));
  });
  return { ...run, base };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('switchboard login', () => {
  it(
    'prints a fresh one-time link for the gateway on that data dir, which needs no admin token and works once',
    { timeout: 30_000 },
    async () => {
      const dataDir = tempDir();
      const gateway = await serve(dataDir);
      const startLink = /login link\): (\S+)/.exec(gateway.output().stdout)?.[1];

      const first = await login(['--data-dir', dataDir]);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      const lines = first.stdout.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toBe('');
      const link = lines[0]!;
      expect(link).toMatch(new RegExp(`^${gateway.base}/ui/login\\?token=[\\w-]+$`));
      expect(link).not.toBe(startLink);

      const signedIn = await fetch(link, { redirect: 'manual' });
      expect(signedIn.status).toBe(302);
      const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      const status = await fetch(`${gateway.base}/admin/api/status`, { headers: { cookie } });
      expect(status.status).toBe(200);
      const again = await fetch(link, { redirect: 'manual' });
      expect(again.status).toBe(401);
      expect(again.headers.get('set-cookie')).toBeNull();

      // Each run a new link.
      const second = await login(['--data-dir', dataDir]);
      expect(second.code).toBe(0);
      expect(second.stdout.trim()).not.toBe(link);
      expect((await fetch(second.stdout.trim(), { redirect: 'manual' })).status).toBe(302);

      // Once the gateway has stopped, there is no gateway to ask.
      gateway.child.kill('SIGTERM');
      expect((await gateway.closed).code).toBe(0);
      expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
      const stopped = await login(['--data-dir', dataDir]);
      expect(stopped.code).toBe(1);
      expect(stopped.stdout).toBe('');
      expect(stopped.stderr).toMatch(/^No Switchboard gateway is running on .+\n$/);
    },
  );

  it('exits 1 with one line when no gateway ever ran on the data dir', async () => {
    const dataDir = tempDir();
    const result = await login(['--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `No Switchboard gateway is running on ${dataDir} (no runtime.json there); start one with: npx switchboard serve --data-dir ${dataDir}\n`,
    );
  });

  it('exits 1 with one line when the gateway that wrote runtime.json is gone without removing it', async () => {
    const dataDir = tempDir();
    const url = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(
      join(dataDir, 'runtime.json'),
      JSON.stringify({ url, pid: 1, secret: 'stale', startedAt: new Date().toISOString() }),
    );
    const result = await login(['--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^No Switchboard gateway is answering at ${url} for .+\\n$`));
  });

  it('exits 1 with one line when something else answers at that URL', async () => {
    const dataDir = tempDir();
    const other = createHttpServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      writeFileSync(
        join(dataDir, 'runtime.json'),
        JSON.stringify({ url, pid: 1, secret: 'stale', startedAt: new Date().toISOString() }),
      );
      const result = await login(['--data-dir', dataDir]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^What answers at .+ is not the gateway that wrote .+runtime\.json \(HTTP 404\)/,
      );
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("never sends the secret to a port that a dead gateway's runtime.json names", async () => {
    const dataDir = tempDir();
    let asked = 0;
    const other = createHttpServer((_request, response) => {
      asked++;
      response.writeHead(200).end('{"url":"http://phish.example/"}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      // A pid above Linux's pid_max: that gateway is gone.
      writeFileSync(
        join(dataDir, 'runtime.json'),
        JSON.stringify({ url, pid: 4194305, secret: 'stale', startedAt: new Date().toISOString() }),
      );
      const result = await login(['--data-dir', dataDir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/is left from pid 4194305/);
      expect(asked).toBe(0);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('exits 2 on a flag that only serve takes', async () => {
    const result = await login(['--data-dir', tempDir(), '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('login takes only --data-dir, not --port.\n');
  });
});
