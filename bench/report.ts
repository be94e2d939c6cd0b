import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './processes.ts';
import type { BenchResults } from './results.ts';
import type { LatencyResult } from './sections/latency.ts';
import type { ProfileResult } from './sections/profile.ts';
import type { QueryTiming } from './sections/store.ts';
import type { StreamingResult } from './sections/streaming.ts';
import { mb, ms, percent, times } from './targets.ts';

const NAMES: Record<string, string> = {
  direct: 'direct (no proxy)',
  bare: 'bare undici proxy',
  switchboard: 'Switchboard',
  portkey: 'Portkey gateway',
  'switchboard+policy': 'Switchboard, policy on',
};
const label = (name: string) => NAMES[name] ?? name;
const count = (value: number) => value.toLocaleString('en-US');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const cpu = (us: number | null | undefined) => (us == null ? 'n/a' : `${us.toFixed(0)} µs`);

function latencyTable(result: LatencyResult): string {
  return table(
    ['path', 'p50 total', 'added p50', 'added p90', 'added p99', 'proxy CPU per request'],
    [
      [label('direct'), ms(result.direct.p50), '', '', '', ''],
      ...Object.entries(result.via).map(([name, path]) => [
        label(name),
        ms(path.total.p50),
        ms(path.added.p50),
        ms(path.added.p90),
        ms(path.added.p99),
        cpu(path.cpuPerRequestUs),
      ]),
    ],
  );
}

function streamingTable(result: StreamingResult): string {
  return table(
    [
      'path',
      'TTFB p50',
      'added TTFB p50',
      'added TTFB p99',
      'total p50',
      'added total p50',
      'added total p99',
    ],
    [
      [label('direct'), ms(result.direct.ttfb.p50), '', '', ms(result.direct.total.p50), '', ''],
      ...Object.entries(result.via).map(([name, path]) => [
        label(name),
        ms(path.ttfb.p50),
        ms(path.addedTtfb.p50),
        ms(path.addedTtfb.p99),
        ms(path.total.p50),
        ms(path.addedTotal.p50),
        ms(path.addedTotal.p99),
      ]),
    ],
  );
}

function queryTable(queries: readonly QueryTiming[], target: number): string {
  return table(
    ['query', 'rows out', 'first run', 'median', `≤ ${target} ms`, 'SQLite plan'],
    queries.map((query) => [
      query.label,
      count(query.rows),
      ms(query.firstMs),
      ms(query.medianMs),
      query.medianMs <= target ? 'pass' : '**miss**',
      `\`${query.plan}\``,
    ]),
  );
}

function profileSection(profile: ProfileResult | { error: string }, why: string): string[] {
  if ('error' in profile) return [`Failed: ${profile.error}`, ''];
  return [
    `${why} \`node --cpu-prof\` (100 µs sampling) on \`bin/switchboard.mjs serve\`, ${count(profile.requests)} sequential non-streamed requests after a warm-up${profile.windowed ? ', samples cut to the measured window' : ' (whole run, start-up included)'}: ${ms(profile.busyMs)} busy in ${ms(profile.windowMs)}, ${profile.busyPerRequestUs.toFixed(0)} µs per request.`,
    '',
    'Self time by function. `writev` is the kernel sending on loopback sockets (two per request: to the upstream and back to the client); sampled by wall clock, it also holds time the gateway spends descheduled in favour of the process it has just woken, so it is not all CPU (the CPU accounting in section 1 is). The other entries are the request path in JavaScript.',
    '',
    table(
      ['self time', 'share', 'function', 'where'],
      profile.top.map((entry) => [
        ms(entry.selfMs),
        `${entry.percent.toFixed(1)}%`,
        `\`${entry.name}\``,
        entry.location || '(native)',
      ]),
    ),
    '',
    'By file or package:',
    '',
    table(
      ['self time', 'share', 'file / package'],
      profile.byFile.map((file) => [ms(file.selfMs), `${file.percent.toFixed(1)}%`, file.file]),
    ),
    '',
  ];
}

