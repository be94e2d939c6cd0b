import { describe, expect, it } from 'vitest';
import type {
  AssistantMessageOut,
  ChatCompletionOut,
} from '../../../../gateway/formats/anthropic-messages/chat-completion.ts';
import type { MessagesRequest } from '../../../../gateway/formats/anthropic-messages/messages-request.ts';
import { toAnthropicRequest } from '../../../../gateway/formats/anthropic-messages/request.ts';
import { fromAnthropicResponse } from '../../../../gateway/formats/anthropic-messages/response.ts';
import type { JsonObject } from '../../../../gateway/formats/types.ts';
import { messagesProblem } from '../../../support/fake-anthropic.ts';
import { CREATED, assemble, recordingChunks, recordingJson, replay } from './replay.ts';

/**
 * A tool loop with thinking, across two requests: Claude thinks and calls a tool; the client sends
 * the assistant message back as it got it (thinking_blocks included) with the tool's result; the
 * next request must carry the thinking block, signature and all, first in that assistant turn.
 */

const getWeather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } },
  },
};
const QUESTION = { role: 'user', content: 'What is the weather in Paris?' };

function nextRequest(messages: JsonObject[], model = 'claude-sonnet-4-5'): MessagesRequest {
  const out = toAnthropicRequest(
    { messages, tools: [getWeather], reasoning_effort: 'medium' },
    { model, stream: false, defaultMaxTokens: 32000 },
  ) as MessagesRequest;
  expect(messagesProblem(out as unknown as Record<string, unknown>)).toBeNull();
  return out;
}

describe('not streamed', () => {
  const answer = recordingJson('own:thinking-tool-use.json') as { content: Record<string, unknown>[] };
  const body = fromAnthropicResponse(answer, { model: 'claude-sonnet-4-5', created: CREATED })
    .body as ChatCompletionOut;
  const message = body.choices[0]!.message as AssistantMessageOut;

  it('sends the thinking block back first, with its signature, when the client echoes the message', () => {
    // What a client that keeps the message as it came (the OpenAI SDK, LiteLLM) sends next.
    const echoed: JsonObject = { ...message };
    const out = nextRequest([
      QUESTION,
      echoed,
      { role: 'tool', tool_call_id: message.tool_calls![0]!.id, content: '18°C and sunny' },
    ]);
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(out.messages[1]).toEqual({
      role: 'assistant',
      content: [
        {
          type: 'thinking',
          thinking: answer.content[0]!['thinking'],
          signature: answer.content[0]!['signature'],
        },
        { type: 'text', text: 'Let me check the weather.' },
        {
          type: 'tool_use',
          id: 'toolu_01TestWeatherParis000001',
          name: 'get_weather',
          input: { city: 'Paris', unit: 'celsius' },
        },
      ],
    });
    expect(out.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01TestWeatherParis000001', content: '18°C and sunny' },
      ],
    });
  });

  it('sends no thinking when the client dropped the blocks (as the Vercel AI SDK does), so Anthropic does not refuse', () => {
    const { thinking_blocks: _dropped, reasoning_content: _alsoDropped, ...rest } = message;
    const out = nextRequest([
      QUESTION,
      { ...rest },
      { role: 'tool', tool_call_id: message.tool_calls![0]!.id, content: '18°C' },
    ]);
    expect(out.thinking).toBeUndefined();
    expect(out.messages[1]!.content.map((block) => block.type)).toEqual(['text', 'tool_use']);
  });

  it('keeps a redacted_thinking block as it came', () => {
    const redacted = fromAnthropicResponse(recordingJson('own:redacted-thinking.json'), {
      model: 'm',
      created: CREATED,
    }).body as ChatCompletionOut;
    const out = toAnthropicRequest(
      {
        messages: [QUESTION, { ...redacted.choices[0]!.message }, { role: 'user', content: 'And Germany?' }],
        reasoning_effort: 'low',
      },
      { model: 'claude-3-7-sonnet-latest', stream: false, defaultMaxTokens: 8000 },
    ) as MessagesRequest;
    expect(out.messages[1]!.content.map((block) => block.type)).toEqual([
      'thinking',
      'redacted_thinking',
      'text',
    ]);
    expect(out.messages[1]!.content[1]).toEqual(
      (recordingJson('own:redacted-thinking.json') as { content: unknown[] }).content[1],
    );
  });
});

describe('streamed', () => {
  const lines = recordingChunks('own:multi-tool-call.chunks.txt');
  const assembled = assemble(replay(lines).payloads);

  it('sends back the thinking block the stream gave at its end, and both tool calls with their results', () => {
    const echoed: JsonObject = {
      role: 'assistant',
      content: assembled.content,
      tool_calls: assembled.toolCalls,
      thinking_blocks: assembled.thinkingBlocks,
    };
    const out = nextRequest([
      QUESTION,
      echoed,
      { role: 'tool', tool_call_id: assembled.toolCalls[0]!.id, content: '18°C' },
      { role: 'tool', tool_call_id: assembled.toolCalls[1]!.id, content: '24°C' },
    ]);
    expect(out.thinking).toBeDefined();
    expect(out.messages[1]!.content).toEqual([
      {
        type: 'thinking',
        thinking: 'Two cities: I can ask for both at once.',
        signature: 'ErUBCkYIBRgCIkBtestsignaturemultitoolthinkingCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC==',
      },
      { type: 'text', text: 'Checking both cities.' },
      {
        type: 'tool_use',
        id: 'toolu_01TestWeatherParis000002',
        name: 'get_weather',
        input: { city: 'Paris', unit: 'celsius' },
      },
      {
        type: 'tool_use',
        id: 'toolu_01TestWeatherTokyo000001',
        name: 'get_weather',
        input: { city: 'Tokyo', unit: 'celsius' },
      },
    ]);
    expect(out.messages[2]!.content.map((block) => block.type)).toEqual(['tool_result', 'tool_result']);
  });

  it('works the same on an adaptive model', () => {
    const out = nextRequest(
      [
        QUESTION,
        {
          role: 'assistant',
          content: null,
          tool_calls: assembled.toolCalls,
          thinking_blocks: assembled.thinkingBlocks,
        },
        { role: 'tool', tool_call_id: assembled.toolCalls[0]!.id, content: '18°C' },
        { role: 'tool', tool_call_id: assembled.toolCalls[1]!.id, content: '24°C' },
      ],
      'claude-opus-4-7',
    );
    expect(out.thinking).toEqual({ type: 'adaptive', display: 'summarized' });
    expect(out.messages[1]!.content[0]).toMatchObject({
      type: 'thinking',
      signature: expect.stringMatching(/^ErUB/),
    });
  });
});
