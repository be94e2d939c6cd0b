import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicInbound } from '../../../../../gateway/formats/anthropic-messages/inbound/index.ts';
import { openAiChatFormat } from '../../../../../gateway/formats/openai-chat/index.ts';
import type { HubPart, JsonObject, StreamEvent, Usage } from '../../../../../gateway/formats/types.ts';
import { fixtureChunks } from '../../../../support/fixtures.ts';

const MODEL = 'claude-sonnet-4-5';
const ESTIMATE = 321;

/** A recorded OpenAI-format stream as the pipeline relays it: the hub reducer, then the encoder. */
function relay(lines: readonly string[], options: { done?: boolean } = {}): StreamEvent[] {
  const hub = openAiChatFormat.chat.stream;
  const hubState = hub.init({ model: 'upstream', created: 1, clientWantsUsage: true });
  const state = anthropicInbound.stream.init({ model: MODEL, estimatedInputTokens: ESTIMATE });
  const data = options.done === false ? lines : [...lines, '[DONE]'];
  const events = data.flatMap((line) =>
    hub
      .next(hubState, { event: undefined, data: line, id: undefined })
      .flatMap((part) => anthropicInbound.stream.next(state, part)),
  );
  const end = hub.end(hubState);
  return [...events, ...anthropicInbound.stream.end(state, hub.usage(hubState), end.complete)];
}

/** The events as encoded JSON, each checked to name its own type. */
function payloads(events: readonly StreamEvent[]): JsonObject[] {
  return events.map((event) => {
    const data = JSON.parse(event.data) as JsonObject;
    expect(event.event).toBe(data['type']);
    return data;
  });
}

const sse = (events: readonly StreamEvent[]): string =>
  events.map((event) => `event: ${event.event}\ndata: ${event.data}\n\n`).join('');

