import type { SseEvent } from '../protocol/sse.ts';
import type { ChatStream, JsonObject } from '../formats/types.ts';
import type { Pattern } from './patterns.ts';
import { redactText, StreamRedactor } from './redact.ts';
import { isJsonObject, parseEventData } from '../formats/upstream-json.ts';

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Redacts the text of an OpenAI chat completion in place (message content and tool-call arguments). */
export function redactCompletion(completion: JsonObject, patterns: readonly Pattern[]): void {
  for (const choice of Array.isArray(completion['choices']) ? completion['choices'] : []) {
    const message = isObject(choice) ? choice['message'] : undefined;
    if (!isObject(message)) continue;
    if (typeof message['content'] === 'string') message['content'] = redactText(message['content'], patterns);
    for (const call of Array.isArray(message['tool_calls']) ? message['tool_calls'] : []) {
      const fn = isObject(call) ? call['function'] : undefined;
      if (isObject(fn) && typeof fn['arguments'] === 'string')
        fn['arguments'] = redactText(fn['arguments'], patterns);
    }
  }
}

interface RedactingState<Inner> {
  inner: Inner;
  /** One redactor per choice and text: `<choice>|content`, `<choice>|reasoning`, `<choice>|tool|<index>`. */
  redactors: Map<string, StreamRedactor>;
  /** The last chunk seen, as the template for the chunk that flushes held-back text. */
  template: JsonObject | null;
}

type DeltaText = { kind: 'content' | 'reasoning' } | { kind: 'tool'; tool: number };

const keyOf = (choice: number, text: DeltaText) =>
  text.kind === 'tool' ? `${choice}|tool|${text.tool}` : `${choice}|${text.kind}`;

/** Appends held-back text to a delta, in the field it came from. */
function appendToDelta(delta: JsonObject, text: DeltaText, rest: string): void {
  if (text.kind !== 'tool') {
    const field = text.kind === 'content' ? 'content' : 'reasoning_content';
    delta[field] = (typeof delta[field] === 'string' ? delta[field] : '') + rest;
    return;
  }
  const calls = Array.isArray(delta['tool_calls']) ? (delta['tool_calls'] as JsonObject[]) : [];
  delta['tool_calls'] = calls;
  const call = calls.find((entry) => entry['index'] === text.tool);
  if (call && isObject(call['function'])) {
    const fn = call['function'];
    fn['arguments'] = (typeof fn['arguments'] === 'string' ? fn['arguments'] : '') + rest;
  } else {
    calls.push({ index: text.tool, function: { arguments: rest } });
  }
}

/**
 * Wraps an OpenAI-chunk stream reducer so that answers are redacted as they stream: each choice's
 * content, reasoning and tool-call arguments go through their own StreamRedactor, which holds
 * back only as much as the longest pattern can match; what they hold goes out, redacted, in the
 * choice's finish chunk after its own text (or in one last chunk when a stream ends without one).
 */
export function redactingStream<Inner>(
  inner: ChatStream<Inner>,
  patterns: readonly Pattern[],
): ChatStream<RedactingState<Inner>> {
  const push = (state: RedactingState<Inner>, choice: number, text: DeltaText, value: string): string => {
    const key = keyOf(choice, text);
    let redactor = state.redactors.get(key);
    if (!redactor) {
      redactor = new StreamRedactor(patterns);
      state.redactors.set(key, redactor);
    }
    return redactor.push(value);
  };

  /** Ends every redactor of a choice and adds what they held to `delta`; true when anything was added. */
  const drain = (state: RedactingState<Inner>, choice: number, delta: JsonObject): boolean => {
    let added = false;
    for (const [key, redactor] of [...state.redactors]) {
      const [owner, kind, tool] = key.split('|');
      if (Number(owner) !== choice) continue;
      state.redactors.delete(key);
      const rest = redactor.end();
      if (rest === '') continue;
      appendToDelta(
        delta,
        kind === 'tool' ? { kind: 'tool', tool: Number(tool) } : { kind: kind as 'content' | 'reasoning' },
        rest,
      );
      added = true;
    }
    return added;
  };

  const flushAll = (state: RedactingState<Inner>): string[] => {
    const choices = new Set([...state.redactors.keys()].map((key) => Number(key.split('|')[0])));
    return [...choices].flatMap((choice) => {
      const delta: JsonObject = {};
      if (!drain(state, choice, delta) || !state.template) return [];
      return [
        JSON.stringify({
          ...state.template,
          choices: [{ index: choice, delta, finish_reason: null, logprobs: null }],
        }),
      ];
    });
  };

  const rewrite = (state: RedactingState<Inner>, payload: string): string[] => {
    if (payload === '[DONE]') return [...flushAll(state), payload];
    // Any JSON may come from an upstream: only a chunk with choices is read (deep or odd ones pass as they are).
    const chunk = parseEventData(payload);
    if (!isJsonObject(chunk) || !Array.isArray(chunk['choices'])) return [payload];
    const { choices: _choices, usage: _usage, ...template } = chunk;
    state.template = { ...template };
    let changed = false;
    for (const choice of chunk['choices'] as unknown[]) {
      if (!isObject(choice)) continue;
      const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
      const delta = choice['delta'];
      if (isObject(delta)) {
        if (typeof delta['content'] === 'string' && delta['content'] !== '') {
          delta['content'] = push(state, index, { kind: 'content' }, delta['content']);
          changed = true;
        }
        if (typeof delta['reasoning_content'] === 'string' && delta['reasoning_content'] !== '') {
          delta['reasoning_content'] = push(state, index, { kind: 'reasoning' }, delta['reasoning_content']);
          changed = true;
        }
        for (const call of Array.isArray(delta['tool_calls']) ? delta['tool_calls'] : []) {
          const fn = isObject(call) ? call['function'] : undefined;
          if (isObject(fn) && typeof fn['arguments'] === 'string' && fn['arguments'] !== '') {
            const tool =
              typeof (call as JsonObject)['index'] === 'number'
                ? ((call as JsonObject)['index'] as number)
                : 0;
            fn['arguments'] = push(state, index, { kind: 'tool', tool }, fn['arguments']);
            changed = true;
          }
        }
      }
      if (choice['finish_reason'] !== null && choice['finish_reason'] !== undefined) {
        // What was held back goes out in this same chunk, after its own text: order is kept.
        const target = isObject(delta) ? delta : (choice['delta'] = {});
        if (drain(state, index, target as JsonObject)) changed = true;
      }
    }
    return [changed ? JSON.stringify(chunk) : payload];
  };

  return {
    init: (context) => ({ inner: inner.init(context), redactors: new Map(), template: null }),
    next: (state, event: SseEvent) =>
      inner.next(state.inner, event).flatMap((payload) => rewrite(state, payload)),
    end(state) {
      const tail = inner.end(state.inner);
      const payloads = tail.payloads.flatMap((payload) => rewrite(state, payload));
      return { payloads: [...payloads, ...flushAll(state)], complete: tail.complete };
    },
    usage: (state) => inner.usage(state.inner),
    upstreamModel: (state) => inner.upstreamModel(state.inner),
    errorCode: (state) => inner.errorCode(state.inner),
  };
}
