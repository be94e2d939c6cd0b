import type { ScriptSandbox } from './script-sandbox.ts';
import { GatewayError } from '../errors.ts';
import type { JsonObject, RequestView } from '../formats/types.ts';
import { compilePatterns, DEFAULT_MAX_MATCH, findMatches, type Pattern } from './patterns.ts';
import { redactText } from './redact.ts';
import { DEFAULT_SCRIPT_LIMITS, runScript, type ScriptLimits } from './script-sandbox.ts';

export type CompiledFilter =
  | { name: string; kind: 'block'; patterns: Pattern[] }
  | { name: string; kind: 'redact'; patterns: Pattern[]; responses: boolean }
  | { name: string; kind: 'system-prompt'; mode: 'prepend' | 'append' | 'replace'; text: string }
  | { name: string; kind: 'max-tokens'; max: number }
  | { name: string; kind: 'model'; aliases: Record<string, string> }
  | { name: string; kind: 'script'; code: string; limits: ScriptLimits }
  /** Named by a route or app but missing or no longer valid: fails closed. */
  | { name: string; kind: 'invalid' };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function stringList(value: unknown, field: string): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((item) => typeof item !== 'string' || item === '')
  ) {
    throw new Error(`${field}: a non-empty list of patterns (strings) is required`);
  }
  return value as string[];
}

function positiveNumber(value: unknown, field: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new Error(`${field}: a positive number is required`);
  return value;
}

/**
 * A filter's stored form (`{name, kind, ...spec}`, as in the config file) → a ready-to-run filter.
 * Throws an Error whose message names the field and what is allowed.
 */
export function compileFilter(name: string, kind: string, spec: Record<string, unknown>): CompiledFilter {
  switch (kind) {
    case 'block':
    case 'redact': {
      const maxLength = positiveNumber(spec['maxMatchLength'], 'maxMatchLength', DEFAULT_MAX_MATCH);
      let patterns: Pattern[];
      try {
        patterns = compilePatterns(stringList(spec['patterns'], 'patterns'), name, maxLength);
      } catch (error) {
        const message = (error as Error).message;
        throw new Error(message.startsWith('patterns: ') ? message : `patterns: ${message}`, {
          cause: error,
        });
      }
      if (kind === 'block') return { name, kind, patterns };
      if (spec['responses'] !== undefined && typeof spec['responses'] !== 'boolean') {
        throw new Error('responses: true or false');
      }
      return { name, kind, patterns, responses: spec['responses'] !== false };
    }
    case 'system-prompt': {
      const mode = spec['mode'] ?? 'prepend';
      if (mode !== 'prepend' && mode !== 'append' && mode !== 'replace') {
        throw new Error('mode: one of prepend, append, replace');
      }
      if (typeof spec['text'] !== 'string' || spec['text'] === '')
        throw new Error('text: the system prompt text is required');
      return { name, kind, mode, text: spec['text'] };
    }
    case 'max-tokens':
      return { name, kind, max: Math.floor(positiveNumber(spec['max'], 'max')) };
    case 'model': {
      const aliases = spec['aliases'];
      if (
        !isObject(aliases) ||
        Object.values(aliases).some((value) => typeof value !== 'string' || value === '')
      ) {
        throw new Error(
          'aliases: a map from the model asked for to the model to use, e.g. {fast: gpt-4.1-nano}',
        );
      }
      return { name, kind, aliases: aliases as Record<string, string> };
    }
    case 'script': {
      if (typeof spec['code'] !== 'string' || spec['code'].trim() === '') {
        throw new Error(
          'code: a JavaScript function `(request, context) => ({ block?, reason?, messages?, model? })` is required',
        );
      }
      return {
        name,
        kind,
        code: spec['code'],
        limits: {
          timeoutMs: positiveNumber(spec['timeoutMs'], 'timeoutMs', DEFAULT_SCRIPT_LIMITS.timeoutMs),
          memoryBytes:
            positiveNumber(spec['memoryMb'], 'memoryMb', DEFAULT_SCRIPT_LIMITS.memoryBytes / 1024 / 1024) *
            1024 *
            1024,
        },
      };
    }
    default:
      throw new Error(`kind: one of block, redact, system-prompt, max-tokens, model, script`);
  }
}

