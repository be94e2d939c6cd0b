import type { ScriptSandbox } from '../../../gateway/filters/script-sandbox.ts';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import {
  applyModelFilters,
  applyRequestFilters,
  blocked,
  compileFilter,
  responsePatterns,
} from '../../../gateway/filters/engine.ts';
import type { CompiledFilter, FilterContext } from '../../../gateway/filters/engine.ts';
import { loadQuickJs } from '../../../gateway/filters/script-sandbox.ts';
import { anthropicMessagesView } from '../../../gateway/formats/anthropic-messages/view.ts';
import { geminiGenerateView } from '../../../gateway/formats/gemini-generate/view.ts';
import { openAiChatView } from '../../../gateway/formats/openai-chat/view.ts';
import type { JsonObject, RequestView } from '../../../gateway/formats/types.ts';
import { EXAMPLES } from './samples.ts';

const CONTEXT: FilterContext = { app: 'agent', route: 'oa', vendor: 'openai', model: 'gpt-4.1-nano' };
type BodyFormat = 'openai' | 'anthropic' | 'gemini';
const FORMATS: BodyFormat[] = ['openai', 'anthropic', 'gemini'];
const VIEWS: Record<BodyFormat, RequestView> = {
  openai: openAiChatView,
  anthropic: anthropicMessagesView,
  gemini: geminiGenerateView,
};
const textSlots = (body: JsonObject, format: BodyFormat) => VIEWS[format].textSlots(body);
const KEY = EXAMPLES.aws;

/** A body in each format with a system prompt, and a user message saying `text`. */
function bodyOf(format: BodyFormat, text: string, system = 'be brief'): JsonObject {
  if (format === 'openai') {
    return {
      model: 'gpt-4.1-nano',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: text },
      ],
    };
  }
  if (format === 'anthropic') {
    return {
      model: 'claude-haiku-4-5',
      max_tokens: 1000,
      system,
      messages: [{ role: 'user', content: text }],
    };
  }
  return {
    systemInstruction: { parts: [{ text: system }] },
    contents: [{ role: 'user', parts: [{ text }] }],
  };
}

const texts = (body: JsonObject, format: BodyFormat) => textSlots(body, format).map((slot) => slot.text);
const compile = (name: string, kind: string, spec: Record<string, unknown>): CompiledFilter =>
  compileFilter(name, kind, spec);

function run(
  filters: CompiledFilter[],
  body: JsonObject,
  format: BodyFormat,
  quickjs: ScriptSandbox | null = null,
  report: (filter: string, problem: string) => void = () => undefined,
): string {
  return applyRequestFilters(filters, body, VIEWS[format], CONTEXT, quickjs, report);
}

