import { describe, expect, it } from 'vitest';
import { plainMessages as plainMessagesOf } from '../../../gateway/filters/engine.ts';
import { anthropicMessagesView } from '../../../gateway/formats/anthropic-messages/view.ts';
import { geminiGenerateView } from '../../../gateway/formats/gemini-generate/view.ts';
import { openAiChatView } from '../../../gateway/formats/openai-chat/view.ts';
import type { JsonObject, RequestView } from '../../../gateway/formats/types.ts';

const VIEWS: Record<'openai' | 'anthropic' | 'gemini', RequestView> = {
  openai: openAiChatView,
  anthropic: anthropicMessagesView,
  gemini: geminiGenerateView,
};
const textSlots = (body: JsonObject, format: keyof typeof VIEWS) => VIEWS[format].textSlots(body);
const plainMessages = (body: JsonObject, format: keyof typeof VIEWS) => plainMessagesOf(body, VIEWS[format]);

const roleAndText = (body: JsonObject, format: 'openai' | 'anthropic' | 'gemini') =>
  textSlots(body, format).map((slot) => [slot.role, slot.text]);

/** Rewrites every slot to upper case through the view, as a filter would. */
function shout(body: JsonObject, format: 'openai' | 'anthropic' | 'gemini'): JsonObject {
  for (const slot of textSlots(body, format)) slot.set(slot.text.toUpperCase());
  return body;
}

describe('textSlots on OpenAI bodies', () => {
  const body = (): JsonObject => ({
    model: 'gpt-4.1-nano',
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'developer', content: 'dev note' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look at this' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          { type: 'text', text: 'and this' },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'result text' },
      { content: 'no role' },
    ],
  });

  it('sees system, developer, user text parts, tool-call arguments and tool results, in order', () => {
    expect(roleAndText(body(), 'openai')).toEqual([
      ['system', 'be brief'],
      ['developer', 'dev note'],
      ['user', 'look at this'],
      ['user', 'and this'],
      ['assistant', '{"q":"x"}'],
      ['tool', 'result text'],
      ['user', 'no role'],
    ]);
  });

  it('writes back in place, leaving everything else as it was', () => {
    const rewritten = shout(body(), 'openai');
    const messages = rewritten['messages'] as JsonObject[];
    expect(messages[0]).toEqual({ role: 'system', content: 'BE BRIEF' });
    expect(messages[2]!['content']).toEqual([
      { type: 'text', text: 'LOOK AT THIS' },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      { type: 'text', text: 'AND THIS' },
    ]);
    expect(messages[3]!['tool_calls']).toEqual([
      { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"Q":"X"}' } },
    ]);
    expect(messages[4]).toEqual({ role: 'tool', tool_call_id: 'c1', content: 'RESULT TEXT' });
    expect(rewritten['model']).toBe('gpt-4.1-nano');
  });

  it('sees the input of embeddings and the prompt of legacy completions, as strings or lists', () => {
    expect(roleAndText({ input: 'embed me' }, 'openai')).toEqual([['user', 'embed me']]);
    const list: JsonObject = { input: ['a', 3, 'b'] };
    expect(roleAndText(list, 'openai')).toEqual([
      ['user', 'a'],
      ['user', 'b'],
    ]);
    shout(list, 'openai');
    expect(list).toEqual({ input: ['A', 3, 'B'] });
    const prompt: JsonObject = { prompt: 'complete me' };
    shout(prompt, 'openai');
    expect(prompt).toEqual({ prompt: 'COMPLETE ME' });
  });

  it('copes with bodies that are not what they should be', () => {
    expect(textSlots({}, 'openai')).toEqual([]);
    expect(textSlots({ messages: 'nope' }, 'openai')).toEqual([]);
    expect(textSlots({ messages: [null, 3, 'x', { role: 'user', content: 7 }] }, 'openai')).toEqual([]);
  });
});

