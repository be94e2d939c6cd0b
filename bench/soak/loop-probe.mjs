// Preloaded into the gateway by the soak (`node --import ./bench/soak/loop-probe.mjs bin/switchboard.mjs
// serve …`), so that the event-loop delay measured is the gateway's own, not the load generator's.
// Plain JavaScript: a TypeScript loader would add its own memory to the RSS being measured.
//
// On each SIGUSR2 it prints one line, `SOAK_PROBE {…}`: RSS and heap now, and the event-loop delay
// since the previous signal (`window`) and since the first one (`run`); the first signal marks the
// start of the load, so both histograms restart there.
import { monitorEventLoopDelay } from 'node:perf_hooks';

// 10 ms is Node's default sampling resolution; finer would add timer work of its own to the loop.
const RESOLUTION_MS = 10;
const sinceLast = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
const run = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
sinceLast.enable();
run.enable();
let signals = 0;

// The histogram holds whole intervals between the sampling timer's runs; the delay is what exceeds
// the resolution (an idle loop's p50 is about 10 ms, its delay about 0).
const delayMs = (ns) => Math.max(0, Math.round(ns / 1e3 - RESOLUTION_MS * 1e3) / 1e3);
const summary = (histogram) => ({
  count: histogram.count,
  meanMs: delayMs(histogram.mean),
  p50Ms: delayMs(histogram.percentile(50)),
  p99Ms: delayMs(histogram.percentile(99)),
  maxMs: delayMs(histogram.max),
});

process.on('SIGUSR2', () => {
  const memory = process.memoryUsage();
  const snapshot = {
    signal: ++signals,
    rssMb: memory.rss / 1024 ** 2,
    heapUsedMb: memory.heapUsed / 1024 ** 2,
    window: summary(sinceLast),
    run: summary(run),
  };
  sinceLast.reset();
  if (signals === 1) run.reset();
  process.stdout.write(`SOAK_PROBE ${JSON.stringify(snapshot)}\n`);
});