function refusal(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('compileFilter', () => {
  it('compiles each kind', () => {
    expect(compile('b', 'block', { patterns: ['x'] })).toMatchObject({ name: 'b', kind: 'block' });
    expect(compile('r', 'redact', { patterns: ['builtin:emails'] })).toMatchObject({
      kind: 'redact',
      responses: true,
    });
    expect(compile('r', 'redact', { patterns: ['x'], responses: false })).toMatchObject({ responses: false });
    expect(compile('s', 'system-prompt', { text: 'hi' })).toEqual({
      name: 's',
      kind: 'system-prompt',
      mode: 'prepend',
      text: 'hi',
    });
    expect(compile('m', 'max-tokens', { max: 100.7 })).toEqual({ name: 'm', kind: 'max-tokens', max: 100 });
    expect(compile('a', 'model', { aliases: { fast: 'gpt-4.1-nano' } })).toEqual({
      name: 'a',
      kind: 'model',
      aliases: { fast: 'gpt-4.1-nano' },
    });
    expect(compile('j', 'script', { code: '() => null', timeoutMs: 20, memoryMb: 4 })).toEqual({
      name: 'j',
      kind: 'script',
      code: '() => null',
      limits: { timeoutMs: 20, memoryBytes: 4 * 1024 * 1024 },
    });
  });

  it.each<[string, string, Record<string, unknown>, RegExp]>([
    ['block', 'block', {}, /^patterns: a non-empty list of patterns/],
    ['block', 'block', { patterns: [] }, /^patterns: /],
    ['block', 'block', { patterns: ['ok', ''] }, /^patterns: /],
    ['block', 'block', { patterns: 'builtin:emails' }, /^patterns: /],
    [
      'block',
      'block',
      { patterns: ['(unclosed'] },
      /^patterns: pattern "\(unclosed" is not a valid regular expression/,
    ],
    [
      'unknown builtin set',
      'redact',
      { patterns: ['builtin:secrets'] },
      /^patterns: unknown pattern set "builtin:secrets"/,
    ],
    [
      'maxMatchLength',
      'redact',
      { patterns: ['x'], maxMatchLength: 0 },
      /^maxMatchLength: a positive number/,
    ],
    ['responses', 'redact', { patterns: ['x'], responses: 'yes' }, /^responses: true or false/],
    ['mode', 'system-prompt', { mode: 'insert', text: 'x' }, /^mode: one of prepend, append, replace/],
    ['text', 'system-prompt', { mode: 'append' }, /^text: /],
    ['text', 'system-prompt', { text: '' }, /^text: /],
    ['max', 'max-tokens', {}, /^max: a positive number/],
    ['max', 'max-tokens', { max: -5 }, /^max: a positive number/],
    ['max', 'max-tokens', { max: '100' }, /^max: a positive number/],
    ['aliases', 'model', {}, /^aliases: /],
    ['aliases', 'model', { aliases: { fast: 3 } }, /^aliases: /],
    ['aliases', 'model', { aliases: ['fast'] }, /^aliases: /],
    ['code', 'script', {}, /^code: a JavaScript function/],
    ['code', 'script', { code: '   ' }, /^code: /],
    ['timeoutMs', 'script', { code: '() => null', timeoutMs: 0 }, /^timeoutMs: a positive number/],
    ['memoryMb', 'script', { code: '() => null', memoryMb: Number.NaN }, /^memoryMb: a positive number/],
    ['kind', 'transform', {}, /^kind: one of block, redact, system-prompt, max-tokens, model, script/],
  ])('refuses a bad %s, naming the field', (_field, kind, spec, message) => {
    expect(() => compile('f', kind, spec)).toThrow(message);
  });

  it('compiles (?i) patterns case-insensitively', () => {
    const filter = compile('no-secrets', 'block', { patterns: ['(?i)top secret'] });
    for (const format of FORMATS) {
      expect(() => run([filter], bodyOf(format, 'this is TOP SECRET stuff'), format)).toThrow(GatewayError);
      expect(() => run([filter], bodyOf(format, 'this is top-secret stuff'), format)).not.toThrow();
    }
  });
});

describe.each(FORMATS)('applyRequestFilters on %s bodies', (format) => {
  it('block: refuses with 403 filter_blocked naming the filter, never the matched text', () => {
    const filter = compile('no-keys', 'block', { patterns: ['builtin:api-keys', 'project-\\d+'] });
    for (const text of [`my key is ${KEY}`, 'about project-4711']) {
      const error = refusal(() => run([filter], bodyOf(format, text), format));
      expect(error.status).toBe(403);
      expect(error.code).toBe('filter_blocked');
      expect(error.message).toBe('Blocked by filter "no-keys".');
      expect(error.message).not.toContain(KEY);
      expect(error.message).not.toContain('4711');
    }
  });

  it('block: looks at the system prompt too, and lets clean requests through untouched', () => {
    const filter = compile('no-keys', 'block', { patterns: ['builtin:api-keys'] });
    expect(() => run([filter], bodyOf(format, 'hello', `use ${KEY}`), format)).toThrow(GatewayError);
    const clean = bodyOf(format, 'hello');
    const copy = structuredClone(clean);
    expect(run([filter], clean, format)).toBe(CONTEXT.model);
    expect(clean).toEqual(copy);
  });

  it('redact: replaces matches in the request with [REDACTED:<label>]', () => {
    const filter = compile('pii', 'redact', {
      patterns: ['builtin:emails', 'builtin:api-keys', 'EMP-\\d{4}'],
    });
    const body = bodyOf(
      format,
      `mail jane@example.com, key ${KEY}, employee EMP-1234`,
      'admin is root@example.org',
    );
    run([filter], body, format);
    expect(texts(body, format)).toEqual([
      'admin is [REDACTED:emails]',
      'mail [REDACTED:emails], key [REDACTED:api-keys], employee [REDACTED:pii]',
    ]);
    expect(JSON.stringify(body)).not.toContain('jane@example.com');
  });

  it.each([
    ['prepend', ['added', 'be brief', 'hello']],
    ['append', null],
    ['replace', ['added', 'hello']],
  ] as const)('system-prompt %s', (mode, expected) => {
    const filter = compile('sys', 'system-prompt', { mode, text: 'added' });
    const body = bodyOf(format, 'hello');
    run([filter], body, format);
    if (expected) {
      expect(texts(body, format)).toEqual(expected);
    } else {
      // Appended: after the system prompt; OpenAI puts it after the messages.
      expect(texts(body, format)).toEqual(
        format === 'openai' ? ['be brief', 'hello', 'added'] : ['be brief', 'added', 'hello'],
      );
    }
    const roles = textSlots(body, format).map((slot) => slot.role);
    expect(roles.filter((role) => role === 'system')).toHaveLength(mode === 'replace' ? 1 : 2);
  });

  it('system-prompt: adds one where the request has none', () => {
    const body = bodyOf(format, 'hello');
    if (format === 'openai') (body['messages'] as unknown[]).shift();
    if (format === 'anthropic') delete body['system'];
    if (format === 'gemini') delete body['systemInstruction'];
    expect(texts(body, format)).toEqual(['hello']);
    run([compile('sys', 'system-prompt', { mode: 'append', text: 'added' })], body, format);
    const slots = textSlots(body, format).map((slot) => [slot.role, slot.text]);
    expect(slots).toContainEqual(['system', 'added']);
    expect(slots).toContainEqual(['user', 'hello']);
  });

  const maxTokens = (body: JsonObject): unknown =>
    format === 'gemini'
      ? (body['generationConfig'] as JsonObject | undefined)?.['maxOutputTokens']
      : format === 'openai'
        ? (body['max_completion_tokens'] ?? body['max_tokens'])
        : body['max_tokens'];
  const withMax = (value: number): JsonObject => {
    const body = bodyOf(format, 'hello');
    if (format === 'gemini') body['generationConfig'] = { temperature: 0.2, maxOutputTokens: value };
    else body['max_tokens'] = value;
    return body;
  };

  it('max-tokens: caps a larger value, keeps a smaller one, sets one when absent', () => {
    const filter = compile('cap', 'max-tokens', { max: 500 });
    const larger = withMax(4000);
    run([filter], larger, format);
    expect(maxTokens(larger)).toBe(500);
    const smaller = withMax(200);
    run([filter], smaller, format);
    expect(maxTokens(smaller)).toBe(200);
    const absent = bodyOf(format, 'hello');
    delete absent['max_tokens'];
    run([filter], absent, format);
    expect(maxTokens(absent)).toBe(500);
    if (format === 'gemini')
      expect(larger['generationConfig']).toEqual({ temperature: 0.2, maxOutputTokens: 500 });
  });

  it('model: leaves the model alone here (aliases apply while the route is resolved)', () => {
    const filter = compile('aliases', 'model', { aliases: { 'gpt-4.1-nano': 'gpt-4.1-mini' } });
    const body = bodyOf(format, 'hello');
    const copy = structuredClone(body);
    expect(run([filter], body, format)).toBe('gpt-4.1-nano');
    expect(body).toEqual(copy);
  });

  it('invalid: fails closed naming the filter', () => {
    const error = refusal(() => run([{ name: 'gone', kind: 'invalid' }], bodyOf(format, 'hello'), format));
    expect(error.status).toBe(403);
    expect(error.code).toBe('filter_blocked');
    expect(error.message).toContain('"gone"');
  });

  it('runs filters in order: redact before block lets the request through, block before redact does not', () => {
    const redact = compile('redact-keys', 'redact', { patterns: ['builtin:api-keys'] });
    const block = compile('block-keys', 'block', { patterns: ['builtin:api-keys'] });
    expect(() => run([redact, block], bodyOf(format, `key ${KEY}`), format)).not.toThrow();
    expect(refusal(() => run([block, redact], bodyOf(format, `key ${KEY}`), format)).message).toContain(
      '"block-keys"',
    );
  });
});

describe('applyRequestFilters on OpenAI max_tokens fields', () => {
  const cap = compile('cap', 'max-tokens', { max: 500 });

  it('caps max_completion_tokens and max_tokens alike, both when both are there', () => {
    const body: JsonObject = { messages: [], max_completion_tokens: 900, max_tokens: 100 };
    run([cap], body, 'openai');
    expect(body).toMatchObject({ max_completion_tokens: 500, max_tokens: 100 });
  });

  it('caps the Anthropic max_tokens that Anthropic requires', () => {
    const body: JsonObject = { messages: [], max_tokens: 64000 };
    run([cap], body, 'anthropic');
    expect(body['max_tokens']).toBe(500);
  });
});

describe('applyModelFilters', () => {
  it('applies the aliases of each model filter in order, and nothing else', () => {
    const filters = [
      compile('first', 'model', { aliases: { fast: 'gpt-4.1-nano', smart: 'gpt-4.1' } }),
      compile('not-a-model-filter', 'block', { patterns: ['fast'] }),
      compile('second', 'model', { aliases: { 'gpt-4.1-nano': 'gpt-4.1-mini' } }),
    ];
    expect(applyModelFilters(filters, 'fast')).toBe('gpt-4.1-mini');
    expect(applyModelFilters(filters, 'smart')).toBe('gpt-4.1');
    expect(applyModelFilters(filters, 'gpt-4o')).toBe('gpt-4o');
    expect(applyModelFilters([], 'fast')).toBe('fast');
  });

  // Not asserted (reported): aliases are looked up with `aliases[model]`, so a request for the model
  // `constructor`, `toString` or `__proto__` gets Object's own function / prototype back instead of
  // the string it asked for.
});

describe('responsePatterns', () => {
  it('collects the patterns of redact filters that also apply to responses', () => {
    const both = compile('both', 'redact', { patterns: ['builtin:emails'] });
    const requestsOnly = compile('requests-only', 'redact', { patterns: ['x'], responses: false });
    const block = compile('block', 'block', { patterns: ['y'] });
    expect(responsePatterns([both, requestsOnly, block])).toEqual(
      both.kind === 'redact' ? both.patterns : [],
    );
  });
});

describe('blocked', () => {
  it('names the filter, with or without a reason', () => {
    expect(blocked('f').message).toBe('Blocked by filter "f".');
    expect(blocked('f', 'no').message).toBe('Blocked by filter "f": no');
    expect(blocked('f').status).toBe(403);
  });
});

describe('script filters through applyRequestFilters', () => {
  let quickjs: ScriptSandbox;
  beforeAll(async () => {
    quickjs = await loadQuickJs();
  });

  // A deadline no busy test machine misses, except where a script is meant to run out of time.
  const script = (code: string, spec: Record<string, unknown> = {}) =>
    compile('policy-script', 'script', {
      code,
      timeoutMs: code.includes('while (true)') ? 50 : 2000,
      ...spec,
    });

  it('refuses when the sandbox is not available', () => {
    const error = refusal(() => run([script('() => null')], bodyOf('openai', 'hi'), 'openai', null));
    expect(error.code).toBe('filter_blocked');
    expect(error.message).toContain('sandbox is not available');
  });

  it('sees the model, the plain messages, stream and the context', () => {
    const body = bodyOf('anthropic', 'hello');
    body['stream'] = true;
    const model = run(
      [
        script(
          `(request, context) => ({ model: [request.model, request.messages.map((m) => m.role + ':' + m.content).join('|'),
             request.stream, context.app, context.route, context.vendor].join(' ') })`,
        ),
      ],
      body,
      'anthropic',
      quickjs,
    );
    expect(model).toBe('gpt-4.1-nano system:be brief|user:hello true agent oa openai');
  });

  it.each(FORMATS)(
    'a script that fails → 403 filter_blocked naming the filter, and it is reported (%s)',
    (format) => {
      for (const [code, reason] of [
        ["() => { throw new Error('bad input') }", 'Error: bad input'],
        ['() => { while (true) {} }', 'timed out'],
        ['() => new ArrayBuffer(1024 * 1024 * 1024)', 'out of memory'],
      ]) {
        const report = vi.fn();
        const started = performance.now();
        const error = refusal(() => run([script(code!)], bodyOf(format, 'hello'), format, quickjs, report));
        expect(performance.now() - started).toBeLessThan(1000);
        expect(error.status).toBe(403);
        expect(error.code).toBe('filter_blocked');
        expect(error.message).toContain('"policy-script"');
        expect(error.message).toContain(reason);
        expect(report).toHaveBeenCalledTimes(1);
        expect(report.mock.calls[0]![0]).toBe('policy-script');
        expect(String(report.mock.calls[0]![1])).toContain(reason!);
        // The next request is served normally.
        expect(
          run(
            [script('(request) => ({ model: request.model + "-next" })')],
            bodyOf(format, 'x'),
            format,
            quickjs,
          ),
        ).toBe('gpt-4.1-nano-next');
      }
    },
  );

  it('{block: true, reason} → 403 with the reason', () => {
    const report = vi.fn();
    const error = refusal(() =>
      run(
        [
          script(
            "(request) => request.messages.some((m) => m.content.includes('forbidden')) ? { block: true, reason: 'no forbidden topics' } : null",
          ),
        ],
        bodyOf('gemini', 'a forbidden topic'),
        'gemini',
        quickjs,
        report,
      ),
    );
    expect(error.status).toBe(403);
    expect(error.message).toBe('Blocked by filter "policy-script": no forbidden topics');
    expect(report).not.toHaveBeenCalled();
    expect(
      refusal(() => run([script('() => ({ block: true })')], bodyOf('openai', 'x'), 'openai', quickjs))
        .message,
    ).toBe('Blocked by filter "policy-script".');
  });

  it('{model} changes the model; null or {} changes nothing', () => {
    const body = bodyOf('openai', 'hello');
    const copy = structuredClone(body);
    expect(run([script("() => ({ model: 'gpt-4.1-mini' })")], body, 'openai', quickjs)).toBe('gpt-4.1-mini');
    expect(run([script('() => null')], body, 'openai', quickjs)).toBe('gpt-4.1-nano');
    expect(run([script('() => ({})')], body, 'openai', quickjs)).toBe('gpt-4.1-nano');
    expect(run([script("() => ({ model: '' })")], body, 'openai', quickjs)).toBe('gpt-4.1-nano');
    expect(body).toEqual(copy);
  });

  it('a later script sees the model an earlier one chose', () => {
    const model = run(
      [
        script("() => ({ model: 'gpt-4.1-mini' })"),
        script("(request, context) => ({ model: request.model + '+' + context.model })"),
      ],
      bodyOf('openai', 'hello'),
      'openai',
      quickjs,
    );
    expect(model).toBe('gpt-4.1-mini+gpt-4.1-mini');
  });

  it.each(FORMATS)('{messages} rewrites the texts in place (%s)', (format) => {
    const body = bodyOf(format, 'my phone is 555-1234');
    run(
      [
        script(
          "(request) => ({ messages: request.messages.map((m) => ({ ...m, content: m.content.replace(/\\d/g, '#') })) })",
        ),
      ],
      body,
      format,
      quickjs,
    );
    expect(texts(body, format)).toEqual(['be brief', 'my phone is ###-####']);
  });

  it('refuses messages that do not match the request, or a result that is not an object', () => {
    for (const code of [
      '() => ({ messages: [] })',
      "() => ({ messages: [{ content: 1 }, { content: 'x' }] })",
      '() => 42',
      "() => 'text'",
      '() => [1]',
    ]) {
      const report = vi.fn();
      const error = refusal(() => run([script(code)], bodyOf('openai', 'hello'), 'openai', quickjs, report));
      expect(error.code).toBe('filter_blocked');
      expect(error.message).toContain('"policy-script"');
      expect(report).toHaveBeenCalledTimes(1);
    }
  });
});
