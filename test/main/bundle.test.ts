// @vitest-environment node
import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, start } from './child.ts';

// What Electron runs is the esbuild bundle, not the TypeScript: build it and start it under plain
// Node, with `electron` answered by a stub (the binary cannot run here).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Two levels under the root like dist/main, so that npm packages resolve from the root's node_modules.
const OUTDIR = join(ROOT, 'dist', `main-test-${process.pid}`);

interface BuildModule {
  buildMain(options: { outdir: string }): Promise<{ main: string; preload: string }>;
}

let built: { main: string; preload: string };
let dir: string;

beforeAll(async () => {
  const { buildMain } = (await import(join(ROOT, 'main', 'build.mjs'))) as BuildModule;
  built = await buildMain({ outdir: OUTDIR });
  dir = mkdtempSync(join(tmpdir(), 'switchboard-bundle-'));
}, 60_000);

afterAll(() => {
  killAll();
  rmSync(OUTDIR, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('the main-process bundle', () => {
  it('has a CommonJS preload that needs nothing but electron (a sandboxed preload can require nothing else)', () => {
    const preload = readFileSync(built.preload, 'utf8');
    expect(preload).toContain('"use strict"');
    expect([...preload.matchAll(/require\((["'][^"']+["'])\)/g)].map((match) => match[1])).toEqual([
      '"electron"',
    ]);
    expect(preload).not.toMatch(/^import /m);
    expect(preload).toContain('switchboard:desktop-config');
  });

  it('is ESM with the gateway inlined and npm packages left to node_modules', () => {
    const main = readFileSync(built.main, 'utf8');
    expect(main).toMatch(/^import \{[^}]*\} from "electron";$/m);
    expect(main).toMatch(/from "better-sqlite3"/);
    expect(main).not.toMatch(/from "\.\.?\/[^"]*gateway/);
    // import.meta.url in gateway files still means the file it was written in.
    expect(main).toContain('new URL("../../gateway/version.ts", import.meta.url).href');
  });

  it('starts the gateway, the tray and the window, and quits cleanly on SIGTERM', async () => {
    const child = start(
      process.execPath,
      [
        '--import',
        join(ROOT, 'test', 'main', 'fixtures', 'register-electron-stub.mjs'),
        built.main,
        '--port',
        '0',
      ],
      {
        ...process.env,
        SWITCHBOARD_TEST_USER_DATA: join(dir, 'userData'),
        SWITCHBOARD_TEST_APP_PATH: ROOT,
      },
    );
    const [, base] = await child.waitFor(/^Switchboard running on (http:\/\/127\.0\.0\.1:\d+)$/m);
    await child.waitFor(/^window load .*\/ui\/$/m);
    expect(child.output()).toContain(`window preload ${join(ROOT, 'dist', 'main', 'preload.cjs')}`);
    expect(child.output()).toMatch(/^tray Switchboard — Running on 127\.0\.0\.1:\d+/m);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.output()).toContain('app quit');
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
