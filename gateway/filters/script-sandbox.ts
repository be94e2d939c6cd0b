import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export interface ScriptLimits {
  /** Wall time for one call. */
  timeoutMs: number;
  /** Heap for one call. */
  memoryBytes: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { timeoutMs: 100, memoryBytes: 16 * 1024 * 1024 };

export type ScriptOutcome = { ok: true; value: unknown } | { ok: false; reason: string };

/** Past the script's own deadline, how long the worker may take to answer before it is killed. */
const KILL_GRACE_MS = 50;
/** How long a call waits for a freshly started worker (after its predecessor was killed). */
const START_WAIT_MS = 2000;

interface Slot {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  ready: Promise<void>;
}

function spawn(): Slot {
  const { port1, port2 } = new MessageChannel();
  // [0]: the answer is ready; [1]: the worker is ready.
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL('./script-worker.mjs', import.meta.url), {
    workerData: { port: port2, signal },
    transferList: [port2],
    // The worker runs only the sandbox: no process-wide flags, no inherited loaders.
    execArgv: [],
    env: {},
  });
  // The sandbox never keeps the process alive: a gateway that closes lets it exit.
  worker.unref();
  port1.unref();
  const slot: Slot = { worker, port: port1, signal, ready: Promise.resolve() };
  slot.ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message) => {
      if (message === 'ready') resolve();
    });
  });
  // A failed start surfaces through `ready`; this keeps it from also being an unhandled rejection.
  slot.ready.catch(() => undefined);
  return slot;
}

/**
 * User-written filter functions `(request, context) => result` run in QuickJS compiled to
 * WebAssembly, in a worker thread: its own heap with a memory limit, an interrupt at the deadline,
 * no host functions at all (no network, file system, process, timers or Node globals), and a fresh
 * runtime per call, so nothing survives between requests. Calls are synchronous for the request
 * path; the main thread waits at most the script's deadline plus a short grace, then kills the
 * worker — which also stops what QuickJS's own interrupt cannot (a loop of slow built-ins, buffers
 * outside its heap accounting). A warm spare takes over at once, so the next request is served.
 */
export class ScriptSandbox {
  private current: Slot;
  private spare: Slot;

  private constructor() {
    this.current = spawn();
    this.spare = spawn();
  }

  static async start(): Promise<ScriptSandbox> {
    const sandbox = new ScriptSandbox();
    await Promise.all([sandbox.current.ready, sandbox.spare.ready]);
    return sandbox;
  }

  private replace(): void {
    void this.current.worker.terminate();
    this.current.port.close();
    this.current = this.spare;
    this.spare = spawn();
  }

  /** Never throws: a script that throws, loops or runs out of memory comes back as `{ ok: false, reason }`. */
  run(
    code: string,
    input: { request: unknown; context: unknown },
    limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS,
  ): ScriptOutcome {
    const slot = this.current;
    // Right after a replacement the new worker may still be loading QuickJS (tens of milliseconds).
    if (
      Atomics.load(slot.signal, 1) !== 1 &&
      Atomics.wait(slot.signal, 1, 0, START_WAIT_MS) === 'timed-out'
    ) {
      return { ok: false, reason: 'the script sandbox is starting' };
    }
    Atomics.store(slot.signal, 0, 0);
    slot.port.postMessage({ code, input, limits });
    const waited = Atomics.wait(slot.signal, 0, 0, limits.timeoutMs + KILL_GRACE_MS);
    const answer = receiveMessageOnPort(slot.port);
    if (waited === 'timed-out' || !answer) {
      this.replace();
      return { ok: false, reason: 'timed out' };
    }
    const { outcome, broken } = answer.message as { outcome: ScriptOutcome; broken: boolean };
    // QuickJS could not clean up after this script (a stack overflow, an exhausted heap): the
    // module may be unusable, so the spare takes over.
    if (broken) this.replace();
    return outcome;
  }

  async close(): Promise<void> {
    await Promise.all([this.current.worker.terminate(), this.spare.worker.terminate()]);
  }
}

let started: Promise<ScriptSandbox> | undefined;

/** Starts the sandbox (two worker threads) once per process. */
export function loadQuickJs(): Promise<ScriptSandbox> {
  started ??= ScriptSandbox.start();
  return started;
}

export function runScript(
  sandbox: ScriptSandbox,
  code: string,
  input: { request: unknown; context: unknown },
  limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS,
): ScriptOutcome {
  return sandbox.run(code, input, limits);
}
