import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicMessagesFormat } from '../../../../../gateway/formats/anthropic-messages/index.ts';
import { anthropicInbound } from '../../../../../gateway/formats/anthropic-messages/inbound/index.ts';
import type { JsonObject } from '../../../../../gateway/formats/types.ts';
import { fixtureJson } from '../../../../support/fixtures.ts';

const CONTEXT = { model: 'claude-sonnet-4-5' };
const answer = (
  message: JsonObject,
  finishReason: string | null = 'stop',
  extra: JsonObject = {},
): JsonObject => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-5',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
  ...extra,
});

describe('anthropicInbound.response', () => {
  it('turns OpenAI’s recorded answer into a message', () => {
    const hub = fixtureJson('openai/openai-text.json');
    const message = anthropicInbound.response(hub, CONTEXT);
    expect(message).toEqual({
      id: 'msg_chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'text', text: (hub['choices'] as { message: { content: string } }[])[0]!.message.content },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 16,
        output_tokens: 363,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it('turns DeepSeek’s recorded tool call into tool_use, leaves out unsigned reasoning, splits cached input', () => {
    const message = anthropicInbound.response(
      fixtureJson('openai-compatible/deepseek-tool-call.json'),
      CONTEXT,
    );
    const content = message['content'] as JsonObject[];
    expect(content.map((block) => block['type'])).not.toContain('thinking');
    expect(content.find((block) => block['type'] === 'tool_use')).toMatchObject({
      type: 'tool_use',
      id: expect.any(String),
      name: 'weather',
      input: expect.any(Object),
    });
    expect(message['stop_reason']).toBe('tool_use');
    const usage = message['usage'] as Record<string, number>;
    expect(usage['cache_read_input_tokens']).toBeGreaterThan(0);
    expect(usage['input_tokens']! + usage['cache_read_input_tokens']!).toBe(
      (fixtureJson('openai-compatible/deepseek-tool-call.json')['usage'] as JsonObject)[
        'prompt_tokens'
      ] as number,
    );
  });

  it.each([
    ['stop', {}, 'end_turn', null],
    ['stop', { stop_reason: 'END' }, 'stop_sequence', 'END'],
    ['length', {}, 'max_tokens', null],
    ['content_filter', {}, 'refusal', null],
    ['tool_calls', {}, 'tool_use', null],
  ])('finish_reason %s %j → stop_reason %s', (finish, choiceExtra, stopReason, stopSequence) => {
    const hub = answer({ content: 'x' }, finish);
    Object.assign((hub['choices'] as JsonObject[])[0]!, choiceExtra);
    const message = anthropicInbound.response(hub, CONTEXT);
    expect([message['stop_reason'], message['stop_sequence']]).toEqual([stopReason, stopSequence]);
  });

  it('parses tool arguments, `{}` for arguments that are not a JSON object; tool_use even after `stop`', () => {
    const message = anthropicInbound.response(
      answer({
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
          { id: 'call_b', type: 'function', function: { name: 'b', arguments: '{"x":' } },
        ],
      }),
      CONTEXT,
    );
    expect(message['content']).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'a', input: { x: 1 } },
      { type: 'tool_use', id: 'call_b', name: 'b', input: {} },
    ]);
    expect(message['stop_reason']).toBe('tool_use');
  });

  it('says a refusal as text with stop_reason refusal', () => {
    const message = anthropicInbound.response(answer({ content: null, refusal: 'I cannot help.' }), CONTEXT);
    expect([message['content'], message['stop_reason']]).toEqual([
      [{ type: 'text', text: 'I cannot help.' }],
      'refusal',
    ]);
  });

  it('round-trips through the outbound direction’s reading of an Anthropic answer', () => {
    const hub = answer(
      {
        content: 'Checking.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'w', arguments: '{"c":"P"}' } }],
      },
      'tool_calls',
      { usage: { prompt_tokens: 30, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 10 } } },
    );
    const back = anthropicMessagesFormat.chat.response(anthropicInbound.response(hub, CONTEXT), {
      model: 'x',
      created: 1,
    });
    expect(back.body).toMatchObject({
      choices: [
        {
          message: {
            content: 'Checking.',
            tool_calls: [{ id: 'toolu_1', function: { name: 'w', arguments: '{"c":"P"}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
    expect(back.usage).toMatchObject({ inputTokens: 30, outputTokens: 5, cachedInputTokens: 10 });
  });

  it('is what @anthropic-ai/sdk’s messages.create reads', async () => {
    const body = anthropicInbound.response(fixtureJson('openai-compatible/deepseek-tool-call.json'), CONTEXT);
    const client = new Anthropic({
      apiKey: 'test',
      baseURL: 'http://gateway.test',
      fetch: async () =>
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
    });
    const message = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.some((block) => block.type === 'tool_use' && block.name === 'weather')).toBe(true);
  });
});

describe('anthropicInbound token counts and model lists', () => {
  it('answers count_tokens and models in Anthropic’s shapes', () => {
    expect(anthropicInbound.tokenCount(42)).toEqual({ input_tokens: 42 });
    expect(anthropicInbound.modelList(['a', 'b'])).toEqual({
      data: [
        { type: 'model', id: 'a', display_name: 'a', created_at: '1970-01-01T00:00:00Z' },
        { type: 'model', id: 'b', display_name: 'b', created_at: '1970-01-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'a',
      last_id: 'b',
    });
  });
});
