#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed; otherwise the headless gateway.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function electronBinary() {
  try {
    const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(electronDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const desktopEntry = join(root, 'main', 'index.ts');
const args = process.argv.slice(2);
const child =
  binary && existsSync(desktopEntry)
    ? spawn(binary, [root, ...args], { stdio: 'inherit' })
    : (console.log(
        binary
          ? 'The desktop app is not part of this build yet; running the headless gateway (npm run serve) instead.'
          : 'Electron is not installed on this machine; running the headless gateway (npm run serve) instead.',
      ),
      spawn(process.execPath, [join(root, 'bin', 'switchboard.mjs'), 'serve', ...args], {
        stdio: 'inherit',
      }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
