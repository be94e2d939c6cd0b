import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { loadEsbuild, type BuildResult, type EsbuildPlugin } from '../deps.ts';
import { memoryOf, ROOT, sleep } from '../processes.ts';
import { median } from '../stats.ts';
import { startSwitchboard } from '../stack.ts';

export interface StartupVariant {
  label: string;
  command: string;
  runsMs: number[];
  medianMs: number;
  /** RSS 1 s after the ready line (last run), MB. */
  idleRssMb: number | null;
}

export interface DependencyRss {
  name: string;
  /** RSS of `node` after importing it (and a GC) minus RSS of `node` importing nothing, MB. */
  rssMb: number;
}

export interface StartupResult {
  /** What each of the app's runtime dependencies, and tsx's loader, add to a process's RSS. */
  dependencyRss: DependencyRss[];
  /** `node -e ""` to its exit: what any Node program pays before its first line runs. */
  nodeBaselineMs: number;
  variants: StartupVariant[];
  targetMs: number;
  error?: string;
}

const RSS_PROBE = `
const name = process.argv[1];
const loaded = name === '' ? undefined : await import(name);
if (name === 'tsx/esm/api') loaded.register();
globalThis.gc();
await new Promise((resolve) => setTimeout(resolve, 200));
globalThis.gc();
process.stdout.write(String(process.memoryUsage().rss));
`;

