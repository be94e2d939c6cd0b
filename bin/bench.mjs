#!/usr/bin/env node
// `npm run bench`: benchmarks, never part of `npm test`. Their own dependencies (autocannon,
// Portkey's gateway) live in bench/package.json, so that the app's `npm install` stays lean;
// they are installed here on first run (and again whenever bench/package-lock.json changes).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const bench = fileURLToPath(new URL('../bench/', import.meta.url));

/** True when bench/node_modules holds what bench/package-lock.json asks for. */
function installed() {
  const installedLock = `${bench}node_modules/.package-lock.json`;
  if (!existsSync(installedLock)) return false;
  const wanted = JSON.parse(readFileSync(`${bench}package-lock.json`, 'utf8')).packages;
  const have = JSON.parse(readFileSync(installedLock, 'utf8')).packages;
  // Optional packages may be absent on this platform.
  return Object.entries(wanted).every(
    ([path, entry]) => path === '' || entry.optional || have[path]?.version === entry.version,
  );
}

if (!installed()) {
  const ci = existsSync(`${bench}package-lock.json`);
  process.stdout.write(
    `Installing the benchmark's dependencies into bench/node_modules (npm ${ci ? 'ci' : 'install'})…\n`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(
    npm,
    [ci ? 'ci' : 'install', '--prefix', bench, '--ignore-scripts', '--no-audit', '--no-fund'],
    { stdio: 'inherit', timeout: 300_000, shell: process.platform === 'win32' },
  );
  if (result.status !== 0) {
    process.stderr.write(
      'Could not install the benchmark dependencies (see above); the bench needs the npm registry once.\n',
    );
    process.exit(1);
  }
}

// Measure the gateway as `npm install` leaves it: serve from a bundle of the current sources.
const built = spawnSync(process.execPath, [fileURLToPath(new URL('./build-cli.mjs', import.meta.url))], {
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(1);

register();
await import('../bench/main.ts');
