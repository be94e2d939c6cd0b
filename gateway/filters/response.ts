import type { SseEvent } from '../protocol/sse.ts';
import type { ChatStream, JsonObject } from '../vendors/types.ts';
import type { Pattern } from './patterns.ts';
import { redactText, StreamRedactor } from './redact.ts';

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
  redactors: Map<number, StreamRedactor>;
  /** The last chunk seen, as the template for the chunk that flushes held-back text. */
  template: JsonObject | null;
}

/**
 * Wraps an OpenAI-chunk stream reducer so that content is redacted as it streams: each choice's
 * text goes through a StreamRedactor, which holds back only as much as the longest pattern can
 * match; what it holds is flushed, redacted, just before the choice's finish chunk (or at the end
 * of a cut stream).
 */
export function redactingStream<Inner>(
  inner: ChatStream<Inner>,
  patterns: readonly Pattern[],
): ChatStream<RedactingState<Inner>> {
  const flushChunk = (state: RedactingState<Inner>, index: number): string[] => {
    const redactor = state.redactors.get(index);
    if (!redactor) return [];
    state.redactors.delete(index);
    const rest = redactor.end();
    if (rest === '' || !state.template) return [];
    return [
      JSON.stringify({
        ...state.template,
        choices: [{ index, delta: { content: rest }, finish_reason: null, logprobs: null }],
      }),
    ];
  };
  const flushAll = (state: RedactingState<Inner>) =>
    [...state.redactors.keys()].flatMap((index) => flushChunk(state, index));

  const rewrite = (state: RedactingState<Inner>, payload: string): string[] => {
    if (payload === '[DONE]') return [...flushAll(state), payload];
    let chunk: JsonObject;
    try {
      chunk = JSON.parse(payload) as JsonObject;
    } catch {
      return [payload];
    }
    if (!Array.isArray(chunk['choices'])) return [payload];
    const { choices: _choices, usage: _usage, ...template } = chunk;
    state.template = { ...template };
    const before: string[] = [];
    let changed = false;
    for (const choice of chunk['choices'] as unknown[]) {
      if (!isObject(choice)) continue;
      const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
      const delta = choice['delta'];
      if (isObject(delta) && typeof delta['content'] === 'string' && delta['content'] !== '') {
        let redactor = state.redactors.get(index);
        if (!redactor) {
          redactor = new StreamRedactor(patterns);
          state.redactors.set(index, redactor);
        }
        delta['content'] = redactor.push(delta['content']);
        changed = true;
      }
      if (choice['finish_reason'] !== null && choice['finish_reason'] !== undefined) {
        // What was held back goes out in this same chunk, after its own text: order is kept.
        const redactor = state.redactors.get(index);
        state.redactors.delete(index);
        const rest = redactor?.end() ?? '';
        if (rest !== '' && isObject(delta)) {
          delta['content'] = (typeof delta['content'] === 'string' ? delta['content'] : '') + rest;
          changed = true;
        }
      }
    }
    return [...before, changed ? JSON.stringify(chunk) : payload];
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
