import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import type {
  AssistantMessageOut,
  ChatCompletionOut,
} from '../../../../gateway/formats/anthropic-messages/chat-completion.ts';
import { fromAnthropicResponse } from '../../../../gateway/formats/anthropic-messages/response.ts';
import { checkUsage } from '../../../../gateway/formats/usage-check.ts';
import { CREATED, recordingJson } from './replay.ts';

const context = { model: 'claude-requested', created: CREATED };

function translate(name: string) {
  const result = fromAnthropicResponse(recordingJson(name), context);
  const body = result.body as ChatCompletionOut;
  return { result, body, message: body.choices[0]!.message as AssistantMessageOut, choice: body.choices[0]! };
}

describe('every recording', () => {
  it.each([
    'shared:anthropic-text.json',
    'shared:anthropic-json-other-tool.1.json',
    'shared:anthropic-tool-no-args.json',
    'shared:anthropic-clear-thinking.1.json',
    'shared:anthropic-claude-opus-5-reasoning-high.1.json',
    'own:refusal.json',
    'own:redacted-thinking.json',
    'own:thinking-tool-use.json',
    'own:response-format-tool.json',
  ])('%s: has the chat.completion shape with the answer’s id and model and our created', (name) => {
    const answer = recordingJson(name);
    const { body, result } = translate(name);
    expect(body).toMatchObject({
      id: answer['id'],
      object: 'chat.completion',
      created: CREATED,
      model: answer['model'],
      choices: [{ index: 0, logprobs: null, message: { role: 'assistant' } }],
    });
    expect(body.choices).toHaveLength(1);
    expect(result.upstreamModel).toBe(answer['model']);
    expect(body.usage!.total_tokens).toBe(body.usage!.prompt_tokens + body.usage!.completion_tokens);
  });
});

