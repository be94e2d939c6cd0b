import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertMessages } from '../../../../gateway/formats/gemini-generate/convert-messages.ts';
import { isRecord } from '../../../../gateway/formats/gemini-generate/json.ts';

/*
 * Arbitrary valid OpenAI conversations (system/developer/user/assistant, tool calls answered by
 * tool results in any order, text, images, empty strings, same roles in a row) must become a
 * request Gemini accepts.
 */

const text = fc.oneof(fc.constant(''), fc.string({ maxLength: 12 }));
const textParts = fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 3 });
const image = fc.oneof(
  fc.constant({ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }),
  fc.constant({ type: 'image_url', image_url: { url: 'https://example.com/photo.webp', detail: 'low' } }),
);
const userContent = fc.oneof(
  text,
  fc.array(fc.oneof(fc.record({ type: fc.constant('text'), text }), image), { maxLength: 4 }),
);
const toolNames = fc.constantFrom('weather', 'search', 'read_file', 'now');
const args = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 5 }),
  fc.oneof(fc.integer(), fc.string(), fc.boolean()),
  {
    maxKeys: 3,
  },
);

type Message = Record<string, unknown>;

const systemSegment = fc
  .record({ role: fc.constantFrom('system', 'developer'), content: fc.oneof(text, textParts) })
  .map((message): Message[] => [message]);
const userSegment = fc
  .record({ role: fc.constant('user'), content: userContent })
  .map((message): Message[] => [message]);
const assistantText = fc
  .record({ role: fc.constant('assistant'), content: fc.oneof(text, fc.constant(null), textParts) })
  .map((message): Message[] => [message]);
/** An assistant message with tool calls, followed by one result for each call, in any order. */
const toolSegment = fc
  .record({
    content: fc.oneof(text, fc.constant(null)),
    calls: fc.array(fc.record({ name: toolNames, args, signed: fc.boolean() }), {
      minLength: 1,
      maxLength: 3,
    }),
    results: fc.array(fc.oneof(text, fc.constant('{"ok":true}'), fc.constant('[1,2]')), {
      minLength: 3,
      maxLength: 3,
    }),
    order: fc.func(fc.integer()),
  })
  .map(({ content, calls, results, order }): Message[] => {
    const ids = calls.map(() => `pending`);
    const assistant = {
      role: 'assistant',
      content,
      tool_calls: calls.map((call, index) => ({
        id: ids[index],
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.args) },
        ...(call.signed ? { extra_content: { google: { thought_signature: 'c2lnbmVk' } } } : {}),
      })),
    };
    const answers = calls
      .map((_, index) => ({ role: 'tool', tool_call_id: index, content: results[index] }))
      .sort((a, b) => order(a.tool_call_id) - order(b.tool_call_id));
    return [assistant, ...answers];
  });

/** Whole conversations, with tool-call ids made unique across them. */
const conversations = fc
  .array(fc.oneof(systemSegment, userSegment, assistantText, toolSegment), { minLength: 1, maxLength: 12 })
  .map((segments) => {
    let counter = 0;
    return segments
      .map((segment) => {
        const base = counter;
        counter += 10;
        return segment.map((message) => {
          if (Array.isArray(message['tool_calls'])) {
            return {
              ...message,
              tool_calls: (message['tool_calls'] as Message[]).map((call, index) => ({
                ...call,
                id: `call_${base + index}`,
              })),
            };
          }
          if (message['role'] === 'tool')
            return { ...message, tool_call_id: `call_${base + Number(message['tool_call_id'])}` };
          return message;
        });
      })
      .flat();
  });

const KINDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'] as const;

function partHasData(part: Record<string, unknown>): boolean {
  const kinds = KINDS.filter((kind) => part[kind] !== undefined);
  if (kinds.length !== 1) return false;
  const value = part[kinds[0]!];
  switch (kinds[0]) {
    case 'text':
      return typeof value === 'string' && value !== '';
    case 'inlineData':
      return isRecord(value) && typeof value['mimeType'] === 'string' && typeof value['data'] === 'string';
    case 'fileData':
      return isRecord(value) && typeof value['fileUri'] === 'string';
    case 'functionCall':
      return isRecord(value) && typeof value['name'] === 'string' && isRecord(value['args']);
    default:
      return isRecord(value) && typeof value['name'] === 'string' && isRecord(value['response']);
  }
}

const systemTexts = (messages: Message[]) =>
  messages
    .filter((message) => message['role'] === 'system' || message['role'] === 'developer')
    .flatMap((message) =>
      typeof message['content'] === 'string'
        ? [message['content']]
        : (message['content'] as { text: string }[]).map((part) => part.text),
    )
    .filter((value) => value !== '');

describe('convertMessages on arbitrary valid conversations', () => {
  it('gives contents Gemini accepts', () => {
    fc.assert(
      fc.property(conversations, (messages) => {
        const { contents, systemInstruction } = convertMessages(messages);
        contents.forEach((content, index) => {
          expect(['user', 'model']).toContain(content.role);
          if (index > 0) expect(content.role).not.toBe(contents[index - 1]!.role);
          expect(content.parts.length).toBeGreaterThan(0);
          for (const part of content.parts) expect(partHasData(part)).toBe(true);
          const responses = content.parts.filter((part) => part['functionResponse'] !== undefined);
          if (responses.length > 0) {
            const previous = contents[index - 1];
            expect(content.role).toBe('user');
            expect(previous?.role).toBe('model');
            const calls = previous!.parts.filter((part) => part['functionCall'] !== undefined);
            const callNames = calls.map((part) => (part['functionCall'] as { name: string }).name);
            for (const part of responses) {
              expect(callNames).toContain((part['functionResponse'] as { name: string }).name);
            }
            expect(responses.length).toBe(calls.length);
          }
          const calls = content.parts.filter((part) => part['functionCall'] !== undefined);
          if (calls.length > 0) {
            expect(content.role).toBe('model');
            // Gemini 3 refuses a model turn whose first call comes back unsigned.
            expect(calls.some((part) => typeof part['thoughtSignature'] === 'string')).toBe(true);
          }
        });
        const expected = systemTexts(messages);
        if (expected.length === 0) expect(systemInstruction).toBeUndefined();
        else expect(systemInstruction).toEqual({ parts: expected.map((value) => ({ text: value })) });
      }),
      { numRuns: 400 },
    );
  });

  it('loses no text: every non-empty user and assistant text reaches the contents, in order', () => {
    fc.assert(
      fc.property(conversations, (messages) => {
        const sent = messages
          .filter((message) => message['role'] === 'user' || message['role'] === 'assistant')
          .flatMap((message) => {
            const content = message['content'];
            if (typeof content === 'string') return [content];
            if (!Array.isArray(content)) return [];
            return (content as { type: string; text?: string }[])
              .filter((part) => part.type === 'text')
              .map((part) => part.text!);
          })
          .filter((value) => value !== '');
        const received = convertMessages(messages)
          .contents.flatMap((content) => content.parts)
          .map((part) => part['text'])
          .filter((value): value is string => typeof value === 'string');
        expect(received).toEqual(sent);
      }),
      { numRuns: 200 },
    );
  });
});