/** The packages the gateway's code imports, from the build's metafile. */
function importedPackages(build: BuildResult): Set<string> {
  const packages = new Set<string>();
  for (const input of Object.values(build.metafile?.inputs ?? {})) {
    for (const { path, external } of input.imports) {
      if (!external || path.startsWith('node:')) continue;
      const parts = path.split('/');
      packages.add(path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return packages;
}

/**
 * Each runtime dependency the gateway imports (all of package.json's if that is not known),
 * imported alone into a fresh `node`, its RSS against an empty one's (median of 3).
 */
function dependencyRss(imported: Set<string> | null): DependencyRss[] {
  const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const probe = (name: string) => {
    const values: number[] = [];
    for (let index = 0; index < 3; index++) {
      const result = spawnSync(
        process.execPath,
        ['--expose-gc', '--input-type=module', '-e', RSS_PROBE, name],
        { cwd: ROOT, encoding: 'utf8', timeout: 15_000 },
      );
      if (result.status === 0) values.push(Number(result.stdout) / 1024 / 1024);
    }
    return values.length ? median(values) : null;
  };
  const empty = probe('');
  if (empty === null) return [];
  const out: DependencyRss[] = [];
  const wanted = Object.keys(dependencies).filter((name) => name !== 'tsx' && (imported?.has(name) ?? true));
  for (const name of [...wanted, 'tsx/esm/api']) {
    const rss = probe(name);
    if (rss !== null)
      out.push({ name: name === 'tsx/esm/api' ? 'tsx (its loader, registered)' : name, rssMb: rss - empty });
  }
  return out.sort((a, b) => b.rssMb - a.rssMb);
}

const ENTRY = `import { main } from ${JSON.stringify(join(ROOT, 'gateway', 'cli.ts'))};
await main(process.argv.slice(2));
`;
/**
 * gateway/version.ts reads ../package.json relative to itself, which a file built elsewhere cannot
 * do: a build injects the version instead, as any build step would.
 */
function injectVersion(version: string): EsbuildPlugin {
  return {
    name: 'inject-version',
    setup(build) {
      build.onLoad({ filter: /gateway[\\/]version\.ts$/ }, () => ({
        contents: `export const VERSION: string = ${JSON.stringify(version)};`,
        loader: 'ts',
      }));
    },
  };
}

/**
 * Files the gateway loads beside its own modules (`new URL('./script-worker.mjs', import.meta.url)`)
 * must sit beside the built file too: a build step has to copy them, and so does this one.
 */
function copyAssets(build: BuildResult, outDir: string): void {
  for (const input of Object.keys(build.metafile?.inputs ?? {})) {
    const file = join(ROOT, input);
    if (!input.startsWith('gateway/') || !existsSync(file)) continue;
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/new URL\(\s*['"]\.\/([^'"/]+)['"]\s*,\s*import\.meta\.url\s*\)/g)) {
      const asset = join(dirname(file), match[1]!);
      if (existsSync(asset) && statSync(asset).isFile()) copyFileSync(asset, join(outDir, match[1]!));
    }
  }
}

/** Bundled CommonJS packages call require(); an ES module bundle needs one. */
const REQUIRE_SHIM = `import { createRequire as __benchCreateRequire } from 'node:module';
const require = __benchCreateRequire(import.meta.url);`;

async function timeVariant(
  label: string,
  command: string,
  script: string,
  dir: string,
  config: Record<string, unknown>,
  runs: number,
  idleRss: boolean,
): Promise<StartupVariant> {
  const runsMs: number[] = [];
  let idleRssMb: number | null = null;
  for (let index = 0; index < runs; index++) {
    // The same data dir every run: the first creates it, the rest are ordinary restarts.
    const server = await startSwitchboard({ dir, config, script, name: label });
    runsMs.push(server.readyMs);
    if (idleRss && index === runs - 1) {
      await sleep(1000);
      idleRssMb = memoryOf(server.pid)?.rssMb ?? null;
    }
    await server.stop();
  }
  return { label, command, runsMs, medianMs: median(runsMs), idleRssMb };
}

/**
 * Launch → ready line, median of `runs`, for `node bin/switchboard.mjs serve` as shipped (from
 * the bundle `npm install` builds), and for the same CLI precompiled with esbuild differently: the
 * app and its packages in one file, and the app's code alone with packages from node_modules
 * (built in a temp folder, then removed).
 */
export async function measureStartup(
  dir: string,
  upstream: string,
  settings: { runs: number; dependencyRss: boolean; idleRss: boolean },
): Promise<StartupResult> {
  const { runs, idleRss } = settings;
  const dependencies = () => (settings.dependencyRss ? dependencyRss(imported) : []);
  const config = {
    routes: [{ id: 'up', vendor: 'openai', baseUrl: `${upstream}/v1`, apiKey: 'sk-bench-startup' }],
    apps: [{ name: 'bench', key: 'sbk_bench_startup_0123456789abcdef' }],
  };
  const baseline: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', ''], { timeout: 10_000 });
    baseline.push(performance.now() - started);
  }
  const variants: StartupVariant[] = [];
  variants.push(
    await timeVariant(
      'as shipped (the bundle npm install builds, dist/cli.mjs)',
      'node bin/switchboard.mjs serve',
      'bin/switchboard.mjs',
      join(dir, 'tsx'),
      config,
      runs,
      idleRss,
    ),
  );
  // Inside the app's node_modules (a cache folder), so that the compiled file resolves the app's
  // packages and not the bench's own (Portkey brings an older zod).
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  let imported: Set<string> | null = null;
  const errors: string[] = [];
  const buildDir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'switchboard-bench-'));
  try {
    const esbuild = await loadEsbuild();
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const entry = join(buildDir, 'entry.ts');
    writeFileSync(entry, ENTRY);
    const common = {
      entryPoints: [entry],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      plugins: [injectVersion(version)],
      metafile: true,
      logLevel: 'error',
    } as const;
    const ways = [
      {
        label: `precompiled, one file (esbuild ${esbuild.version}; better-sqlite3 and QuickJS's wasm stay in node_modules)`,
        file: 'switchboard-bundled.mjs',
        // Native code, and QuickJS's wasm, which is loaded from beside its own module.
        options: { external: ['better-sqlite3', '@jitl/*'], banner: { js: REQUIRE_SHIM } },
      },
      {
        label: 'precompiled, packages from node_modules (esbuild --packages=external)',
        file: 'switchboard-compiled.mjs',
        options: { packages: 'external' as const },
      },
    ];
    for (const way of ways) {
      try {
        const outfile = join(buildDir, way.file);
        const build = await esbuild.build({ ...common, ...way.options, outfile });
        if (way.options.packages === 'external') imported = importedPackages(build);
        copyAssets(build, buildDir);
        variants.push(
          await timeVariant(
            way.label,
            `node ${way.file} serve`,
            outfile,
            join(dir, way.file),
            config,
            runs,
            idleRss,
          ),
        );
      } catch (error) {
        errors.push(`${way.label}: ${(error as Error).message}`);
      }
    }
  } catch (error) {
    errors.push((error as Error).message);
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
  return {
    dependencyRss: dependencies(),
    nodeBaselineMs: median(baseline),
    variants,
    targetMs: 500,
    ...(errors.length ? { error: errors.join('\n') } : {}),
  };
}
