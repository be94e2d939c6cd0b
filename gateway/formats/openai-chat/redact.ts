import type { Pattern } from '../../filters/patterns.ts';
import { redactText, StreamRedactors } from '../../filters/redact.ts';
import type { HubPart, JsonObject, StreamRedactor } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';
import { hubPartData } from './encode-hub-part.ts';
import { openAiStream } from './stream.ts';

/** Redacts the text of an OpenAI chat completion in place (message content and tool-call arguments). */
export function redactCompletion(completion: JsonObject, patterns: readonly Pattern[]): void {
  for (const choice of Array.isArray(completion['choices']) ? completion['choices'] : []) {
    const message = isJsonObject(choice) ? choice['message'] : undefined;
    if (!isJsonObject(message)) continue;
    if (typeof message['content'] === 'string') message['content'] = redactText(message['content'], patterns);
    for (const call of Array.isArray(message['tool_calls']) ? message['tool_calls'] : []) {
      const fn = isJsonObject(call) ? call['function'] : undefined;
      if (isJsonObject(fn) && typeof fn['arguments'] === 'string')
        fn['arguments'] = redactText(fn['arguments'], patterns);
    }
  }
}

type DeltaText = { kind: 'content' | 'reasoning' } | { kind: 'tool'; tool: number };

/** One text of a choice: `<choice>|content`, `<choice>|reasoning`, `<choice>|tool|<index>`. */
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
  if (call && isJsonObject(call['function'])) {
    const fn = call['function'];
    fn['arguments'] = (typeof fn['arguments'] === 'string' ? fn['arguments'] : '') + rest;
  } else {
    calls.push({ index: text.tool, function: { arguments: rest } });
  }
}

/** Redacts a hub stream, part by part; see hubStreamRedactor. */
export interface HubStreamRedactor {
  next(parts: HubPart[]): HubPart[];
  /** The stream ended without a `done`: what is still held, in one last chunk per choice. */
  end(): HubPart[];
}

/**
 * Redacts a hub stream as it goes: each choice's content, reasoning and tool-call arguments are
 * redacted as texts of their own, held back only as much as the longest pattern can match; what
 * is held goes out, redacted, in the choice's finish chunk after its own text (or in one last
 * chunk per choice before `done`, or at the end of a stream without one). Parts are consumed: a
 * chunk whose text changes is rewritten in place and loses its upstream `text`.
 */
export function hubStreamRedactor(patterns: readonly Pattern[]): HubStreamRedactor {
  const texts = new StreamRedactors<string>(patterns);
  /** The last chunk seen, as the template for the chunk that flushes held-back text. */
  let template: JsonObject | null = null;

  /** Ends every text of a choice and adds what they held to `delta`; true when anything was added. */
  const drain = (choice: number, delta: JsonObject): boolean => {
    let added = false;
    for (const key of texts.keys()) {
      const [owner, kind, tool] = key.split('|');
      if (Number(owner) !== choice) continue;
      const rest = texts.end(key);
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

  const flushAll = (): HubPart[] => {
    const choices = new Set(texts.keys().map((key) => Number(key.split('|')[0])));
    return [...choices].flatMap((choice): HubPart[] => {
      const delta: JsonObject = {};
      if (!drain(choice, delta) || !template) return [];
      const chunk = { ...template, choices: [{ index: choice, delta, finish_reason: null, logprobs: null }] };
      return [{ type: 'chunk', chunk }];
    });
  };

  const rewrite = (part: HubPart): HubPart[] => {
    if (part.type === 'done') return [...flushAll(), part];
    // Only a chunk with choices is read: error chunks and odd ones pass as they are.
    if (part.type === 'raw' || !Array.isArray(part.chunk['choices'])) return [part];
    const chunk = part.chunk;
    const { choices: _choices, usage: _usage, ...rest } = chunk;
    template = { ...rest };
    let changed = false;
    const push = (choice: number, text: DeltaText, value: string) => {
      changed = true;
      return texts.push(keyOf(choice, text), value);
    };
    for (const choice of chunk['choices'] as unknown[]) {
      if (!isJsonObject(choice)) continue;
      const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
      const delta = choice['delta'];
      if (isJsonObject(delta)) {
        if (typeof delta['content'] === 'string' && delta['content'] !== '') {
          delta['content'] = push(index, { kind: 'content' }, delta['content']);
        }
        if (typeof delta['reasoning_content'] === 'string' && delta['reasoning_content'] !== '') {
          delta['reasoning_content'] = push(index, { kind: 'reasoning' }, delta['reasoning_content']);
        }
        for (const call of Array.isArray(delta['tool_calls']) ? delta['tool_calls'] : []) {
          const fn = isJsonObject(call) ? call['function'] : undefined;
          if (isJsonObject(fn) && typeof fn['arguments'] === 'string' && fn['arguments'] !== '') {
            const tool =
              typeof (call as JsonObject)['index'] === 'number'
                ? ((call as JsonObject)['index'] as number)
                : 0;
            fn['arguments'] = push(index, { kind: 'tool', tool }, fn['arguments']);
          }
        }
      }
      if (choice['finish_reason'] !== null && choice['finish_reason'] !== undefined) {
        // What was held back goes out in this same chunk, after its own text: order is kept.
        const target = isJsonObject(delta) ? delta : (choice['delta'] = {});
        if (drain(index, target as JsonObject)) changed = true;
      }
    }
    return [changed ? { type: 'chunk', chunk } : part];
  };

  return {
    next: (parts) => parts.flatMap(rewrite),
    end: flushAll,
  };
}

/**
 * An OpenAI stream on `/proxy`, redacted: read by the format's own reducer (which passes every
 * chunk on, usage included, since a native client gets all of it) and redacted as a hub stream.
 */
export function openAiStreamRedactor(patterns: readonly Pattern[]): StreamRedactor {
  const state = openAiStream.init({ model: '', created: 0, clientWantsUsage: true });
  const hub = hubStreamRedactor(patterns);
  const events = (parts: HubPart[]) => parts.map((part) => ({ event: undefined, data: hubPartData(part) }));
  return {
    next: (event) => events(hub.next(openAiStream.next(state, event))),
    end: () => events(hub.end()),
  };
}
