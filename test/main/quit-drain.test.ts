// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import { JOURNAL_FILE } from '../../gateway/row-journal.ts';
import { startGateway, StartupError } from '../../gateway/index.ts';
import { fileKeyBox } from '../../gateway/secrets/file-key-box.ts';
import { DATABASE_FILE } from '../../gateway/store/database.ts';
import { runDesktopApp, type DesktopApp } from '../../main/app-lifecycle.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import { fixtureChunks } from '../support/fixtures.ts';
import { createFakeElectron, FakeTray, type FakeBrowserWindow, type FakeImage } from './fake-electron.ts';

// Quit from the tray takes the same path as SIGTERM on `serve`: the gateway's close(), with its drain.

const APP_KEY = 'sbk_test_0123456789abcdef0123';
const GRACE_MS = 500;

let dir: string;
let fake: FakeOpenAi;
let desktop: DesktopApp<FakeBrowserWindow, FakeImage> | null = null;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-quit-'));
  fake = await startFakeOpenAi();
});

afterEach(async () => {
  await desktop?.quit();
  desktop = null;
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
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

it('Quit with a stream open: stops accepting, cuts the stream at the grace, records it partial, then exits', async () => {
  // A stream that never ends.
  fake.respond((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const chunk of fixtureChunks('openai/openai-text.chunks.txt').slice(0, 5))
      response.write(`data: ${chunk}\n\n`);
    const timer = setInterval(() => response.write(': still thinking\n\n'), 50);
    response.on('close', () => clearInterval(timer));
  });
  const electron = createFakeElectron(join(dir, 'userData'));
  const dataDir = join(dir, 'data');
  desktop = await runDesktopApp({
    electron,
    startGateway: (options) =>
      startGateway({
        ...options,
        shutdownGraceMs: GRACE_MS,
        config: parseConfig(
          {
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
          },
          'test-config',
        ),
      }),
    isPortProblem: (error) => error instanceof StartupError,
    fileKeyBox,
    argv: ['/usr/bin/electron', '/opt/switchboard-app', '--port', '0', '--hidden', '--data-dir', dataDir],
    platform: 'linux',
    env: { XDG_CONFIG_HOME: join(dir, 'config') },
    execPath: '/usr/bin/electron',
    homeDir: dir,
    log: () => undefined,
    refreshMs: 3_600_000,
  });
  const gateway = desktop!.control.gateway!;
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    }),
  });
  const reader = response.body!.getReader();
  await reader.read();

  const started = performance.now();
  FakeTray.instances[0]!.click('quit');
  expect(await refusesConnections(gateway.port)).toBe(true);
  // Draining: Electron is not told to quit while the stream may still finish.
  expect(electron.app.exited).toBe(false);
  let cut = false;
  try {
    while (!(await reader.read()).done);
  } catch {
    cut = true;
  }
  expect(cut).toBe(true);
  expect(performance.now() - started).toBeGreaterThanOrEqual(GRACE_MS - 50);
  await desktop!.quit();
  expect(electron.app.exited).toBe(true);

  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT status, stream, partial FROM requests').all()).toEqual([
      { status: 200, stream: 1, partial: 1 },
    ]);
  } finally {
    db.close();
  }
  expect(readFileSync(join(dataDir, JOURNAL_FILE), 'utf8')).toBe('');
});
