/**
 * `npm run bench`: what Switchboard adds to a request, side by side with a bare undici proxy (the
 * floor) and Portkey's gateway (a peer), all on loopback in one run; then its memory, its store
 * with 90 days of rows under the dashboard's questions, and its start-up. Writes docs/benchmarks.md
 * and docs/benchmarks.json. See `npm run bench -- --help`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BenchClient } from './client.ts';
import { loadAutocannon, versionOf } from './deps.ts';
import { parseOptions, runs, type BenchOptions } from './options.ts';
import { memoryOf, ROOT, sleep, stopAll } from './processes.ts';
import { writeReports } from './report.ts';
import type { BenchResults } from './results.ts';
import { measureSequential } from './sections/latency.ts';
import { measureHeapCap } from './sections/memory.ts';
import { measurePolicy, policyConfig, policyTarget } from './sections/policy.ts';
import { profileGateway } from './sections/profile.ts';
import { measureStartup } from './sections/startup.ts';
import { measureStore } from './sections/store.ts';
import { measureStreams, openAiStreamComplete } from './sections/streaming.ts';
import { measureThroughput } from './sections/throughput.ts';
import { anthropicAvailability, measureTranslation } from './sections/translation.ts';
import { CHAT_STREAM_BODY } from './shared.ts';
import { benchConfig, startStack, type Stack } from './stack.ts';
import { checkTargets, HOT_PATH_TARGETS, mb, ms, percent, times } from './targets.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const cpu = (us: number | null) => (us === null ? 'n/a' : `${us.toFixed(0)} µs`);
const PROXIES = ['bare', 'switchboard', 'portkey'] as const;

function gitDescription(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}, with uncommitted changes` : commit;
  } catch {
    return 'not a git checkout';
  }
}

function versions(): Record<string, string> {
  const app = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS version').get() as { version: string }).version;
  db.close();
  return {
    switchboard: app.version,
    commit: gitDescription(),
    portkey: versionOf('@portkey-ai/gateway', 'bench'),
    '@hono/node-server': versionOf('@hono/node-server', 'bench'),
    undici: versionOf('undici', 'root'),
    autocannon: versionOf('autocannon', 'bench'),
    'better-sqlite3': versionOf('better-sqlite3', 'root'),
    sqlite,
    tsx: versionOf('tsx', 'root'),
  };
}

function parameters(options: BenchOptions): Record<string, unknown> {
  const { only: _only, forceProfile: _force, ...rest } = options;
  return rest;
}

async function run(options: BenchOptions, dir: string): Promise<BenchResults> {
  const began = performance.now();
  const client = new BenchClient();
  const partial: Omit<BenchResults, 'targets'> = {
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    durationSeconds: 0,
    sectionSeconds: {},
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      ramGb: totalmem() / 1024 ** 3,
      os: `${osType()} ${release()} ${process.arch}`,
      node: process.version,
      loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    },
    versions: versions(),
    parameters: parameters(options),
    memory: { idle: {}, end: {} },
  };
  /** Runs one section, timing it. */
  const section = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      partial.sectionSeconds[name] = (performance.now() - start) / 1000;
    }
  };
  const anthropic = await anthropicAvailability();
  say(
    `Switchboard bench, ${partial.mode} mode. Anthropic vendor: ${anthropic.available ? 'present' : anthropic.reason}.`,
  );
  const network = (['latency', 'throughput', 'streaming', 'translation', 'policy', 'profile'] as const).some(
    (name) => runs(options, name),
  );
  let stack: Stack | undefined;
  try {
    if (network) {
      const started = await section('start', async () => {
        const servers = await startStack(options, dir, anthropic.available);
        await sleep(1000);
        return servers;
      });
      stack = started;
      for (const name of PROXIES) partial.memory.idle[name] = memoryOf(started[name].pid);
      say(
        `Started: fake upstream, bare proxy, Switchboard (ready in ${ms(started.switchboard.readyMs)}), Portkey. Idle RSS: ${PROXIES.map((name) => `${name} ${mb(partial.memory.idle[name]?.rssMb)}`).join(', ')}.`,
      );
      const { direct, bare, switchboard, portkey } = started.targets;
      const pids = new Map(PROXIES.map((name) => [name, started[name].pid]));
      const warmupMs = options.warmupMs;

      if (runs(options, 'latency')) {
        say(`1. Added latency: ${options.sequential.requests} sequential requests each way…`);
        partial.latency = await section('latency', () =>
          measureSequential(
            client,
            direct,
            [bare, switchboard, portkey],
            { ...options.sequential, warmupMs },
            options.loopDeadlineMs,
            pids,
          ),
        );
        for (const [name, path] of Object.entries(partial.latency.via))
          say(
            `   ${name.padEnd(12)} adds p50 ${ms(path.added.p50)}, p90 ${ms(path.added.p90)}, p99 ${ms(path.added.p99)}; CPU ${cpu(path.cpuPerRequestUs)} per request`,
          );
      }

      if (runs(options, 'streaming')) {
        say(`3. Streaming: ${options.streaming.requests} streams of ${options.chunks} chunks each way…`);
        const stream = (target: typeof direct) => ({ ...target, body: CHAT_STREAM_BODY });
        partial.streaming = await section('streaming', () =>
          measureStreams(
            client,
            { ...stream(direct), complete: openAiStreamComplete },
            [stream(bare), stream(switchboard), stream(portkey)],
            { ...options.streaming, warmupMs },
            options.chunks,
            options.loopDeadlineMs,
          ),
        );
        for (const [name, path] of Object.entries(partial.streaming.via))
          say(
            `   ${name.padEnd(12)} TTFB adds p50 ${ms(path.addedTtfb.p50)} p99 ${ms(path.addedTtfb.p99)}; total adds p50 ${ms(path.addedTotal.p50)} p99 ${ms(path.addedTotal.p99)}`,
          );
      }

      if (runs(options, 'translation')) {
        if (!anthropic.available) {
          partial.translation = { status: 'not yet', reason: anthropic.reason };
          say(`4. Translation: not yet (${anthropic.reason}).`);
        } else {
          say('4. Translation: OpenAI in, Anthropic out…');
          const t = await section('translation', () =>
            measureTranslation(
              client,
              started,
              { ...options.translation, warmupMs },
              options.chunks,
              options.loopDeadlineMs,
            ),
          );
          partial.translation = t;
          if (t.status === 'measured') {
            for (const [name, path] of Object.entries(t.sequential.via))
              say(`   ${name.padEnd(12)} adds p50 ${ms(path.added.p50)}, p99 ${ms(path.added.p99)}`);
          } else say(`   ${t.status}: ${t.status === 'failed' ? t.error : t.reason}`);
        }
      }

      if (runs(options, 'policy')) {
        say('5. Policy on…');
        const p = await section('policy', () =>
          measurePolicy(
            client,
            started,
            switchboard,
            dir,
            { ...options.policy, warmupMs },
            options.loopDeadlineMs,
          ),
        );
        partial.policy = p;
        if (p.status === 'measured') {
          for (const [name, path] of Object.entries(p.sequential.via))
            say(`   ${name.padEnd(18)} adds p50 ${ms(path.added.p50)}, p99 ${ms(path.added.p99)}`);
        } else say(`   ${p.status}: ${p.status === 'failed' ? p.error : p.reason}`);
      }

      if (runs(options, 'throughput')) {
        const t = options.throughput;
        say(
          `2. Throughput: autocannon at c=${t.concurrency.join(', ')}, ${t.seconds} s × ${t.rounds} per path…`,
        );
        const autocannon = await loadAutocannon();
        partial.throughput = await section('throughput', () =>
          measureThroughput(autocannon, [direct, bare, switchboard, portkey], pids, t),
        );
        for (const [level, cells] of Object.entries(partial.throughput.byConcurrency)) {
          say(
            `   c=${level.padEnd(3)} ${Object.entries(cells)
              .map(
                ([name, cell]) =>
                  `${name} ${Math.round(cell.requestsPerSecond)}/s${cell.ratioToBare === null ? '' : ` (${percent(cell.ratioToBare)})`}`,
              )
              .join(', ')}`,
          );
        }
      }
      if (runs(options, 'throughput') && !options.quick) {
        say('6. Memory: the c=64 load against Switchboard as today and with its old generation capped…');
        const autocannon = await loadAutocannon();
        try {
          partial.memory.heapCap = await section('heap-cap', () =>
            measureHeapCap(
              autocannon,
              started.switchboard,
              switchboard,
              dir,
              benchConfig(started.fake.origin, anthropic.available),
              { seconds: options.throughput.seconds, rounds: 2 },
            ),
          );
        } catch (error) {
          say(`   failed: ${(error as Error).message}`);
        }
        for (const run of partial.memory.heapCap?.runs ?? [])
          say(`   ${run.flags}: peak ${mb(run.peakRssMb)}, ${Math.round(run.requestsPerSecond)} req/s`);
      }
      for (const name of PROXIES) partial.memory.end[name] = memoryOf(started[name].pid);
      // Only the fake upstream stays up, for the profile.
      await Promise.all(PROXIES.map((name) => started[name].stop()));
    }

    if (runs(options, 'store')) {
      say(`7. Store: ${options.store.rows.toLocaleString('en-US')} rows…`);
      const store = await section('store', () => measureStore(dir, options.store.rows, options.store.runs));
      partial.store = store;
      say(
        `   inserted in ${store.insertSeconds.toFixed(1)} s; ${store.queries.map((query) => `${query.label}: ${ms(query.medianMs)}`).join('; ')}`,
      );
    }

    if (runs(options, 'startup')) {
      say('8. Start-up…');
      const startup = await section('startup', () =>
        measureStartup(join(dir, 'startup'), stack?.fake.origin ?? 'http://127.0.0.1:9', options.startup),
      );
      partial.startup = startup;
      for (const variant of startup.variants)
        say(`   ${variant.label}: median ${ms(variant.medianMs)}, idle RSS ${mb(variant.idleRssMb)}`);
      if (startup.error) say(`   precompiled variants failed: ${startup.error}`);
      if (startup.dependencyRss.length)
        say(
          `   RSS by dependency: ${startup.dependencyRss
            .slice(0, 6)
            .map((dependency) => `${dependency.name} ${mb(dependency.rssMb)}`)
            .join(', ')}`,
        );
    }

    const missed = checkTargets(partial).filter(
      (target) => HOT_PATH_TARGETS.has(target.id) && target.pass === false,
    );
    if (stack && runs(options, 'profile') && (options.forceProfile || missed.length > 0)) {
      const upstream = stack.fake.origin;
      partial.profileReason = missed.length
        ? `missed ${missed.map((target) => `"${target.target}"`).join(', ')}`
        : 'asked for with --profile';
      say(
        `Profile: ${partial.profileReason}; ${options.profile.requests} sequential requests under --cpu-prof…`,
      );
      partial.profile = await section('profile', async () => {
        try {
          return await profileGateway(
            client,
            join(dir, 'profile-plain'),
            benchConfig(upstream, false),
            { ...stack!.targets.switchboard, name: 'switchboard (profiled)' },
            { ...options.profile, warmupMs: options.warmupMs },
          );
        } catch (error) {
          return { error: (error as Error).message };
        }
      });
      if (!('error' in partial.profile)) {
        for (const entry of partial.profile.top.slice(0, 10))
          say(`   ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}  ${entry.location}`);
      } else say(`   failed: ${partial.profile.error}`);
      if (partial.policy?.status === 'measured' && (!options.quick || options.forceProfile)) {
        say('Profile with policy on (budget + redact filter)…');
        partial.profilePolicy = await section('profile-policy', async () => {
          try {
            return await profileGateway(
              client,
              join(dir, 'profile-policy'),
              policyConfig(upstream),
              policyTarget(''),
              { ...options.profile, warmupMs: options.warmupMs },
              15,
            );
          } catch (error) {
            return { error: (error as Error).message };
          }
        });
        if (!('error' in partial.profilePolicy)) {
          for (const entry of partial.profilePolicy.top.slice(0, 10))
            say(`   ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}  ${entry.location}`);
        } else say(`   failed: ${partial.profilePolicy.error}`);
      }
    }
  } finally {
    await client.close();
    await stopAll();
  }
  partial.durationSeconds = (performance.now() - began) / 1000;
  return { ...partial, targets: checkTargets(partial) };
}

