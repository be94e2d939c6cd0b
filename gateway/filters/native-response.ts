import type { SseEvent } from '../protocol/sse.ts';
import type { ChatStream, JsonObject } from '../formats/types.ts';
import type { BodyFormat } from './message-view.ts';
import type { Pattern } from './patterns.ts';
import { redactText, StreamRedactor } from './redact.ts';
import { redactCompletion, redactingStream } from './response.ts';

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Redacts a vendor's own (non-streamed) answer in place, for `/proxy`. */
export function redactNativeAnswer(
  answer: JsonObject,
  format: BodyFormat,
  patterns: readonly Pattern[],
): void {
  if (format === 'openai') return redactCompletion(answer, patterns);
  const redactJson = (holder: JsonObject, key: string) => {
    if (holder[key] === undefined) return;
    const text = JSON.stringify(holder[key]);
    const redacted = redactText(text, patterns);
    if (redacted === text) return;
    try {
      holder[key] = JSON.parse(redacted) as unknown;
    } catch {
      holder[key] = { text: redacted };
    }
  };
  if (format === 'anthropic') {
    for (const block of Array.isArray(answer['content']) ? answer['content'] : []) {
      if (!isObject(block)) continue;
      for (const key of ['text', 'thinking']) {
        if (typeof block[key] === 'string') block[key] = redactText(block[key], patterns);
      }
      if (block['type'] === 'tool_use') redactJson(block, 'input');
    }
    return;
  }
  for (const candidate of Array.isArray(answer['candidates']) ? answer['candidates'] : []) {
    const content = isObject(candidate) ? candidate['content'] : undefined;
    for (const part of isObject(content) && Array.isArray(content['parts']) ? content['parts'] : []) {
      if (!isObject(part)) continue;
      if (typeof part['text'] === 'string') part['text'] = redactText(part['text'], patterns);
      if (isObject(part['functionCall'])) redactJson(part['functionCall'], 'args');
    }
  }
}

/** Turns a vendor's native stream into the same stream, redacted; events out as `{event, data}`. */
export interface NativeStreamRedactor {
  next(event: SseEvent): { event: string | undefined; data: string }[];
  end(): { event: string | undefined; data: string }[];
}

function anthropicRedactor(patterns: readonly Pattern[]): NativeStreamRedactor {
  // One hold-back per content block; what it holds goes out as one more delta before the block stops.
  const blocks = new Map<
    number,
    { redactor: StreamRedactor; kind: 'text_delta' | 'thinking_delta' | 'input_json_delta' }
  >();
  const fieldOf = {
    text_delta: 'text',
    thinking_delta: 'thinking',
    input_json_delta: 'partial_json',
  } as const;
  const flush = (index: number) => {
    const block = blocks.get(index);
    blocks.delete(index);
    const rest = block?.redactor.end() ?? '';
    if (!block || rest === '') return [];
    const delta = { type: block.kind, [fieldOf[block.kind]]: rest };
    return [
      { event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index, delta }) },
    ];
  };
  return {
    next(event) {
      let data: JsonObject;
      try {
        data = JSON.parse(event.data) as JsonObject;
      } catch {
        return [{ event: event.event, data: event.data }];
      }
      const index = typeof data['index'] === 'number' ? data['index'] : -1;
      if (data['type'] === 'content_block_delta' && isObject(data['delta'])) {
        const delta = data['delta'];
        const kind = delta['type'];
        if (kind === 'text_delta' || kind === 'thinking_delta' || kind === 'input_json_delta') {
          const field = fieldOf[kind];
          if (typeof delta[field] === 'string') {
            let block = blocks.get(index);
            if (!block) {
              block = { redactor: new StreamRedactor(patterns), kind };
              blocks.set(index, block);
            }
            delta[field] = block.redactor.push(delta[field]);
            return [{ event: event.event, data: JSON.stringify(data) }];
          }
        }
      }
      if (data['type'] === 'content_block_stop')
        return [...flush(index), { event: event.event, data: event.data }];
      if (data['type'] === 'message_delta' || data['type'] === 'message_stop') {
        return [...[...blocks.keys()].flatMap(flush), { event: event.event, data: event.data }];
      }
      return [{ event: event.event, data: event.data }];
    },
    end: () => [...blocks.keys()].flatMap(flush),
  };
}

function geminiRedactor(patterns: readonly Pattern[]): NativeStreamRedactor {
  // One hold-back per candidate; what it holds goes out as a text part of the candidate's last chunk.
  const redactors = new Map<number, StreamRedactor>();
  let last: JsonObject | null = null;
  const drain = (candidate: JsonObject, index: number) => {
    const rest = redactors.get(index)?.end() ?? '';
    redactors.delete(index);
    if (rest === '') return false;
    const content = isObject(candidate['content'])
      ? candidate['content']
      : (candidate['content'] = { role: 'model', parts: [] });
    const parts = Array.isArray(content['parts']) ? (content['parts'] as unknown[]) : (content['parts'] = []);
    (parts as unknown[]).push({ text: rest });
    return true;
  };
  return {
    next(event) {
      let data: JsonObject;
      try {
        data = JSON.parse(event.data) as JsonObject;
      } catch {
        return [{ event: event.event, data: event.data }];
      }
      let changed = false;
      for (const [position, candidate] of (Array.isArray(data['candidates'])
        ? data['candidates']
        : []
      ).entries()) {
        if (!isObject(candidate)) continue;
        const index = typeof candidate['index'] === 'number' ? candidate['index'] : position;
        const content = candidate['content'];
        for (const part of isObject(content) && Array.isArray(content['parts']) ? content['parts'] : []) {
          if (!isObject(part) || typeof part['text'] !== 'string' || part['text'] === '') continue;
          let redactor = redactors.get(index);
          if (!redactor) {
            redactor = new StreamRedactor(patterns);
            redactors.set(index, redactor);
          }
          part['text'] = redactor.push(part['text']);
          changed = true;
        }
        if (candidate['finishReason'] !== undefined && drain(candidate, index)) changed = true;
      }
      last = data;
      return [{ event: event.event, data: changed ? JSON.stringify(data) : event.data }];
    },
    end() {
      if (redactors.size === 0) return [];
      const template: JsonObject = { ...(last ?? {}), candidates: [] };
      for (const index of [...redactors.keys()]) {
        const candidate: JsonObject = { index, content: { role: 'model', parts: [] } };
        if (drain(candidate, index)) (template['candidates'] as JsonObject[]).push(candidate);
      }
      return [{ event: undefined, data: JSON.stringify(template) }];
    },
  };
}

function openAiRedactor<State>(
  reducer: ChatStream<State>,
  patterns: readonly Pattern[],
): NativeStreamRedactor {
  const stream = redactingStream(reducer, patterns);
  const state = stream.init({ model: '', created: 0, clientWantsUsage: true });
  return {
    next: (event) => stream.next(state, event).map((data) => ({ event: undefined, data })),
    end: () =>
      stream
        .end(state)
        .payloads.filter((data) => data !== '[DONE]')
        .map((data) => ({ event: undefined, data })),
  };
}

/** The redactor for a `/proxy` stream in the route's vendor format. */
export function nativeStreamRedactor<State>(
  format: BodyFormat,
  patterns: readonly Pattern[],
  openAiReducer: ChatStream<State>,
): NativeStreamRedactor {
  if (format === 'anthropic') return anthropicRedactor(patterns);
  if (format === 'gemini') return geminiRedactor(patterns);
  return openAiRedactor(openAiReducer, patterns);
}
