import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { warmUp, type BenchClient, type Target } from '../client.ts';
import { ROOT } from '../processes.ts';
import { startSwitchboard } from '../stack.ts';

export interface ProfileEntry {
  name: string;
  location: string;
  selfMs: number;
  /** Share of the busy (non-idle) time in the measured window. */
  percent: number;
}

export interface ProfileResult {
  requests: number;
  windowMs: number;
  busyMs: number;
  /** Busy CPU time per request, µs. */
  busyPerRequestUs: number;
  /** Whether samples could be cut to the measured window (else: the whole run, start-up included). */
  windowed: boolean;
  top: ProfileEntry[];
  byFile: { file: string; selfMs: number; percent: number }[];
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const rootUrl = pathToFileURL(ROOT).href;

function shortLocation(url: string): string {
  if (url === '') return '';
  let path = url.startsWith(rootUrl) ? url.slice(rootUrl.length) : url;
  path = path.replace(/^\/+/, '');
  const modules = path.lastIndexOf('node_modules/');
  return modules >= 0 ? path.slice(modules) : path;
}

/** A file, or a package for anything under node_modules. */
function fileOf(location: string): string {
  if (location === '') return '(native / V8)';
  const match = location.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return match ? match[1]! : location;
}

/** Self time per function, only for samples taken between `from` and `to` (µs, the monotonic clock). */
export function summarizeProfile(profile: CpuProfile, from: number, to: number, requests: number, top = 25) {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const windowed = from >= profile.startTime && to <= profile.endTime;
  const self = new Map<string, ProfileEntry>();
  const files = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  for (let index = 0; index < profile.samples.length; index++) {
    at += profile.timeDeltas[index] ?? 0;
    const spent = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    if (windowed && (at < from || at > to)) continue;
    const frame = frames.get(profile.samples[index]!)!;
    if (frame.functionName === '(idle)') continue;
    busy += spent;
    const location = shortLocation(frame.url);
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${location}:${frame.lineNumber}`;
    const entry = self.get(key) ?? {
      name,
      // tsx's output keeps no line structure: for TypeScript the file is all a profile can say.
      location:
        location === '' || location.endsWith('.ts') ? location : `${location}:${frame.lineNumber + 1}`,
      selfMs: 0,
      percent: 0,
    };
    entry.selfMs += spent;
    self.set(key, entry);
    const file = fileOf(location);
    files.set(file, (files.get(file) ?? 0) + spent);
  }
  const entries = [...self.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  for (const entry of entries) entry.percent = (entry.selfMs / busy) * 100;
  const byFile = [...files.entries()]
    .map(([file, selfMs]) => ({ file, selfMs, percent: (selfMs / busy) * 100 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, 15);
  const windowMs = windowed ? (to - from) / 1000 : (profile.endTime - profile.startTime) / 1000;
  return {
    windowMs,
    busyMs: busy,
    busyPerRequestUs: (busy * 1000) / requests,
    windowed,
    top: entries,
    byFile,
  };
}

const micros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * The gateway under `node --cpu-prof` (100 µs sampling) serving sequential non-streamed
 * requests; the profile is cut to the measured window (the CPU profile and process.hrtime share
 * the monotonic clock), so start-up and warm-up do not count.
 */
export async function profileGateway(
  client: BenchClient,
  dir: string,
  config: Record<string, unknown>,
  target: Omit<Target, 'origin'>,
  counts: { requests: number; warmup: number; warmupMs: number },
  top = 25,
): Promise<ProfileResult> {
  const profileDir = join(dir, 'cpuprofile');
  const server = await startSwitchboard({
    dir: join(dir, 'gateway'),
    config,
    name: 'Switchboard (profiled)',
    nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=100'],
  });
  let from: number;
  let to: number;
  try {
    const aimed: Target = { ...target, origin: server.origin };
    await warmUp([aimed], counts.warmup, counts.warmupMs, (target) => client.timed(target));
    from = micros();
    for (let index = 0; index < counts.requests; index++) await client.timed(aimed);
    to = micros();
  } finally {
    // The profile is written when the process exits (the CLI exits 0 on SIGINT).
    await server.stop(15_000);
  }
  // One profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile): the main thread is 0,
  // tsx's module loader runs in another.
  const file = readdirSync(profileDir).find((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  if (!file) throw new Error('the profiled gateway wrote no .cpuprofile');
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  return { requests: counts.requests, ...summarizeProfile(profile, from, to, counts.requests, top) };
}
