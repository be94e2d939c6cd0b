#!/usr/bin/env node
// Bundles `switchboard serve` (gateway/cli.ts and the gateway) into dist/cli.mjs, so that it starts
// without compiling TypeScript first: about 0.25 s sooner to the ready line than through tsx.
// Run by `npm install` (prepare); bin/switchboard.mjs uses the bundle only while it is newer than
// every gateway source, and tsx otherwise, so an edited source is never shadowed by a stale build.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sourceLocatedImportMeta } from '../main/build.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(ROOT, 'dist');

await build({
  absWorkingDir: ROOT,
  entryPoints: [join(ROOT, 'gateway', 'cli.ts')],
  outfile: join(outdir, 'cli.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [sourceLocatedImportMeta(ROOT, outdir)],
});
