/**
 * `npm run soak`: many concurrent streams for minutes through the real gateway, against fake
 * upstreams that fail a few percent of their calls, with fallbacks configured. Prints requests,
 * errors seen by clients, retries, fallbacks, the gateway's RSS at start and end and its event-loop
 * delay p99; writes bench/results/soak.json. See `npm run soak -- --help` and docs/soak.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { memoryOf, ROOT, sleep, spawnNode, stopAll } from '../processes.ts';
import { startSwitchboard, type Server } from '../stack.ts';
import { summarize } from '../stats.ts';
import { PRIMARY_ROUTE, SOAK_APP_KEY, SOAK_BODY, soakConfig } from './config.ts';
import { startLoad, type LoadTotals } from './load.ts';
import { parseOptions, type SoakOptions } from './options.ts';
import { gatewayProbe, type ProbeSnapshot } from './probe.ts';
import { renderTable } from './report.ts';
import type { Sample, SoakResults, UpstreamCalls } from './results.ts';
import { tallyRows, type RequestRow } from './tally.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
/** What bench/stack.ts's startSwitchboard passes as --admin-token. */
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const ROW_PAGE = 1000;
const RAMP_MS = 2000;

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'not a git checkout';
  }
}

async function admin<T>(gateway: Server, path: string): Promise<T> {
  const response = await fetch(`${gateway.origin}/admin/api${path}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (!response.ok) throw new Error(`GET /admin/api${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Routes cooling down now. */
async function coolingRoutes(gateway: Server): Promise<string[]> {
  const { data } = await admin<{ data: { id: string; health: { state: string } }[] }>(gateway, '/routes');
  return data.filter((route) => route.health.state === 'cooling').map((route) => route.id);
}

/** Every request row, newest first, a page at a time. */
async function allRows(gateway: Server): Promise<RequestRow[]> {
  const rows: RequestRow[] = [];
  for (;;) {
    const before = rows.length ? `&before=${encodeURIComponent(rows.at(-1)!.id)}` : '';
    const { data } = await admin<{ data: RequestRow[] }>(gateway, `/requests?limit=${ROW_PAGE}${before}`);
    rows.push(...data);
    if (data.length < ROW_PAGE) return rows;
  }
}

function countOf(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

function clientErrors(totals: LoadTotals): number {
  let errors = 0;
  for (const value of totals.errors.values()) errors += value;
  return errors;
}

async function run(options: SoakOptions, dir: string): Promise<SoakResults> {
  const began = performance.now();
  // Others' work on a shared machine shows here; taken before the soak adds its own.
  const loadAverage = loadavg().map((value) => Math.round(value * 100) / 100);
  const fakes = await spawnNode('fake upstreams', {
    nodeOptions: ['--import', 'tsx/esm'],
    args: [
      'bench/soak/fake-upstreams.ts',
      `--failure-percent=${options.failurePercent}`,
      `--chunks=${options.chunks}`,
      `--chunk-interval-ms=${options.chunkIntervalMs}`,
      `--latency-ms=${options.latencyMs}`,
      `--seed=${options.seed}`,
    ],
    ready: /SOAK_FAKES_LISTENING (\d+)/,
    timeoutMs: 30_000,
  });
  const fakesOrigin = `http://127.0.0.1:${fakes.match[1]}`;
  const config = soakConfig(fakesOrigin, options.cooldowns);
  const gateway = await startSwitchboard({
    dir: join(dir, 'switchboard'),
    config,
    nodeOptions: ['--import', './bench/soak/loop-probe.mjs'],
    name: 'Switchboard (soak)',
  });
  const probe = gatewayProbe(gateway);
  await sleep(1000);
  const rssStart = memoryOf(gateway.pid)?.rssMb ?? null;
  // The first signal starts the loop-delay histograms: start-up is not part of the load.
  await probe();
  say(
    `Gateway up (pid ${gateway.pid}, RSS ${rssStart?.toFixed(1) ?? 'n/a'} MB); ${options.concurrency} streams for ${options.minutes} min…`,
  );

  const loadStart = performance.now();
  const until = loadStart + options.minutes * 60_000;
  const load = startLoad(
    {
      origin: gateway.origin,
      path: `/openai/${PRIMARY_ROUTE}/v1/chat/completions`,
      headers: { authorization: `Bearer ${SOAK_APP_KEY}` },
      body: SOAK_BODY,
    },
    options.concurrency,
    until,
    RAMP_MS,
  );
  const samples: Sample[] = [];
  const sample = async (snapshot: ProbeSnapshot) => {
    const entry: Sample = {
      atSeconds: Math.round((performance.now() - loadStart) / 100) / 10,
      requests: load.totals.requests,
      clientErrors: clientErrors(load.totals),
      rssMb: memoryOf(gateway.pid)?.rssMb ?? null,
      heapUsedMb: snapshot.heapUsedMb,
      loopP99Ms: snapshot.window.p99Ms,
      loopMaxMs: snapshot.window.maxMs,
      cooling: await coolingRoutes(gateway),
    };
    samples.push(entry);
    say(
      `  ${entry.atSeconds.toFixed(0).padStart(4)} s  requests ${entry.requests}, client errors ${entry.clientErrors}, RSS ${entry.rssMb?.toFixed(1) ?? 'n/a'} MB (heap ${entry.heapUsedMb.toFixed(1)} MB), loop p99 ${entry.loopP99Ms} ms (max ${entry.loopMaxMs})${entry.cooling.length ? `, cooling: ${entry.cooling.join(', ')}` : ''}`,
    );
  };
  const step = options.sampleSeconds * 1000;
  for (let next = loadStart + step; next < until; next += step) {
    await sleep(next - performance.now());
    await sample(await probe());
  }
  await load.finished;
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const last = await probe();
  await sample(last);
  const endMemory = memoryOf(gateway.pid);

  const upstreams = (await (await fetch(`${fakesOrigin}/_stats`)).json()) as Record<string, UpstreamCalls>;
  const rows = tallyRows(await allRows(gateway), PRIMARY_ROUTE);
  const healthyAfter = (await fetch(`${gateway.origin}/healthz`)).status === 200;
  const totals = load.totals;

  const routes = config['routes'] as { id: string; vendor: string }[];
  const app = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return {
    date: new Date().toISOString(),
    command: `npm run soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    durationSeconds: (performance.now() - began) / 1000,
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      ramGb: totalmem() / 1024 ** 3,
      os: `${osType()} ${release()} ${process.arch}`,
      node: process.version,
      loadAverage,
    },
    versions: { switchboard: app.version, commit: commit() },
    parameters: options,
    routes: routes.map(({ id, vendor }) => ({ id, vendor })),
    clients: {
      requests: totals.requests,
      requestsPerSecond: totals.requests / loadSeconds,
      errors: Object.fromEntries(totals.errors),
      errorCount: clientErrors(totals),
      errorExamples: Object.fromEntries(totals.examples),
      servedBy: Object.fromEntries(totals.servedBy),
      ttfbMs: summarize(totals.ttfbMs),
      totalMs: summarize(totals.totalMs),
    },
    upstreams,
    gateway: {
      rows,
      rss: { startMb: rssStart, endMb: endMemory?.rssMb ?? null, peakMb: endMemory?.hwmMb ?? null },
      loopDelay: last.run,
      worstWindowP99Ms: Math.max(...samples.map((entry) => entry.loopP99Ms)),
      coolingSamples: countOf(samples.flatMap((entry) => entry.cooling)),
      healthyAfter,
    },
    samples,
  };
}

let options: SoakOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'switchboard-soak-'));
let cleaned = false;
const cleanup = async () => {
  if (cleaned) return;
  cleaned = true;
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping the soak's servers and removing ${dir}.`);
    void cleanup().then(() => process.exit(130));
  });
}

try {
  const results = await run(options, dir);
  for (const [kind, example] of Object.entries(results.clients.errorExamples))
    say(`First "${kind}" a client saw: ${example.trim().replaceAll('\n', ' ⏎ ') || '(nothing)'}`);
  say(`\n${renderTable(results)}\n`);
  // Like the bench's partial runs: figures of a local run stay out of git.
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'soak.json'), `${JSON.stringify(results, null, 2)}\n`);
  say(`Wrote bench/results/soak.json (${Math.round(results.durationSeconds)} s).`);
} catch (error) {
  process.stderr.write(`The soak failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