/** What @anthropic-ai/sdk's stream helper puts together from the events. */
async function sdkFinalMessage(events: readonly StreamEvent[]): Promise<Anthropic.Message> {
  const client = new Anthropic({
    apiKey: 'test',
    baseURL: 'http://gateway.test',
    fetch: async () => new Response(sse(events), { headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.messages
    .stream({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] })
    .finalMessage();
}

/** Anthropic's order: start, ping, blocks opened and closed one at a time, delta, stop. */
function expectAnthropicOrder(types: readonly string[]): void {
  expect(types.slice(0, 2)).toEqual(['message_start', 'ping']);
  expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
  let open = false;
  for (const type of types.slice(2, -2)) {
    if (type === 'content_block_start') {
      expect(open).toBe(false);
      open = true;
    } else if (type === 'content_block_stop') {
      expect(open).toBe(true);
      open = false;
    } else expect([type, open]).toEqual(['content_block_delta', true]);
  }
  expect(open).toBe(false);
}

describe('anthropicInbound.stream on recordings', () => {
  it('OpenAI text: one text block, usage from the usage chunk, the estimate in message_start', async () => {
    const lines = fixtureChunks('openai/openai-text.chunks.txt');
    const events = relay(lines);
    const data = payloads(events);
    expectAnthropicOrder(data.map((item) => item['type'] as string));
    expect(data[0]).toMatchObject({
      message: {
        id: 'msg_chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0',
        model: MODEL,
        usage: { input_tokens: ESTIMATE, output_tokens: 1 },
      },
    });
    expect(data.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: {
        input_tokens: 16,
        output_tokens: 300,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    const text = lines
      .map((line) => JSON.parse(line) as { choices: { delta: { content?: string } }[] })
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    const message = await sdkFinalMessage(events);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 16, output_tokens: 300 });
  });

  it('DeepSeek tool call: reasoning left out, a tool_use block whose input streams as it arrives', async () => {
    const lines = fixtureChunks('openai-compatible/deepseek-tool-call.chunks.txt');
    const events = relay(lines);
    const data = payloads(events);
    expectAnthropicOrder(data.map((item) => item['type'] as string));
    const fragments = lines.filter(
      (line) => line.includes('"arguments":"') && !line.includes('"arguments":""'),
    ).length;
    expect(
      data.filter((item) => (item['delta'] as JsonObject | undefined)?.['type'] === 'input_json_delta'),
    ).toHaveLength(fragments);
    expect(data.some((item) => JSON.stringify(item).includes('thinking'))).toBe(false);
    const message = await sdkFinalMessage(events);
    const streamedArguments = lines
      .map(
        (line) =>
          JSON.parse(line) as {
            choices: { delta: { tool_calls?: { function?: { arguments?: string } }[] } }[];
          },
      )
      .map((chunk) => chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '')
      .join('');
    expect(message.content).toEqual([
      {
        type: 'tool_use',
        id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF',
        name: 'weather',
        input: JSON.parse(streamedArguments),
      },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({
      input_tokens: 339 - 320,
      cache_read_input_tokens: 320,
      output_tokens: 83,
    });
  });

  it('Azure model router: the prompt-filter chunk without choices starts nothing; the text follows', async () => {
    const events = relay(fixtureChunks('openai/azure-model-router.1.chunks.txt'));
    expectAnthropicOrder(payloads(events).map((item) => item['type'] as string));
    const message = await sdkFinalMessage(events);
    expect(message.id).toBe('msg_chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt');
    expect((message.content[0] as Anthropic.TextBlock).text).toMatch(/^Capital of Denmark/);
  });

  it('a cut stream owes nothing at its end: the pipeline sends the error', () => {
    const lines = fixtureChunks('openai/openai-text.chunks.txt').slice(0, 4);
    const types = payloads(relay(lines, { done: false })).map((item) => item['type']);
    expect(types).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
    ]);
  });
});

const chunk = (delta: JsonObject, finishReason: string | null = null, extra: JsonObject = {}): HubPart => ({
  type: 'chunk',
  chunk: {
    id: 'c1',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finishReason, ...extra }],
  },
});
const USAGE: Usage = { inputTokens: 50, outputTokens: 7, cachedInputTokens: 20, reasoningTokens: 0 };

function encode(parts: readonly HubPart[], usage: Usage = USAGE, complete = true): JsonObject[] {
  const state = anthropicInbound.stream.init({ model: MODEL, estimatedInputTokens: ESTIMATE });
  return payloads([
    ...parts.flatMap((part) => anthropicInbound.stream.next(state, part)),
    ...anthropicInbound.stream.end(state, usage, complete),
  ]);
}

describe('anthropicInbound.stream', () => {
  it('text then parallel tool calls: each block opened after the one before closes', async () => {
    const parts = [
      chunk({ role: 'assistant', content: 'Checking.' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x":' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      chunk({
        tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}' } }],
      }),
      chunk({}, 'tool_calls'),
      { type: 'done' } as HubPart,
    ];
    const data = encode(parts);
    expect(data.slice(2)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'call_a', name: 'a', input: {} },
      },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"x":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'call_b', name: 'b', input: {} },
      },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 2 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: {
          input_tokens: 30,
          output_tokens: 7,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 20,
        },
      },
      { type: 'message_stop' },
    ]);
    const message = await sdkFinalMessage(
      encode(parts).map((item) => ({ event: item['type'] as string, data: JSON.stringify(item) })),
    );
    expect(message.content.slice(1)).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'a', input: { x: 1 } },
      { type: 'tool_use', id: 'call_b', name: 'b', input: {} },
    ]);
  });

  it('a matched stop sequence, where the server names it', () => {
    const data = encode([chunk({ content: 'a' }), chunk({}, 'stop', { stop_reason: 'END' })]);
    expect(data.at(-2)?.['delta']).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it('an error chunk becomes Anthropic’s error event, and nothing follows it', () => {
    const data = encode([
      chunk({ content: 'a' }),
      {
        type: 'chunk',
        chunk: { error: { message: 'Overloaded', type: 'server_error', code: 'overloaded' } },
      },
      chunk({ content: 'b' }),
    ]);
    expect(data.slice(-1)).toEqual([
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ]);
  });

  it('an empty but complete stream still says start, delta and stop; message_start input is never 0', () => {
    const data = encode([{ type: 'done' }], {
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      reasoningTokens: null,
    });
    expect(data.map((item) => item['type'])).toEqual([
      'message_start',
      'ping',
      'message_delta',
      'message_stop',
    ]);
    expect(data[2]?.['usage']).toMatchObject({ input_tokens: ESTIMATE, output_tokens: 0 });
  });
});
