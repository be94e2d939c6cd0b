import variant from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  shouldInterruptAfterDeadline,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';

export interface ScriptLimits {
  /** Wall time for one call. */
  timeoutMs: number;
  /** Heap for one call. */
  memoryBytes: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { timeoutMs: 100, memoryBytes: 16 * 1024 * 1024 };

export type ScriptOutcome = { ok: true; value: unknown } | { ok: false; reason: string };

let modulePromise: Promise<QuickJSWASMModule> | undefined;

/** Loads QuickJS (WebAssembly) once per process. */
export function loadQuickJs(): Promise<QuickJSWASMModule> {
  modulePromise ??= newQuickJSWASMModuleFromVariant(variant);
  return modulePromise;
}

/**
 * Runs a user-written function `(request, context) => result` in QuickJS compiled to WebAssembly:
 * its own heap with a memory limit, an interrupt at the deadline, and no host functions at all —
 * no network, file system, process, timers or Node globals. Every call gets a fresh runtime, so
 * nothing survives between requests. It never throws: a script that throws, loops or runs out
 * of memory comes back as `{ ok: false, reason }`.
 */
export function runScript(
  quickjs: QuickJSWASMModule,
  code: string,
  input: { request: unknown; context: unknown },
  limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS,
): ScriptOutcome {
  const runtime = quickjs.newRuntime();
  try {
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(512 * 1024);
    runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + limits.timeoutMs));
    const vm = runtime.newContext();
    try {
      const source = `JSON.stringify((${code})(${JSON.stringify(input.request)}, ${JSON.stringify(input.context)}) ?? null)`;
      const result = vm.evalCode(source, 'filter.js');
      if (result.error) {
        const error = vm.dump(result.error) as { name?: string; message?: string } | string;
        result.error.dispose();
        const message =
          typeof error === 'string' ? error : `${error?.name ?? 'Error'}: ${error?.message ?? ''}`;
        return { ok: false, reason: /interrupted/i.test(message) ? 'timed out' : message };
      }
      const text = vm.getString(result.value);
      result.value.dispose();
      return { ok: true, value: JSON.parse(text) as unknown };
    } finally {
      vm.dispose();
    }
  } catch (error) {
    // QuickJS aborts the whole runtime when the heap limit is hit.
    return { ok: false, reason: /memory/i.test(String(error)) ? 'out of memory' : String(error) };
  } finally {
    try {
      runtime.dispose();
    } catch {
      // A runtime that ran out of memory may refuse a clean disposal; it is dropped either way.
    }
  }
}
