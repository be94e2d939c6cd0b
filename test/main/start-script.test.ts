// @vitest-environment node
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killAll, start } from './child.ts';

// `npm start` is `node bin/start.mjs`: run it as that, with Electron's binary made absent or faked
// through ELECTRON_OVERRIDE_DIST_PATH (the variable the electron package itself honours).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START = join(ROOT, 'bin', 'start.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-start-'));
});
afterEach(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

function env(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base['SWITCHBOARD_ADMIN_TOKEN'];
  return { ...base, ...extra };
}

describe('npm start', () => {
  it('without the Electron binary: says so in one line and runs serve', async () => {
    const child = start(
      process.execPath,
      [START, '--port', '0', '--data-dir', join(dir, 'data')],
      env({ ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron-here') }),
    );
    const [, base] = await child.waitFor(/^Switchboard listening on (http:\/\/127\.0\.0\.1:\d+)$/m);
    const lines = child.output().split('\n');
    expect(lines[0]).toBe(
      'Electron is not installed on this machine; running the headless gateway (npm run serve) instead.',
    );
    expect(lines[1]).toBe(`Switchboard listening on ${base}`);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it.skipIf(process.platform === 'win32')(
    'with the binary: builds dist/main, then runs Electron on the app folder with the flags',
    async () => {
      // A stand-in "Electron" that reports how it was started.
      const binary = join(dir, 'electron');
      writeFileSync(
        binary,
        '#!/bin/sh\necho "electron started with: $*"\necho "ELECTRON_RUN_AS_NODE=${ELECTRON_RUN_AS_NODE:-unset}"\n',
      );
      chmodSync(binary, 0o755);
      const before = Date.now();
      const child = start(
        process.execPath,
        [START, '--port', '0'],
        env({ ELECTRON_OVERRIDE_DIST_PATH: dir, ELECTRON_RUN_AS_NODE: '1' }),
      );
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(child.output()).toContain(`electron started with: ${ROOT.replace(/\/$/, '')} --port 0`);
      // Left set, it would make Electron a plain Node without a window.
      expect(child.output()).toContain('ELECTRON_RUN_AS_NODE=unset');
      for (const file of ['index.js', 'preload.cjs'])
        expect(statSync(join(ROOT, 'dist', 'main', file)).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
    },
  );
});
