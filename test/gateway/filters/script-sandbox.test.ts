import fc from 'fast-check';
import type { ScriptSandbox } from '../../../gateway/filters/script-sandbox.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCRIPT_LIMITS, loadQuickJs, runScript } from '../../../gateway/filters/script-sandbox.ts';
import type { ScriptLimits, ScriptOutcome } from '../../../gateway/filters/script-sandbox.ts';

/** For scripts that must fail: a short deadline. */
const LIMITS: ScriptLimits = { timeoutMs: 50, memoryBytes: 16 * 1024 * 1024 };
/** For scripts that must succeed: a deadline no busy test machine can miss. */
const RELAXED: ScriptLimits = { timeoutMs: 2000, memoryBytes: 16 * 1024 * 1024 };
/** Far above the limit, far below anything that would mean the limit did not work. */
const MARGIN_MS = 1000;

const INPUT = {
  request: { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hello' }], stream: false },
  context: { app: 'agent', route: 'oa', vendor: 'openai', model: 'gpt-4.1-nano' },
};
const NORMAL =
  '(request, context) => ({ model: request.model + "@" + context.app, n: request.messages.length })';

let quickjs: ScriptSandbox;
const secrets = globalThis as unknown as Record<string, unknown>;

beforeAll(async () => {
  quickjs = await loadQuickJs();
  secrets['switchboardTestSecret'] = 'hunter2-in-node';
});
afterAll(() => {
  delete secrets['switchboardTestSecret'];
});

function timed(code: string, limits: ScriptLimits = LIMITS): { outcome: ScriptOutcome; ms: number } {
  const started = performance.now();
  const outcome = runScript(quickjs, code, INPUT, limits);
  return { outcome, ms: performance.now() - started };
}

/** The next call after a bad one is served normally, with the right value. */
function expectNextCallWorks(): void {
  expect(runScript(quickjs, NORMAL, INPUT, RELAXED)).toEqual({
    ok: true,
    value: { model: 'gpt-4.1-nano@agent', n: 1 },
  });
}

describe('loadQuickJs', () => {
  it('loads the WebAssembly module once per process', async () => {
    expect(await loadQuickJs()).toBe(quickjs);
  });
});

describe('runScript', () => {
  it('calls the function with the request and the context and returns its result', () => {
    expect(runScript(quickjs, NORMAL, INPUT, RELAXED)).toEqual({
      ok: true,
      value: { model: 'gpt-4.1-nano@agent', n: 1 },
    });
    expect(
      runScript(
        quickjs,
        'function (request) { return request.messages[0].content.toUpperCase() }',
        INPUT,
        RELAXED,
      ),
    ).toEqual({ ok: true, value: 'HELLO' });
  });

  it('gives null for a function that returns nothing', () => {
    expect(runScript(quickjs, '() => undefined', INPUT, RELAXED)).toEqual({ ok: true, value: null });
    expect(runScript(quickjs, '() => {}', INPUT, RELAXED)).toEqual({ ok: true, value: null });
  });

  it('has default limits that stop a script in well under a second and a few MB of heap', () => {
    expect(DEFAULT_SCRIPT_LIMITS.timeoutMs).toBeGreaterThan(0);
    expect(DEFAULT_SCRIPT_LIMITS.timeoutMs).toBeLessThanOrEqual(1000);
    expect(DEFAULT_SCRIPT_LIMITS.memoryBytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(DEFAULT_SCRIPT_LIMITS.memoryBytes).toBeLessThanOrEqual(256 * 1024 * 1024);
  });

  it('property: any strings in the request reach the script intact and come back intact', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ maxLength: 20 }),
        (content, app) => {
          const outcome = runScript(
            quickjs,
            '(request, context) => [request.messages[0].content, context.app]',
            { request: { messages: [{ role: 'user', content }] }, context: { app } },
            RELAXED,
          );
          expect(outcome).toEqual({ ok: true, value: [content, app] });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('fails, and does not run anything else, when the code is not a function expression', () => {
    for (const code of ['() => {', '() => 1)(0); (() => 2', 'not javascript at all']) {
      const { outcome } = timed(code);
      expect(outcome.ok).toBe(false);
    }
    expectNextCallWorks();
  });

  it('fails with the message of a script that throws, and the next call works', () => {
    expect(timed("() => { throw new Error('nope') }").outcome).toEqual({ ok: false, reason: 'Error: nope' });
    expectNextCallWorks();
    expect(timed("() => { throw new TypeError('bad type') }").outcome).toEqual({
      ok: false,
      reason: 'TypeError: bad type',
    });
    expect(timed("() => { throw 'a plain string' }").outcome).toEqual({
      ok: false,
      reason: 'a plain string',
    });
    expect(timed('() => null.property').outcome.ok).toBe(false);
    expectNextCallWorks();
  });

  it('fails for results that are not JSON (a function, a BigInt, a cycle), and the next call works', () => {
    for (const code of ['() => () => 1', '() => 1n', '() => { const a = {}; a.self = a; return a }']) {
      expect(timed(code).outcome.ok).toBe(false);
      expectNextCallWorks();
    }
  });

  describe('time limit', () => {
    it.each([
      ['an endless loop', '() => { while (true) {} }'],
      ['an endless for loop with work in it', '() => { let x = 0; for (;;) { x = (x * 31 + 7) % 1000003 } }'],
      ['endless recursion through a trampoline', '() => { const f = () => 1; for (;;) f() }'],
      ['a catastrophic regular expression', "() => /(a+)+$/.test('a'.repeat(40) + 'b')"],
    ])('stops %s within the limit, and the next call works', (_name, code) => {
      const { outcome, ms } = timed(code);
      expect(outcome).toEqual({ ok: false, reason: 'timed out' });
      expect(ms).toBeGreaterThanOrEqual(LIMITS.timeoutMs - 5);
      expect(ms).toBeLessThan(LIMITS.timeoutMs + MARGIN_MS);
      expectNextCallWorks();
    });

    it('honours a longer limit', () => {
      const { outcome, ms } = timed('() => { while (true) {} }', { ...LIMITS, timeoutMs: 200 });
      expect(outcome).toEqual({ ok: false, reason: 'timed out' });
      expect(ms).toBeGreaterThanOrEqual(195);
      expect(ms).toBeLessThan(200 + MARGIN_MS);
    });

    // Not asserted (reported): each stack overflow makes disposing the runtime abort inside the
    // WebAssembly module (`Aborted(Assertion failed: list_empty(&rt->gc_obj_list)…)`, printed on
    // stderr below); runScript swallows it, but after about ten such calls the shared module is
    // broken for good and every script, however simple, returns { ok: false, reason: '' }.
    it('stops unbounded recursion (stack overflow), and the next call works', () => {
      const { outcome, ms } = timed('function f() { return f() + 1 }');
      expect(outcome.ok).toBe(false);
      expect(ms).toBeLessThan(LIMITS.timeoutMs + MARGIN_MS);
      expectNextCallWorks();
    });

    // Not asserted (reported): the deadline is only checked every ~10 000 calls or loop turns, so a
    // loop whose turns call slow builtins runs far past it, blocking the event loop:
    // `() => { const s = 'a'.repeat(4000000); for (let i = 0; i < 2000; i++) s.lastIndexOf('b'); return 1 }`
    // runs about 18 s with timeoutMs 50 and returns { ok: true }.
  });

  describe('memory limit', () => {
    it.each([
      ['a 1 GB ArrayBuffer', '() => new ArrayBuffer(1024 * 1024 * 1024).byteLength'],
      ['a 1 GB typed array', '() => new Uint8Array(1024 ** 3).length'],
      ['a 1 GB string', "() => 'x'.repeat(1024 * 1024 * 1024).length"],
      ['a string doubled without end', "() => { let s = 'x'; for (;;) s += s }"],
      ['an array of 2^27 numbers', '() => new Array(2 ** 27).fill(0).length'],
      ['a huge JSON text', "() => JSON.stringify(new Array(2 ** 25).fill('x')).length"],
    ])('fails %s without harming the process, and the next call works', (_name, code) => {
      const { outcome, ms } = timed(code);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.reason).toMatch(/memory|range|length|too long/i);
      expect(ms).toBeLessThan(LIMITS.timeoutMs + MARGIN_MS);
      expectNextCallWorks();
    });

    it('fails a script that keeps growing an object graph, by memory or by time', () => {
      const { outcome, ms } = timed(
        '() => { const all = []; for (;;) all.push({ n: all.length, s: "x" + all.length }) }',
      );
      expect(outcome.ok).toBe(false);
      expect(ms).toBeLessThan(LIMITS.timeoutMs + MARGIN_MS);
      expectNextCallWorks();
    });

    // Not asserted (reported): typed-array and ArrayBuffer storage is not held to the limit when
    // allocated in pieces: `() => { const c = []; for (let i = 0; i < 1024; i++) c.push(new
    // ArrayBuffer(1024 * 1024)); return c.length }` returns { ok: true, value: 1024 } under a 16 MB
    // limit, and the process keeps the ~1 GB of WebAssembly memory afterwards.
  });

  describe('isolation', () => {
    it('sees none of Node: no process, require, fetch, timers, module loaders or the host globals', () => {
      const outcome = runScript(
        quickjs,
        `() => ({
          process: typeof process, require: typeof require, fetch: typeof fetch, module: typeof module,
          Buffer: typeof Buffer, setTimeout: typeof setTimeout, setInterval: typeof setInterval,
          queueMicrotask: typeof queueMicrotask, XMLHttpRequest: typeof XMLHttpRequest,
          WebAssembly: typeof WebAssembly, std: typeof std, os: typeof os, Deno: typeof Deno,
          secret: typeof switchboardTestSecret, viaGlobal: typeof globalThis.switchboardTestSecret,
        })`,
        INPUT,
        RELAXED,
      );
      expect(outcome.ok).toBe(true);
      const value = (outcome as { ok: true; value: Record<string, string> }).value;
      for (const [name, type] of Object.entries(value)) expect([name, type]).toEqual([name, 'undefined']);
    });

    it('has only the standard JavaScript globals, none of them holding the host secret', () => {
      const outcome = runScript(
        quickjs,
        `() => Object.getOwnPropertyNames(globalThis).map((name) => {
          let text = '';
          try { text = String(globalThis[name]) } catch (error) { text = 'unreadable' }
          return [name, text.slice(0, 200)];
        })`,
        INPUT,
        RELAXED,
      );
      expect(outcome.ok).toBe(true);
      const globals = (outcome as { ok: true; value: [string, string][] }).value;
      const names = globals.map(([name]) => name);
      for (const host of [
        'process',
        'require',
        'module',
        'exports',
        'Buffer',
        'fetch',
        'console',
        'setTimeout',
      ]) {
        expect(names).not.toContain(host);
      }
      expect(names).not.toContain('switchboardTestSecret');
      expect(JSON.stringify(globals)).not.toContain('hunter2');
      expect(names).toEqual(expect.arrayContaining(['Object', 'Array', 'JSON', 'Math', 'globalThis']));
    });

    it('cannot reach the host through the Function constructor or eval', () => {
      for (const code of [
        "() => this.constructor.constructor('return process')()",
        "() => Function('return this')().process.env",
        "() => eval('require')('fs')",
        "() => (0, eval)('globalThis').switchboardTestSecret.length",
      ]) {
        expect(timed(code).outcome.ok).toBe(false);
      }
      expectNextCallWorks();
    });

    it('gets nothing from import(): at most an unresolved promise, never a module', () => {
      for (const specifier of ['node:fs', 'fs', 'os', 'std', 'https://example.com/x.js']) {
        const outcome = timed(`() => import(${JSON.stringify(specifier)})`).outcome;
        if (outcome.ok) expect(outcome.value).toEqual({});
      }
      const sync = timed(
        "() => { let got = 'nothing'; import('node:fs').then((fs) => { got = typeof fs.readFileSync }); return got }",
        RELAXED,
      ).outcome;
      expect(sync).toEqual({ ok: true, value: 'nothing' });
      expectNextCallWorks();
    });

    it('keeps nothing between calls', () => {
      expect(
        runScript(
          quickjs,
          '() => { globalThis.left = 42; Object.prototype.polluted = 1; return 1 }',
          INPUT,
          RELAXED,
        ),
      ).toEqual({ ok: true, value: 1 });
      expect(
        runScript(quickjs, '() => [typeof globalThis.left, typeof ({}).polluted]', INPUT, RELAXED),
      ).toEqual({
        ok: true,
        value: ['undefined', 'undefined'],
      });
    });

    it('leaves the host untouched by what a script does to its own globals', () => {
      runScript(
        quickjs,
        '() => { Object.prototype.hacked = true; globalThis.JSON = null; return 1 }',
        INPUT,
        RELAXED,
      );
      expect(({} as Record<string, unknown>)['hacked']).toBeUndefined();
      expect(typeof JSON.stringify).toBe('function');
      expectNextCallWorks();
    });
  });
});

describe('what QuickJS alone could not stop (the worker is killed and replaced)', () => {
  it('survives many stack overflows in a row', () => {
    for (let i = 0; i < 15; i++) {
      expect(timed('() => { function f() { return f() + 1 } return f() }').outcome.ok).toBe(false);
    }
    expectNextCallWorks();
  });

  it('stops a loop of slow built-ins at the deadline, not when QuickJS next checks it', () => {
    const { outcome, ms } = timed(
      "() => { const s = 'a'.repeat(4000000); for (let i = 0; i < 2000; i++) s.lastIndexOf('b'); return 1 }",
    );
    expect(outcome).toEqual({ ok: false, reason: 'timed out' });
    expect(ms).toBeLessThan(LIMITS.timeoutMs + MARGIN_MS);
    expectNextCallWorks();
  });

  it('stops buffers allocated piece by piece outside the heap limit by the deadline', () => {
    const { outcome, ms } = timed(
      '() => { const c = []; for (;;) c.push(new Uint8Array(1024 * 1024).fill(7)); }',
    );
    expect(outcome.ok).toBe(false);
    expect(ms).toBeLessThan(LIMITS.timeoutMs + MARGIN_MS);
    expectNextCallWorks();
  });
});