const options = parseOptions(process.argv.slice(2));
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
let cleaned = false;
const cleanup = async () => {
  if (cleaned) return;
  cleaned = true;
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping the bench's servers and removing ${dir}.`);
    void cleanup().then(() => process.exit(130));
  });
}

try {
  const results = await run(options, dir);
  say('');
  for (const target of results.targets)
    say(
      `${target.pass === null ? ' n/a' : target.pass ? 'pass' : 'MISS'}  ${target.target}: ${target.figure}`,
    );
  if (results.latency?.via['portkey'] && results.latency.via['switchboard'])
    say(
      `(Portkey adds ${times(results.latency.via['portkey'].added.p50 / results.latency.via['switchboard'].added.p50)} Switchboard's added p50.)`,
    );
  if (options.only === null) {
    const written = await writeReports(results, join(ROOT, 'docs'));
    say(`\nWrote ${written.markdown} and ${written.json} (${Math.round(results.durationSeconds)} s).`);
  } else {
    // A partial run leaves docs/ alone; its figures go to bench/results/ (git-ignored).
    const written = await writeReports(results, join(ROOT, 'bench', 'results'));
    say(`\n--only: docs/ left alone; wrote ${written.markdown} and ${written.json}.`);
  }
} catch (error) {
  process.stderr.write(`The bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
