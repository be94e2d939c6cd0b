/**
 * The bench's own dependencies live in bench/node_modules (installed by bin/bench.mjs on first
 * run), not in the app's. They are loaded by path at run time, with the few types used declared
 * here, so that type-checking the repository never needs them installed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './processes.ts';

const benchRequire = createRequire(new URL('./package.json', import.meta.url));
const rootRequire = createRequire(new URL('package.json', pathToFileURL(ROOT)));

export interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  /** Seconds. */
  duration: number;
  pipelining: number;
  /** Seconds. */
  timeout: number;
}

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  total: number;
}

export interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: Histogram;
  requests: Histogram;
}

export type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

export async function loadAutocannon(): Promise<Autocannon> {
  const module = (await import(pathToFileURL(benchRequire.resolve('autocannon')).href)) as {
    default: Autocannon;
  };
  return module.default;
}

/** Portkey's start script, from the bench's own install. */
export function portkeyEntry(): string {
  return benchRequire.resolve('@portkey-ai/gateway/build/start-server.js');
}

interface BuildOptions {
  entryPoints: readonly string[];
  /** Metafile paths are relative to this. */
  absWorkingDir?: string;
  bundle: boolean;
  platform: 'node';
  format: 'esm';
  target: string;
  outfile: string;
  external?: readonly string[];
  packages?: 'external';
  banner?: { js: string };
  plugins?: readonly EsbuildPlugin[];
  metafile?: boolean;
  logLevel: 'error';
}

export interface BuildResult {
  metafile?: { inputs: Record<string, { imports: { path: string; external?: boolean }[] }> };
}

export interface EsbuildPlugin {
  name: string;
  setup(build: {
    onLoad(
      options: { filter: RegExp },
      callback: (args: { path: string }) => { contents: string; loader: 'ts' },
    ): void;
  }): void;
}

export interface Esbuild {
  build(options: BuildOptions): Promise<BuildResult>;
  version: string;
}

/** esbuild comes with tsx (a dependency of the app): resolved from tsx's own location. */
export async function loadEsbuild(): Promise<Esbuild> {
  const fromTsx = createRequire(rootRequire.resolve('tsx/package.json'));
  return (await import(pathToFileURL(fromTsx.resolve('esbuild')).href)) as Esbuild;
}

/** A package's version, from the app's node_modules or the bench's (read directly: some export no package.json). */
export function versionOf(name: string, from: 'root' | 'bench'): string {
  const base = from === 'root' ? ROOT : join(ROOT, 'bench');
  try {
    const file = join(base, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