describe('textSlots on Anthropic bodies', () => {
  const body = (): JsonObject => ({
    model: 'claude-haiku-4-5',
    system: 'be brief',
    messages: [
      { role: 'user', content: 'hello' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'calling a tool' },
          { type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'x' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'plain result' },
          { type: 'tool_result', tool_use_id: 't2', content: [{ type: 'text', text: 'block result' }] },
          { type: 'text', text: 'thanks' },
        ],
      },
    ],
  });

  it('sees the system prompt, message text, tool-call input and tool results (string or blocks)', () => {
    expect(roleAndText(body(), 'anthropic')).toEqual([
      ['system', 'be brief'],
      ['user', 'hello'],
      ['assistant', 'calling a tool'],
      ['assistant', '{"q":"x"}'],
      ['tool', 'plain result'],
      ['tool', 'block result'],
      ['user', 'thanks'],
    ]);
  });

  it('sees a system prompt given as blocks, and writes every slot back', () => {
    const withBlocks: JsonObject = {
      ...body(),
      system: [
        { type: 'text', text: 'first' },
        { type: 'text', text: 'second' },
      ],
    };
    expect(roleAndText(withBlocks, 'anthropic').slice(0, 2)).toEqual([
      ['system', 'first'],
      ['system', 'second'],
    ]);
    const rewritten = shout(body(), 'anthropic');
    expect(rewritten['system']).toBe('BE BRIEF');
    const messages = rewritten['messages'] as JsonObject[];
    expect(messages[0]).toEqual({ role: 'user', content: 'HELLO' });
    expect(messages[2]!['content']).toEqual([
      { type: 'tool_result', tool_use_id: 't1', content: 'PLAIN RESULT' },
      { type: 'tool_result', tool_use_id: 't2', content: [{ type: 'text', text: 'BLOCK RESULT' }] },
      { type: 'text', text: 'THANKS' },
    ]);
  });

  it('rewrites tool-call input as JSON', () => {
    const rewritten = shout(body(), 'anthropic');
    const assistant = (rewritten['messages'] as JsonObject[])[1]!['content'] as JsonObject[];
    expect(assistant[1]!['input']).toEqual({ Q: 'X' });
  });
});

describe('textSlots on Gemini function calls', () => {
  it('sees and rewrites function-call arguments and function responses', () => {
    const body: JsonObject = {
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { answer: 'y' } } }] },
      ],
    };
    expect(roleAndText(body, 'gemini')).toEqual([
      ['assistant', '{"q":"x"}'],
      ['tool', '{"answer":"y"}'],
    ]);
  });
});

describe('textSlots on Gemini bodies', () => {
  const body = (key: 'systemInstruction' | 'system_instruction'): JsonObject => ({
    [key]: { parts: [{ text: 'be brief' }] },
    contents: [
      { role: 'user', parts: [{ text: 'hello' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
      { role: 'model', parts: [{ text: 'hi there' }] },
      { parts: [{ text: 'no role' }] },
    ],
  });

  it.each(['systemInstruction', 'system_instruction'] as const)(
    'sees the system instruction (%s) and each text part, model turns as assistant',
    (key) => {
      expect(roleAndText(body(key), 'gemini')).toEqual([
        ['system', 'be brief'],
        ['user', 'hello'],
        ['assistant', 'hi there'],
        ['user', 'no role'],
      ]);
      const rewritten = shout(body(key), 'gemini');
      expect(rewritten[key]).toEqual({ parts: [{ text: 'BE BRIEF' }] });
      expect((rewritten['contents'] as JsonObject[])[0]).toEqual({
        role: 'user',
        parts: [{ text: 'HELLO' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }],
      });
    },
  );

  // Not asserted (reported): `functionCall.args` and `functionResponse.response` parts (Gemini's
  // tool-call arguments and tool results) are not in the view, so no filter sees them.
});

describe('plainMessages', () => {
  it('gives the {role, content} pairs a script sees, one per text slot', () => {
    expect(
      plainMessages(
        {
          messages: [
            { role: 'system', content: 'be brief' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'a' },
                { type: 'text', text: 'b' },
              ],
            },
          ],
        },
        'openai',
      ),
    ).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
    expect(plainMessages({ contents: [{ role: 'model', parts: [{ text: 'x' }] }] }, 'gemini')).toEqual([
      { role: 'assistant', content: 'x' },
    ]);
  });
});
