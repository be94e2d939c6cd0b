import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../gateway/store/database.ts';
import { JOURNAL_FILE } from '../../../gateway/row-journal.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { fixtureChunks } from '../../support/fixtures.ts';
import { APP_KEY } from '../../support/gateway.ts';

// `switchboard serve` as users run it (the bin script, through tsx), stopped with SIGTERM mid-stream.

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/switchboard.mjs', import.meta.url));
const READY = /^Switchboard listening on http:\/\/127\.0\.0\.1:(\d+)$/m;
/** serve's default grace for open streams at shutdown. */
const GRACE_MS = 10_000;

let child: ChildProcess | undefined;
let fake: FakeOpenAi | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

it(
  'exits 0 on SIGTERM with a stream open: the stream is cut after the grace, its row is partial, the database is whole',
  { timeout: 40_000 },
  async () => {
    fake = await startFakeOpenAi();
    // A stream that never ends: half an answer, then a keep-alive comment now and then.
    fake.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunks = fixtureChunks('openai/openai-text.chunks.txt');
      for (const chunk of chunks.slice(0, chunks.length / 2)) response.write(`data: ${chunk}\n\n`);
      const timer = setInterval(() => response.write(': still thinking\n\n'), 200);
      response.on('close', () => clearInterval(timer));
    });
    dir = mkdtempSync(join(tmpdir(), 'switchboard-shutdown-'));
    const config = join(dir, 'switchboard.json');
    writeFileSync(
      config,
      JSON.stringify({
        routes: [
          {
            id: 'main',
            vendor: 'openai',
            baseUrl: fake.url,
            apiKey: 'sk-test',
            defaultModel: 'gpt-4.1-nano',
          },
        ],
        apps: [{ name: 'tester', key: APP_KEY }],
      }),
    );
    const dataDir = join(dir, 'data');
    const serve = spawn(
      process.execPath,
      [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--config', config],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SWITCHBOARD_ADMIN_TOKEN: '' },
      },
    );
    child = serve;
    let stdout = '';
    let stderr = '';
    serve.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    serve.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      serve.once('close', (code, signal) => resolve({ code, signal })),
    );
    await expect.poll(() => READY.test(stdout), { timeout: 15_000 }).toBe(true);
    const port = Number(READY.exec(stdout)![1]);

    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4.1-nano',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();

    const signalled = performance.now();
    serve.kill('SIGTERM');
    await expect.poll(() => refusesConnections(port)).toBe(true);
    let cut = false;
    try {
      while (!(await reader.read()).done);
    } catch {
      cut = true;
    }
    expect(cut).toBe(true);
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('');

    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT status, stream, partial FROM requests').all()).toEqual([
        { status: 200, stream: 1, partial: 1 },
      ]);
    } finally {
      db.close();
    }
    // Nothing left for the next start to replay.
    expect(readFileSync(join(dataDir, JOURNAL_FILE), 'utf8')).toBe('');
  },
);