export function renderMarkdown(results: BenchResults): string {
  const out: string[] = [];
  const add = (...lines: string[]) => out.push(...lines, '');
  const p = results.parameters as {
    sequential: { requests: number; warmup: number };
    throughput: { seconds: number; rounds: number };
    streaming: { requests: number };
    chunks: number;
    chunkIntervalMs: number;
    upstreamLatencyMs: number;
  };
  const v = results.versions;
  add(
    '# Benchmarks',
    '<!-- Written by `npm run bench` (bench/main.ts) at every full or quick run; edits here are overwritten. -->',
  );
  add(
    `Run on ${results.date.slice(0, 16).replace('T', ' ')} UTC, **${results.mode} mode** (\`${results.command}\`), ${Math.round(results.durationSeconds)} s.`,
    '',
    `- Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.ramGb.toFixed(1)} GB RAM, ${results.machine.os}, Node ${results.machine.node}; load average ${results.machine.loadAverage.join(' / ')} (1 / 5 / 15 min) when the run began.`,
    `- Versions: Switchboard ${v['switchboard']} (${v['commit']}), Portkey gateway ${v['portkey']} (@hono/node-server ${v['@hono/node-server']}), undici ${v['undici']}, autocannon ${v['autocannon']}, SQLite ${v['sqlite']}.`,
    `- Setup: everything on 127.0.0.1, each server in its own process: a fake OpenAI/Anthropic upstream (${p.upstreamLatencyMs} ms latency; streamed answers of ${p.chunks} chunks, ${p.chunkIntervalMs === 0 ? 'each on its own event-loop turn' : `${p.chunkIntervalMs} ms apart`}), the bare undici pass-through proxy (bench/servers/bare-proxy.ts, the floor for any Node proxy), Switchboard as \`node bin/switchboard.mjs serve\` with recording on, and Portkey's gateway (\`--headless\`). The load comes from the bench's own process.`,
    `- "Added" is a quantile of the path through a proxy minus the same quantile of the direct path, measured in the same run with the requests interleaved (round i sends one request each way, in rotating order), so noise on this shared machine falls on all paths alike. benchmarks.json also has the quantiles of the per-round differences.`,
  );

  add('## Targets (issue 4)');
  add(
    table(
      ['target', 'this run', ''],
      results.targets.map((target) => [
        target.target,
        target.figure + (target.note ? ` (${target.note})` : ''),
        target.pass === null
          ? target.value === null
            ? 'not measured'
            : 'n/a'
          : target.pass
            ? 'pass'
            : '**miss**',
      ]),
    ),
  );

  if (results.latency) {
    const r = results.latency;
    add(
      `## 1. Added latency, sequential`,
      `${count(r.requests)} non-streamed requests each way (after ${count(r.warmup)} warm-up rounds), one at a time.`,
    );
    add(latencyTable(r));
    const sb = r.via['switchboard'];
    const pk = r.via['portkey'];
    const bare = r.via['bare'];
    if (sb && pk && bare) {
      add(
        `Portkey adds ${times(pk.added.p50 / sb.added.p50)} what Switchboard adds at p50 (${times(pk.added.p99 / sb.added.p99)} at p99); Switchboard adds ${times(sb.added.p50 / bare.added.p50)} what the bare proxy adds at p50.`,
      );
    }
  }

  if (results.throughput) {
    const r = results.throughput;
    const levels = Object.keys(r.byConcurrency);
    const names = Object.keys(r.byConcurrency[levels[0]!] ?? {});
    add(
      '## 2. Throughput',
      `autocannon, non-streamed small bodies, ${r.seconds} s per run, ${r.rounds} round${r.rounds > 1 ? 's' : ''} (median)${r.warmupSeconds > 0 ? `, after a ${r.warmupSeconds} s warm-up run of each path` : ''}.`,
    );
    const top = levels.at(-1)!;
    add(
      table(
        ['path', ...levels.flatMap((level) => [`c=${level} req/s`, 'vs bare']), `CPU per request, c=${top}`],
        names.map((name) => {
          const runs = r.byConcurrency[top]![name]!.runs.map((run) => run.cpuPerRequestUs);
          const known = runs.filter((value): value is number => value !== null);
          return [
            label(name),
            ...levels.flatMap((level) => {
              const cell = r.byConcurrency[level]![name]!;
              const errors = cell.runs.reduce((sum, run) => sum + run.errors + run.non2xx, 0);
              return [
                count(Math.round(cell.requestsPerSecond)) + (errors ? ` (${count(errors)} errors)` : ''),
                cell.ratioToBare === null ? '' : percent(cell.ratioToBare),
              ];
            }),
            known.length ? cpu(known.reduce((sum, value) => sum + value, 0) / known.length) : '',
          ];
        }),
      ),
    );
  }

  if (results.streaming) {
    const r = results.streaming;
    add(
      '## 3. Streaming',
      `${count(r.requests)} sequential streamed requests each way, ${r.chunks}-chunk answers. TTFB is the time to the first body bytes (the first event), not to the headers.`,
    );
    add(streamingTable(r));
  }

  add('## 4. Translation: OpenAI in, Anthropic out');
  const translation = results.translation;
  if (!translation) add('Not run.');
  else if (translation.status === 'not yet') add(`Not yet (${translation.reason}).`);
  else if (translation.status === 'failed') add(`Failed: ${translation.error}`);
  else {
    add(
      `Direct = the native Messages call to the fake Anthropic; the bare proxy passes that call through; Switchboard (\`/openai/claude/v1/chat/completions\`) and Portkey (\`x-portkey-provider: anthropic\`) take an OpenAI request and translate both ways.`,
    );
    add(latencyTable(translation.sequential));
    add(streamingTable(translation.streaming));
  }

  add('## 5. Policy on (a budget and a redact filter)');
  const policy = results.policy;
  if (!policy) add('Not run.');
  else if (policy.status === 'not yet') add(`Not yet (${policy.reason}).`);
  else if (policy.status === 'failed') add(`Failed: ${policy.error}`);
  else {
    add(
      'App and route budgets far from their limits, a redact filter on the route; the body carries a string the filter redacts.',
    );
    add(latencyTable(policy.sequential));
  }

  add('## 6. Memory (RSS of each server process)');
  const load = results.throughput?.byConcurrency['64'];
  add(
    table(
      ['process', 'idle, 1 s after start', 'peak under c=64', 'lifetime peak (VmHWM)'],
      ['bare', 'switchboard', 'portkey'].map((name) => [
        label(name),
        mb(results.memory.idle[name]?.rssMb),
        mb(load?.[name]?.peakRssMb),
        mb(results.memory.end[name]?.hwmMb),
      ]),
    ),
  );
  const heapCap = results.memory.heapCap;
  if (heapCap) {
    add(
      `**Candidate, not what the gateway does today:** a capped V8 old generation. The c=${heapCap.connections} load, ${heapCap.seconds} s × ${heapCap.rounds}, alternating between the Switchboard above and a second one started with the flag:`,
    );
    add(
      table(
        ['Switchboard started', 'idle', 'peak under load', 'req/s (median)'],
        heapCap.runs.map((run) => [
          run.flags === '(as today)' ? 'as today' : `with \`${run.flags}\``,
          mb(run.idleRssMb ?? results.memory.idle['switchboard']?.rssMb),
          mb(run.peakRssMb),
          count(Math.round(run.requestsPerSecond)),
        ]),
      ),
    );
  }
  const idleOfVariants = results.startup?.variants.filter((variant) => variant.idleRssMb !== null) ?? [];
  if (idleOfVariants.length > 1) {
    add(
      `Switchboard idle RSS by how it is started (start-up section, data dir already created): ${idleOfVariants.map((variant) => `${variant.label}: ${mb(variant.idleRssMb)}`).join('; ')}.`,
    );
  }

  const dependencies = results.startup?.dependencyRss ?? [];
  if (dependencies.length) {
    add(
      `What each runtime dependency adds to an empty \`node\` process's RSS when imported alone (after a GC; they share some of it, so the sum overstates): ${dependencies
        .filter((dependency) => dependency.rssMb >= 1)
        .map((dependency) => `${dependency.name} ${mb(dependency.rssMb)}`)
        .join(', ')}.`,
    );
  }

  add('## 7. The store');
  const store = results.store;
  if (!store) add('Not run.');
  else {
    add(
      `${count(store.rows)} request rows over ${store.days} days in a fresh data dir opened with gateway/store (the real schema and indexes), inserted in ${store.insertSeconds.toFixed(1)} s (${count(Math.round(store.rowsPerSecond))} rows/s, 50,000 per transaction); database ${store.databaseMb.toFixed(0)} MB. Each query ran ${store.runs} times; "first run" is what a freshly opened dashboard waits for.`,
    );
    add(queryTable(store.queries, store.targetMs));
    const r = store.recorder;
    add(
      `What recording costs the event loop on this database: the recorder writes its queue every 20 ms in one transaction (about ${r.rowsPerBatch} rows at 2,000 requests/s). ${count(r.batches)} such batches: \`store.requests.insertMany\` ${r.insertMany.perRowUs.toFixed(1)} µs a row, a batch blocks the loop for ${ms(r.insertMany.batchP50Ms)} (p50), ${ms(r.insertMany.batchP99Ms)} (p99), ${ms(r.insertMany.batchMaxMs)} (max, when SQLite checkpoints the WAL and fsyncs); the same rows through a positional prepared statement (candidate): ${r.positional.perRowUs.toFixed(1)} µs a row, ${ms(r.positional.batchP50Ms)} / ${ms(r.positional.batchP99Ms)} / ${ms(r.positional.batchMaxMs)}.`,
    );
    for (const candidate of store.candidates) {
      add(
        `**Candidate, created only in the bench's copy (not in the store):** ${candidate.change}; built in ${candidate.buildSeconds.toFixed(1)} s.`,
      );
      add(queryTable(candidate.queries, store.targetMs));
    }
  }

  add('## 8. Start-up');
  const startup = results.startup;
  if (!startup) add('Not run.');
  else {
    add(
      `Launch to the line \`Switchboard listening on …\`, ${startup.variants[0]?.runsMs.length ?? 0} runs each (the first creates the data dir); \`node -e ""\` alone takes ${ms(startup.nodeBaselineMs)} here.`,
    );
    add(
      table(
        ['how', 'median', 'runs', `≤ ${startup.targetMs} ms`],
        startup.variants.map((variant) => [
          variant.label,
          ms(variant.medianMs),
          variant.runsMs.map((run) => run.toFixed(0)).join(', '),
          variant.medianMs <= startup.targetMs ? 'pass' : '**miss**',
        ]),
      ),
    );
    if (startup.error) add(`Precompiled variants failed: ${startup.error}`);
  }

  if (results.profile) {
    add('## Profile of the gateway under sequential load');
    add(...profileSection(results.profile, `Why: ${results.profileReason}.`));
  }
  if (results.profilePolicy) {
    add('## Profile with policy on (budget + redact filter)');
    add(...profileSection(results.profilePolicy, 'The policy gateway of section 5, profiled the same way.'));
  }
  return out.join('\n');
}

interface Prettier {
  format(source: string, options: Record<string, unknown>): Promise<string>;
  resolveConfig(file: string): Promise<Record<string, unknown> | null>;
}

/** Formats with the repository's prettier (a devDependency) so that `prettier --check` passes. */
async function prettify(markdown: string, file: string): Promise<string> {
  let prettier: Prettier;
  try {
    const require = createRequire(join(ROOT, 'package.json'));
    const loaded = (await import(pathToFileURL(require.resolve('prettier')).href)) as Prettier & {
      default?: Prettier;
    };
    prettier = loaded.default ?? loaded;
  } catch {
    return markdown; // An install without devDependencies: the table is right, only not aligned.
  }
  return prettier.format(markdown, { ...(await prettier.resolveConfig(file)), filepath: file });
}

export async function writeReports(
  results: BenchResults,
  folder: string,
): Promise<{ markdown: string; json: string }> {
  mkdirSync(folder, { recursive: true });
  const markdown = join(folder, 'benchmarks.md');
  const json = join(folder, 'benchmarks.json');
  writeFileSync(markdown, await prettify(renderMarkdown(results), markdown));
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  return { markdown, json };
}
