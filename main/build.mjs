#!/usr/bin/env node
// Bundles the Electron main process and its preload: Electron runs JavaScript, not TypeScript.
//   main/index.ts   → dist/main/index.js    (ESM, with the gateway's sources inlined)
//   main/preload.ts → dist/main/preload.cjs (CommonJS: a sandboxed preload cannot be a module)
// npm packages stay external (electron-builder ships node_modules; better-sqlite3 is native).
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The gateway finds files next to its sources (`../package.json`, `../renderer/dist`) through
 * `import.meta.url`. Inlined into dist/main/index.js, that would point at dist/main; this makes
 * it point where the source file was, relative to the bundle, so the same lookups work in
 * development and inside app.asar.
 */
export function sourceLocatedImportMeta(root, outdir) {
  const gatewayDir = join(root, 'gateway') + sep;
  return {
    name: 'source-located-import-meta',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(gatewayDir)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const fromBundle = relative(outdir, args.path).split(sep).join('/');
        return {
          contents: source.replaceAll(
            'import.meta.url',
            `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
          ),
          loader: 'ts',
        };
      });
    },
  };
}

/** Builds both bundles into `outdir` (default dist/main); resolves to their paths. */
export async function buildMain({
  root = ROOT,
  outdir = join(ROOT, 'dist', 'main'),
  logLevel = 'warning',
} = {}) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    // Electron 42 runs Node 24; nothing here needs more than 22.
    target: 'node22',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel,
  };
  const main = join(outdir, 'index.js');
  const preload = join(outdir, 'preload.cjs');
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'main', 'index.ts')],
      outfile: main,
      format: 'esm',
      plugins: [sourceLocatedImportMeta(root, outdir)],
    }),
    build({ ...common, entryPoints: [join(root, 'main', 'preload.ts')], outfile: preload, format: 'cjs' }),
  ]);
  return { main, preload };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { main, preload } = await buildMain();
  process.stdout.write(`Built ${relative(ROOT, main)} and ${relative(ROOT, preload)}\n`);
}
