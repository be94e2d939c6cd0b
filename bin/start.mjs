#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed (main/ bundled first, since
// Electron runs JavaScript); otherwise, in one line, why not, and the headless gateway instead.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

const PLATFORM_BINARY = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

/** Where the `electron` package keeps its binary, found as its own index.js does, without downloading it. */
function electronBinary() {
  try {
    const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(electronDir, 'path.txt');
    const name = existsSync(pathFile)
      ? readFileSync(pathFile, 'utf8').trim()
      : (PLATFORM_BINARY[process.platform] ?? 'electron');
    const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
    const binary = join(distDir, name);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const args = process.argv.slice(2);
let child;
if (binary) {
  try {
    const { buildMain } = await import('../main/build.mjs');
    await buildMain();
  } catch (error) {
    console.error(`Could not build the desktop app (main/): ${error.message}`);
    process.exit(1);
  }
  // A leftover ELECTRON_RUN_AS_NODE would start Electron as plain Node, without a window.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  child = spawn(binary, [root, ...args], { stdio: 'inherit', env });
} else {
  console.log(
    'Electron is not installed on this machine; running the headless gateway (npm run serve) instead.',
  );
  child = spawn(process.execPath, [join(root, 'bin', 'switchboard.mjs'), 'serve', ...args], {
    stdio: 'inherit',
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
