import type { Pattern } from '../../filters/patterns.ts';
import { redactJsonField, redactText, StreamRedactors } from '../../filters/redact.ts';
import type { JsonObject, StreamRedactor } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

/** Redacts an Anthropic Messages answer in place: text, thinking and tool-call input. */
export function redactMessage(answer: JsonObject, patterns: readonly Pattern[]): void {
  for (const block of Array.isArray(answer['content']) ? answer['content'] : []) {
    if (!isJsonObject(block)) continue;
    for (const key of ['text', 'thinking']) {
      if (typeof block[key] === 'string') block[key] = redactText(block[key], patterns);
    }
    if (block['type'] === 'tool_use') redactJsonField(block, 'input', patterns);
  }
}

type DeltaKind = 'text_delta' | 'thinking_delta' | 'input_json_delta';

const FIELD_OF = {
  text_delta: 'text',
  thinking_delta: 'thinking',
  input_json_delta: 'partial_json',
} as const;

/**
 * An Anthropic stream, redacted: each content block's text, thinking or tool input is redacted as
 * it streams; what is held of a block goes out as one more delta before the block stops.
 */
export function anthropicStreamRedactor(patterns: readonly Pattern[]): StreamRedactor {
  const texts = new StreamRedactors<number>(patterns);
  const kinds = new Map<number, DeltaKind>();
  const flush = (index: number) => {
    const kind = kinds.get(index);
    kinds.delete(index);
    const rest = texts.end(index);
    if (kind === undefined || rest === '') return [];
    const delta = { type: kind, [FIELD_OF[kind]]: rest };
    return [
      { event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index, delta }) },
    ];
  };
  return {
    next(event) {
      const unchanged = [{ event: event.event, data: event.data }];
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return unchanged;
      }
      // `null`, a number, an array: no content to redact; passed on as it came.
      if (!isJsonObject(parsed)) return unchanged;
      const data = parsed;
      const index = typeof data['index'] === 'number' ? data['index'] : -1;
      if (data['type'] === 'content_block_delta' && isJsonObject(data['delta'])) {
        const delta = data['delta'];
        const kind = delta['type'];
        if (kind === 'text_delta' || kind === 'thinking_delta' || kind === 'input_json_delta') {
          const field = FIELD_OF[kind];
          if (typeof delta[field] === 'string') {
            if (!kinds.has(index)) kinds.set(index, kind);
            delta[field] = texts.push(index, delta[field]);
            return [{ event: event.event, data: JSON.stringify(data) }];
          }
        }
      }
      if (data['type'] === 'content_block_stop') return [...flush(index), ...unchanged];
      if (data['type'] === 'message_delta' || data['type'] === 'message_stop') {
        return [...texts.keys().flatMap(flush), ...unchanged];
      }
      return unchanged;
    },
    end: () => texts.keys().flatMap(flush),
  };
}
