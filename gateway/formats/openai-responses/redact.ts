import type { Pattern } from '../../filters/patterns.ts';
import { redactText, StreamRedactors } from '../../filters/redact.ts';
import type { JsonObject, StreamEvent, StreamRedactor } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

function redactField(holder: unknown, key: string, patterns: readonly Pattern[]): void {
  if (isJsonObject(holder) && typeof holder[key] === 'string')
    holder[key] = redactText(holder[key], patterns);
}

function redactParts(parts: unknown, key: string, patterns: readonly Pattern[]): void {
  for (const part of Array.isArray(parts) ? parts : []) redactField(part, key, patterns);
}

/** Redacts one output item in place: its text, refusal, reasoning summary or call arguments. */
function redactItem(item: unknown, patterns: readonly Pattern[]): void {
  if (!isJsonObject(item)) return;
  if (item['type'] === 'message') {
    redactParts(item['content'], 'text', patterns);
    redactParts(item['content'], 'refusal', patterns);
  } else if (item['type'] === 'reasoning') {
    redactParts(item['summary'], 'text', patterns);
    redactParts(item['content'], 'text', patterns);
  } else if (item['type'] === 'function_call') {
    redactField(item, 'arguments', patterns);
  }
}

/** Redacts a Responses `response` object in place. */
export function redactResponse(response: JsonObject, patterns: readonly Pattern[]): void {
  for (const item of Array.isArray(response['output']) ? response['output'] : []) redactItem(item, patterns);
}

/** The delta events whose text streams, with the field their text is in. */
const DELTAS: Record<string, string> = {
  'response.output_text.delta': 'delta',
  'response.refusal.delta': 'delta',
  'response.reasoning_summary_text.delta': 'delta',
  'response.reasoning_text.delta': 'delta',
  'response.function_call_arguments.delta': 'delta',
};

/** The `.done` event that ends each delta event's text. */
const DONE_OF: Record<string, string> = {
  'response.output_text.delta': 'response.output_text.done',
  'response.refusal.delta': 'response.refusal.done',
  'response.reasoning_summary_text.delta': 'response.reasoning_summary_text.done',
  'response.reasoning_text.delta': 'response.reasoning_text.done',
  'response.function_call_arguments.delta': 'response.function_call_arguments.done',
};

/** One streamed text: its delta event type and where it is (item, content or summary part). */
const keyOf = (type: string, data: JsonObject): string =>
  [type, data['output_index'], data['content_index'] ?? data['summary_index'] ?? ''].join('|');

/**
 * A Responses stream, redacted: each streamed text (a message part, a reasoning summary, a call's
 * arguments) is redacted as it streams, held back only as much as the longest pattern can match;
 * what is held goes out as one more delta just before the text's `.done` event. The whole texts of
 * the `.done` events, the items and the final response are redacted as they are. An added delta
 * shifts the `sequence_number` of every event after it by one, so the numbers still run on.
 */
export function openAiResponsesStreamRedactor(patterns: readonly Pattern[]): StreamRedactor {
  const texts = new StreamRedactors<string>(patterns);
  /** For each text held: the delta event it came in, as the template for the flushing one. */
  const templates = new Map<string, JsonObject>();
  let shift = 0;

  const number = (data: JsonObject): void => {
    if (typeof data['sequence_number'] === 'number') data['sequence_number'] += shift;
  };

  const flush = (key: string, at: number | undefined): StreamEvent[] => {
    const template = templates.get(key);
    templates.delete(key);
    const rest = texts.end(key);
    if (template === undefined || rest === '') return [];
    const data: JsonObject = { ...template, delta: rest };
    if (typeof at === 'number') data['sequence_number'] = at + shift;
    shift += 1;
    return [{ event: data['type'] as string, data: JSON.stringify(data) }];
  };

  const rewrite = (event: StreamEvent, data: JsonObject, before: StreamEvent[] = []): StreamEvent[] => {
    number(data);
    return [...before, { event: event.event, data: JSON.stringify(data) }];
  };

  return {
    next(event) {
      const data = (() => {
        try {
          return JSON.parse(event.data) as unknown;
        } catch {
          return undefined;
        }
      })();
      if (!isJsonObject(data) || typeof data['type'] !== 'string')
        return [{ event: event.event, data: event.data }];
      const type = data['type'];
      const field = DELTAS[type];
      if (field !== undefined && typeof data[field] === 'string') {
        const key = keyOf(type, data);
        if (!templates.has(key)) templates.set(key, { ...data, delta: '' });
        data[field] = texts.push(key, data[field]);
        return rewrite(event, data);
      }
      const deltaType = Object.keys(DONE_OF).find((delta) => DONE_OF[delta] === type);
      if (deltaType !== undefined) {
        const before = flush(keyOf(deltaType, data), data['sequence_number'] as number | undefined);
        for (const key of ['text', 'refusal', 'arguments']) redactField(data, key, patterns);
        return rewrite(event, data, before);
      }
      if (type === 'response.content_part.done' || type === 'response.reasoning_summary_part.done') {
        redactField(data['part'], 'text', patterns);
        redactField(data['part'], 'refusal', patterns);
        return rewrite(event, data);
      }
      if (type === 'response.output_item.done') {
        redactItem(data['item'], patterns);
        return rewrite(event, data);
      }
      if (isJsonObject(data['response'])) {
        // The final response: what is still held (a stream without its `.done` events) goes first.
        const before = texts
          .keys()
          .flatMap((key) => flush(key, data['sequence_number'] as number | undefined));
        redactResponse(data['response'], patterns);
        return rewrite(event, data, before);
      }
      if (shift === 0) return [{ event: event.event, data: event.data }];
      return rewrite(event, data);
    },
    end: () => texts.keys().flatMap((key) => flush(key, undefined)),
  };
}
