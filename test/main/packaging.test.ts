// @vitest-environment node
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// `npm run dist` cannot run here (electron-builder downloads Electron and its tools), so the
// configuration is checked the way electron-builder checks it before building anything.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const config = parse(readFileSync(`${ROOT}electron-builder.yml`, 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
};

interface ElectronBuilderConfig {
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
}
interface DebugLoggerModule {
  DebugLogger: new (enabled: boolean) => unknown;
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema', async () => {
    // Not public API, but the very function `electron-builder` runs on its configuration first.
    const require = createRequire(require_resolve_base());
    const { validateConfiguration } =
      require('app-builder-lib/out/util/config/config.js') as ElectronBuilderConfig;
    const { DebugLogger } = require('builder-util/out/DebugLogger.js') as DebugLoggerModule;
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...config, notAnOption: true }, new DebugLogger(false)),
    ).rejects.toThrow(/unknown property 'notAnOption'/);
  });

  it('builds a dmg, an NSIS installer, an AppImage and a deb', () => {
    expect(config['mac']).toMatchObject({ target: 'dmg' });
    expect(config['win']).toMatchObject({ target: 'nsis' });
    expect(config['linux']).toMatchObject({ target: ['AppImage', 'deb'] });
  });

  it('unpacks and rebuilds better-sqlite3 for Electron', () => {
    expect(config['asarUnpack']).toContain('node_modules/better-sqlite3/**');
    expect(config['npmRebuild']).toBe(true);
  });

  it('blows the fuses that would let the binary run as Node or be debugged', () => {
    expect(config['electronFuses']).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
  });

  it('ships the built main process, its preload and the dashboard, with package.json pointing at them', () => {
    const files = config['files'] as string[];
    expect(files).toEqual(expect.arrayContaining(['dist/main/**', 'renderer/dist/**', 'package.json']));
    expect(pkg.main).toBe('dist/main/index.js');
  });

  it('has the scripts: start, build:main, dist', () => {
    expect(pkg.scripts['start']).toBe('node bin/start.mjs');
    expect(pkg.scripts['build:main']).toBe('node main/build.mjs');
    expect(pkg.scripts['dist']).toBe('npm run build:ui && npm run build:main && electron-builder');
  });
});

/** electron-builder's internals are its dependencies: resolve them from where it is installed. */
function require_resolve_base(): string {
  return createRequire(`${ROOT}package.json`).resolve('electron-builder/package.json');
}
