import type { JsonObject, TextSlot } from './types.ts';
import { isJsonObject } from './upstream-json.ts';

/*
 * Building blocks of the formats' request views: how a piece of a body becomes text a filter can
 * read and rewrite in place.
 */

/**
 * A JSON value (tool-call input, a function's arguments or response) as text a filter can read
 * and rewrite: written back parsed; a rewrite that is no longer JSON is kept as `{text}`.
 */
export function jsonSlot(holder: JsonObject, key: string, role: string, out: TextSlot[]): void {
  if (holder[key] === undefined) return;
  out.push({
    role,
    text: JSON.stringify(holder[key]),
    set: (text) => {
      try {
        holder[key] = JSON.parse(text) as unknown;
      } catch {
        holder[key] = { text };
      }
    },
  });
}

/**
 * A string or a list of content parts (OpenAI's and Anthropic's shape): each text, and the text of
 * Anthropic tool results (a string or blocks) and tool calls' input.
 */
export function contentSlots(holder: JsonObject, key: string, role: string, out: TextSlot[]): void {
  const content = holder[key];
  if (typeof content === 'string') {
    out.push({ role, text: content, set: (text) => (holder[key] = text) });
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (!isJsonObject(part)) continue;
    if (typeof part['text'] === 'string')
      out.push({ role, text: part['text'], set: (text) => (part['text'] = text) });
    if (part['type'] === 'tool_result') contentSlots(part, 'content', 'tool', out);
    if (part['type'] === 'tool_use') jsonSlot(part, 'input', role, out);
  }
}

/** A positive number, or undefined: an output limit a request names. */
export function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}
