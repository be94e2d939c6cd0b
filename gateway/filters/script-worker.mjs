// The script sandbox's worker thread: QuickJS compiled to WebAssembly, one fresh runtime per call.
// Plain JavaScript, so that it loads the same way under tsx, vitest and the Electron bundle.
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, shouldInterruptAfterDeadline } from 'quickjs-emscripten-core';
import { parentPort, workerData } from 'node:worker_threads';

const { port, signal } = workerData;
const quickjs = await newQuickJSWASMModuleFromVariant(variant);

let broken = false;

function run({ code, input, limits }) {
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
        const error = vm.dump(result.error);
        result.error.dispose();
        const message =
          typeof error === 'string' ? error : `${error?.name ?? 'Error'}: ${error?.message ?? ''}`;
        return { ok: false, reason: /interrupted/i.test(message) ? 'timed out' : message };
      }
      const text = vm.getString(result.value);
      result.value.dispose();
      return { ok: true, value: JSON.parse(text) };
    } finally {
      vm.dispose();
    }
  } catch (error) {
    broken = true;
    return { ok: false, reason: /memory/i.test(String(error)) ? 'out of memory' : String(error) };
  } finally {
    try {
      runtime.dispose();
    } catch {
      // After a stack overflow or an exhausted heap, QuickJS may fail to dispose cleanly and leave
      // the module unusable: this worker is then replaced.
      broken = true;
    }
  }
}

port.on('message', (job) => {
  let outcome;
  try {
    outcome = run(job);
  } catch (error) {
    outcome = { ok: false, reason: String(error) };
    broken = true;
  }
  // Answered on the port the caller reads synchronously, with whether this worker must be replaced.
  port.postMessage({ outcome, broken });
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
// Readiness is also a flag the caller can wait on synchronously (slot 1), after a replacement.
Atomics.store(signal, 1, 1);
Atomics.notify(signal, 1);
parentPort.postMessage('ready');