describe('anthropic-text.json', () => {
  it('gives the text as content, stop, and the usage', () => {
    const { message, choice, body, result } = translate('shared:anthropic-text.json');
    expect(message).toEqual({
      role: 'assistant',
      content:
        "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
      refusal: null,
    });
    expect(choice.finish_reason).toBe('stop');
    expect(body.usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 29,
      total_tokens: 41,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(result.usage).toEqual({
      inputTokens: 12,
      outputTokens: 29,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });
});

describe('anthropic-json-other-tool.1.json', () => {
  it('gives the tool_use as a tool call with the id kept and the input as JSON arguments; content is null', () => {
    const { message, choice, result } = translate('shared:anthropic-json-other-tool.1.json');
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([
      {
        id: 'toolu_01PQjhxo3eirCdKNvCJrKc8f',
        type: 'function',
        function: { name: 'weather', arguments: JSON.stringify({ location: 'San Francisco' }) },
      },
    ]);
    expect(choice.finish_reason).toBe('tool_calls');
    expect(result.usage).toMatchObject({ inputTokens: 843, outputTokens: 28 });
  });
});

describe('anthropic-tool-no-args.json', () => {
  it('keeps the text before the tool call, and an empty input becomes "{}"', () => {
    const { message, choice, result } = translate('shared:anthropic-tool-no-args.json');
    expect(message.content).toMatch(/^<thinking>\nThe updateIssueList tool/);
    expect(message.content).toMatch(/Okay, I will update the current issue list:$/);
    expect(message.tool_calls).toEqual([
      {
        id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1',
        type: 'function',
        function: { name: 'updateIssueList', arguments: '{}' },
      },
    ]);
    // A literal <thinking> tag in text is text: only thinking blocks are reasoning.
    expect(message.reasoning_content).toBeUndefined();
    expect(choice.finish_reason).toBe('tool_calls');
    expect(result.upstreamModel).toBe('claude-3-opus-20240229');
  });
});

describe('anthropic-clear-thinking.1.json', () => {
  it('gives the thinking as reasoning_content and as a thinking block with its signature', () => {
    const answer = recordingJson('shared:anthropic-clear-thinking.1.json') as {
      content: { signature?: string }[];
    };
    const { message, result } = translate('shared:anthropic-clear-thinking.1.json');
    expect(message.content).toBe('925 ÷ 5 = 185');
    expect(message.reasoning_content).toBe('925 divided by 5 = 185');
    expect(message.thinking_blocks).toEqual([
      { type: 'thinking', thinking: '925 divided by 5 = 185', signature: answer.content[0]!.signature },
    ]);
    expect(message.thinking_blocks![0]).toMatchObject({ signature: expect.stringMatching(/^Er4BCkYICxgC/) });
    // Thinking happened but the recording does not say how many tokens it took.
    expect(result.usage).toEqual({
      inputTokens: 69,
      outputTokens: 33,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: null,
    });
  });
});

describe('anthropic-claude-opus-5-reasoning-high.1.json', () => {
  it('reads thinking_tokens into reasoning tokens', () => {
    const { message, body, result } = translate('shared:anthropic-claude-opus-5-reasoning-high.1.json');
    expect(message.reasoning_content).toMatch(/^I need to find all roots of this cubic polynomial/);
    expect(message.content).toMatch(/^## Step 1: Set up the problem/);
    expect(message.content).toMatch(/independently confirming the answer\.$/);
    expect(message.thinking_blocks).toHaveLength(1);
    expect(message.thinking_blocks![0]).toMatchObject({
      type: 'thinking',
      signature: expect.stringMatching(/^CAISqwQK/),
    });
    expect(result.usage).toEqual({
      inputTokens: 51,
      outputTokens: 1699,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 139,
    });
    expect(body.usage!.completion_tokens_details).toEqual({ reasoning_tokens: 139 });
    expect(result.upstreamModel).toBe('claude-opus-5');
  });
});

describe('own fixtures', () => {
  it('refusal.json: content_filter, the text kept, Anthropic’s explanation as refusal', () => {
    const { message, choice } = translate('own:refusal.json');
    expect(choice.finish_reason).toBe('content_filter');
    expect(message.content).toBe("I can't help with that.");
    expect(message.refusal).toBe('The request could enable malware development.');
  });

  it('redacted-thinking.json: the redacted block kept as it is, after the signed one', () => {
    const { message, result } = translate('own:redacted-thinking.json');
    expect(message.content).toBe('The capital of France is Paris.');
    expect(message.reasoning_content).toBe('The user wants the capital of France.');
    expect(message.thinking_blocks).toEqual([
      {
        type: 'thinking',
        thinking: 'The user wants the capital of France.',
        signature:
          'EuYBCkQYAiJAtestsignatureonethinkingblockAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==',
      },
      {
        type: 'redacted_thinking',
        data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pLmN3kJ7a',
      },
    ]);
    expect(result.usage.reasoningTokens).toBeNull();
  });

  it('thinking-tool-use.json: text, tool call and thinking together', () => {
    const { message, choice } = translate('own:thinking-tool-use.json');
    expect(message.content).toBe('Let me check the weather.');
    expect(message.tool_calls).toEqual([
      {
        id: 'toolu_01TestWeatherParis000001',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      },
    ]);
    expect(message.thinking_blocks).toHaveLength(1);
    expect(choice.finish_reason).toBe('tool_calls');
  });

  it('response-format-tool.json: the answer tool’s input is the content, and the answer finishes with stop', () => {
    const { message, choice } = translate('own:response-format-tool.json');
    expect(message.content).toBe('{"name":"Ada Lovelace","born":1815}');
    expect(message.tool_calls).toBeUndefined();
    expect(choice.finish_reason).toBe('stop');
  });
});

describe('edge cases', () => {
  const base = {
    id: 'msg_x',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    stop_reason: 'end_turn',
  };

  it('maps every stop reason', () => {
    const reasons: [string | null, string][] = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['pause_turn', 'stop'],
      ['max_tokens', 'length'],
      ['model_context_window_exceeded', 'length'],
      ['refusal', 'content_filter'],
      [null, 'stop'],
    ];
    for (const [reason, finish] of reasons) {
      const body = fromAnthropicResponse(
        { ...base, stop_reason: reason, content: [{ type: 'text', text: 'x' }] },
        context,
      ).body as ChatCompletionOut;
      expect(body.choices[0]!.finish_reason).toBe(finish);
    }
  });

  it('gives "" for an answer with no blocks at all, and the requested model when the answer names none', () => {
    const body = fromAnthropicResponse({ ...base, model: undefined, content: [] }, context)
      .body as ChatCompletionOut;
    expect(body.choices[0]!.message.content).toBe('');
    expect(body.model).toBe('claude-requested');
  });

  it('joins text blocks split by citations or server tools, and ignores blocks it does not know', () => {
    const body = fromAnthropicResponse(
      {
        ...base,
        content: [
          { type: 'text', text: 'Paris ', citations: [{ type: 'char_location' }] },
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'something_new' },
          { type: 'text', text: 'is the capital.' },
        ],
      },
      context,
    ).body as ChatCompletionOut;
    expect(body.choices[0]!.message).toEqual({
      role: 'assistant',
      content: 'Paris is the capital.',
      refusal: null,
    });
  });

  it('adds cache reads and writes to the prompt and reports them apart', () => {
    const result = fromAnthropicResponse(
      {
        ...base,
        content: [{ type: 'text', text: 'x' }],
        usage: {
          input_tokens: 10,
          cache_read_input_tokens: 200,
          cache_creation_input_tokens: 30,
          output_tokens: 5,
        },
      },
      context,
    );
    expect(result.usage).toEqual({
      inputTokens: 240,
      outputTokens: 5,
      cachedInputTokens: 200,
      cacheWriteTokens: 30,
      reasoningTokens: 0,
    });
    expect((result.body as ChatCompletionOut).usage).toMatchObject({
      prompt_tokens: 240,
      prompt_tokens_details: { cached_tokens: 200 },
    });
  });

  it('keeps the answer when its usage cannot be read, with the usage unknown', () => {
    const result = fromAnthropicResponse(
      { ...base, content: [{ type: 'text', text: 'x' }], usage: { input_tokens: -1, output_tokens: 'many' } },
      context,
    );
    expect((result.body as ChatCompletionOut).choices[0]!.message.content).toBe('x');
    // Counts go to the recorder as sent (NaN for one that is not a number), for checkUsage to judge
    // and note, and never to the client.
    expect(result.usage).toMatchObject({ inputTokens: -1, outputTokens: Number.NaN });
    expect(checkUsage(result.usage).usage).toMatchObject({ inputTokens: null, outputTokens: null });
    expect((result.body as ChatCompletionOut).usage).toMatchObject({
      prompt_tokens: 0,
      completion_tokens: 0,
    });
  });

  it('refuses with 502 an answer that is not a message', () => {
    for (const body of [null, 'text', { type: 'error', error: {} }, { id: 'x', content: 'not a list' }]) {
      const attempt = () => fromAnthropicResponse(body, context);
      expect(attempt).toThrow(GatewayError);
      expect(attempt).toThrow(expect.objectContaining({ status: 502, code: 'upstream_error' }));
    }
  });
});

describe('any body at all', () => {
  it('is translated or refused with a 502 GatewayError, never a crash', () => {
    const anyValue = fc.jsonValue({ maxDepth: 3 });
    const message = fc.record({
      id: fc.oneof(fc.string(), anyValue),
      model: anyValue,
      content: fc.oneof(
        anyValue,
        fc.array(
          fc.record({
            type: fc.constantFrom('text', 'thinking', 'redacted_thinking', 'tool_use', 'x'),
            text: anyValue,
            thinking: anyValue,
            signature: anyValue,
            data: anyValue,
            id: anyValue,
            name: anyValue,
            input: anyValue,
          }),
        ),
      ),
      stop_reason: anyValue,
      stop_details: anyValue,
      usage: anyValue,
    });
    fc.assert(
      fc.property(fc.oneof(anyValue, message), (body) => {
        try {
          const result = fromAnthropicResponse(body, context);
          expect(result.body).toMatchObject({ object: 'chat.completion' });
        } catch (error) {
          expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
        }
      }),
      { numRuns: 1000 },
    );
  });
});