export function blocked(filter: string, reason?: string): GatewayError {
  return new GatewayError(
    403,
    'filter_blocked',
    `Blocked by filter "${filter}"${reason ? `: ${reason}` : '.'}`,
  );
}

/** Model aliases of the `model` filters, in order: the model a request names → the one to use. */
export function applyModelFilters(filters: readonly CompiledFilter[], model: string): string {
  let current = model;
  for (const filter of filters) {
    // Own properties only: a model called "constructor" or "__proto__" is a name, not a lookup.
    if (filter.kind === 'model' && Object.hasOwn(filter.aliases, current)) current = filter.aliases[current]!;
  }
  return current;
}

export interface FilterContext {
  app: string;
  route: string;
  vendor: string;
  model: string;
}

/** The messages as plain `{role, content}` pairs, the shape scripts see. */
export function plainMessages(body: JsonObject, view: RequestView): { role: string; content: string }[] {
  return view.textSlots(body).map((slot) => ({ role: slot.role, content: slot.text }));
}

/**
 * Runs a request's filters in order on its body (rewritten in place): blocks throw 403
 * `filter_blocked` naming the filter and never the matched text; redactions replace matches
 * with `[REDACTED:<label>]`; a script that throws, loops or runs out of memory fails closed.
 * Returns the model to send (a script may change it).
 */
export function applyRequestFilters(
  filters: readonly CompiledFilter[],
  body: JsonObject,
  view: RequestView,
  context: FilterContext,
  quickjs: ScriptSandbox | null,
  report: (filter: string, problem: string) => void,
): string {
  let model = context.model;
  for (const filter of filters) {
    switch (filter.kind) {
      case 'block':
        for (const slot of view.textSlots(body)) {
          if (findMatches(slot.text, filter.patterns).length > 0) throw blocked(filter.name);
        }
        break;
      case 'redact':
        for (const slot of view.textSlots(body)) {
          const redacted = redactText(slot.text, filter.patterns);
          if (redacted !== slot.text) slot.set(redacted);
        }
        break;
      case 'system-prompt':
        view.setSystemPrompt(body, filter.mode, filter.text);
        break;
      case 'max-tokens':
        view.capMaxTokens(body, filter.max);
        break;
      case 'model':
        break; // applied while the route and model are resolved, before the allow-list
      case 'invalid':
        throw blocked(
          filter.name,
          'this filter is missing or invalid; fix it in the dashboard or the config file',
        );
      case 'script': {
        if (!quickjs) throw blocked(filter.name, 'the script sandbox is not available');
        const request = { model, messages: plainMessages(body, view), stream: body['stream'] === true };
        const outcome = runScript(
          quickjs,
          filter.code,
          { request, context: { ...context, model } },
          filter.limits,
        );
        if (!outcome.ok) {
          report(filter.name, outcome.reason);
          throw blocked(filter.name, `the filter's script failed (${outcome.reason})`);
        }
        if (outcome.value === null || outcome.value === undefined) break;
        if (!isObject(outcome.value)) {
          report(filter.name, 'the script returned something other than an object');
          throw blocked(filter.name, "the filter's script returned something other than an object");
        }
        const result = outcome.value;
        if (result['block'] === true)
          throw blocked(filter.name, typeof result['reason'] === 'string' ? result['reason'] : undefined);
        if (typeof result['model'] === 'string' && result['model'] !== '') model = result['model'];
        if (Array.isArray(result['messages'])) {
          const slots = view.textSlots(body);
          const replaced = result['messages'] as unknown[];
          if (
            replaced.length !== slots.length ||
            !replaced.every((item) => isObject(item) && typeof item['content'] === 'string')
          ) {
            report(filter.name, 'the script returned messages that do not match the request');
            throw blocked(filter.name, "the filter's script returned messages that do not match the request");
          }
          replaced.forEach((item, index) => {
            const content = (item as JsonObject)['content'] as string;
            if (content !== slots[index]!.text) slots[index]!.set(content);
          });
        }
        break;
      }
    }
  }
  return model;
}

/** The patterns that response text (streamed or not) is redacted with. */
export function responsePatterns(filters: readonly CompiledFilter[]): Pattern[] {
  return filters.flatMap((filter) => (filter.kind === 'redact' && filter.responses ? filter.patterns : []));
}
