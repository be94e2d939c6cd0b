#!/usr/bin/env node
// `switchboard serve`: from the bundle that `npm install` builds (dist/cli.mjs) while it is newer than
// every gateway source; otherwise straight from the TypeScript sources through tsx, so there is never
// a build step to remember and never a stale build.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bundle = join(root, 'dist', 'cli.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return (
      statSync(bundle).mtimeMs >=
      Math.max(newestSource(join(root, 'gateway')), statSync(join(root, 'package.json')).mtimeMs)
    );
  } catch {
    return false;
  }
}

let cli;
if (bundleIsFresh()) {
  cli = await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../gateway/cli.ts');
}
await cli.main(process.argv.slice(2));
