import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root: children run from here so that `--import tsx/esm` and node_modules resolve. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every child the bench started, so that one place can stop them all, whatever happens. */
const running = new Set<ChildProcess>();

process.on('exit', () => {
  // Last resort if the bench dies without its cleanup: no child outlives it.
  for (const child of running) child.kill('SIGKILL');
});

export interface Started {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The first match of the ready pattern on stdout. */
  match: RegExpMatchArray;
  /** From spawn() to the ready line, in ms. */
  readyMs: number;
  /** The last lines the child wrote (stdout and stderr), for error messages. */
  output: () => string;
  /** SIGINT, then SIGKILL after `graceMs`; resolves with the exit code (null if killed). */
  stop: (graceMs?: number) => Promise<number | null>;
}

export interface SpawnOptions {
  args: readonly string[];
  ready: RegExp;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  nodeOptions?: readonly string[];
}

const TAIL_CHARS = 4000;

/** Starts `node [nodeOptions] args…` and resolves once a stdout line matches `ready`. */
export function spawnNode(name: string, options: SpawnOptions): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), ...options.args], {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let tail = '';
  let stdoutBuffer = '';
  const remember = (text: string) => {
    tail = (tail + text).slice(-TAIL_CHARS);
  };
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  const stop = async (graceMs = 5000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  child.stderr!.setEncoding('utf8').on('data', remember);

  return new Promise<Started>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(1000).then(() =>
        reject(new Error(`${name}: ${reason}\n--- its last output ---\n${tail.trim() || '(none)'}`)),
      );
    };
    const timer = setTimeout(() => fail(`no ready line within ${options.timeoutMs} ms`), options.timeoutMs);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      remember(text);
      if (settled) return;
      stdoutBuffer += text;
      const match = stdoutBuffer.match(options.ready);
      if (!match) {
        stdoutBuffer = stdoutBuffer.slice(-TAIL_CHARS);
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve({
        name,
        child,
        pid: child.pid!,
        match,
        readyMs: performance.now() - started,
        output: () => tail,
        stop,
      });
    });
  });
}

/** Stops every child still running (the bench's cleanup). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGINT');
        }),
    ),
  );
}

export interface Memory {
  /** Resident set size now, MB. */
  rssMb: number;
  /** The peak resident set size since the process started (Linux only), MB. */
  hwmMb: number | null;
}

/** A process's memory from /proc (Linux), else from `ps` (macOS); null if it is gone. */
export function memoryOf(pid: number): Memory | null {
  const status = `/proc/${pid}/status`;
  if (existsSync('/proc/self/status')) {
    let text: string;
    try {
      text = readFileSync(status, 'utf8');
    } catch {
      return null;
    }
    const field = (name: string) => {
      const match = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
      return match ? Number(match[1]) / 1024 : null;
    };
    const rss = field('VmRSS');
    return rss === null ? null : { rssMb: rss, hwmMb: field('VmHWM') };
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 });
  const kb = Number(ps.stdout.trim());
  return ps.status === 0 && kb > 0 ? { rssMb: kb / 1024, hwmMb: null } : null;
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the highest sample. */
export function sampleRss(pid: number, intervalMs = 50): { stop: () => number } {
  let peak = memoryOf(pid)?.rssMb ?? 0;
  // Without /proc each sample is a `ps` process: sample less often.
  const every = existsSync('/proc/self/status') ? intervalMs : Math.max(intervalMs, 250);
  const timer = setInterval(() => {
    const memory = memoryOf(pid);
    if (memory && memory.rssMb > peak) peak = memory.rssMb;
  }, every);
  return {
    stop: () => {
      clearInterval(timer);
      const memory = memoryOf(pid);
      if (memory && memory.rssMb > peak) peak = memory.rssMb;
      return peak;
    },
  };
}

/**
 * CPU time a process has used so far, all threads, µs: the sum of /proc/<pid>/task/<tid>/schedstat
 * (Linux, nanosecond resolution); null elsewhere or if it is gone.
 */
export function cpuMicrosOf(pid: number): number | null {
  try {
    let total = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const fields = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ');
      total += Number(fields[0]) / 1000;
    }
    return total;
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
