import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import { openAiChatFormat } from '../../../../gateway/formats/openai-chat/index.ts';
import { openAiResponsesFormat } from '../../../../gateway/formats/openai-responses/index.ts';
import type { JsonObject } from '../../../../gateway/formats/types.ts';
import { fixtureJson } from '../../../support/fixtures.ts';
import { inbound, MODEL } from './support.ts';

const context = { model: 'asked', created: 9 };

describe('a Responses answer → the hub (chat.response)', () => {
  it('reads a recorded answer with reasoning: text, reasoning summary, usage, model', () => {
    const result = openAiResponsesFormat.chat.response(
      fixtureJson('openai/responses/openai-reasoning-encrypted-content.1.json'),
      context,
    );
    expect(result.usage).toEqual({
      inputTokens: 865,
      outputTokens: 163,
      cachedInputTokens: 0,
      reasoningTokens: 128,
    });
    expect(result.upstreamModel).toBe('gpt-5-mini-2025-08-07');
    const choice = (result.body!['choices'] as JsonObject[])[0]!;
    expect(choice['finish_reason']).toBe('stop');
    expect(choice['message']).toMatchObject({
      role: 'assistant',
      content: '12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570',
      reasoning_content: expect.stringMatching(/^\*\*Reporting final result/),
    });
    expect(result.body!['usage']).toMatchObject({
      prompt_tokens: 865,
      completion_tokens: 163,
      total_tokens: 1028,
    });
    // The hub answer is one the hub format itself reads the same usage from.
    expect(openAiChatFormat.chat.response(result.body, context).usage).toEqual(result.usage);
  });

  it('reads the PDF answer', () => {
    const result = openAiResponsesFormat.chat.response(
      fixtureJson('openai/responses/openai-pdf-input-file.1.json'),
      context,
    );
    expect(((result.body!['choices'] as JsonObject[])[0]!['message'] as JsonObject)['content']).toBe(
      'Dummy PDF file',
    );
    expect(result.usage).toMatchObject({ inputTokens: 44, outputTokens: 4 });
  });

  it('reads function calls and an incomplete status', () => {
    const result = openAiResponsesFormat.chat.response(
      {
        id: 'resp_1',
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        output: [{ type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}' }],
      },
      context,
    );
    const choice = (result.body!['choices'] as JsonObject[])[0]!;
    expect(choice['finish_reason']).toBe('length');
    expect((choice['message'] as JsonObject)['tool_calls']).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"ls"}' } },
    ]);
  });

  it('is a 502 for an answer that is not an object', () => {
    expect(() => openAiResponsesFormat.chat.response([1], context)).toThrow(GatewayError);
  });

  it('maps a recorded error body with OpenAI’s shape', () => {
    const error = openAiResponsesFormat.mapError(
      429,
      JSON.stringify(fixtureJson('openai/responses/openai-error.1.json')),
    );
    expect(error).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
    expect(openAiResponsesFormat.errorBody(error)).toMatchObject({ error: { code: 'insufficient_quota' } });
  });
});

describe('the hub answer → a Responses response (inbound)', () => {
  it('gives the message, usage and a resp_ id for a recorded text answer', () => {
    const answer = fixtureJson('openai/openai-text.json');
    const response = inbound.response(answer, { model: MODEL });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: MODEL });
    expect(response['id']).toMatch(/^resp_/);
    const output = response['output'] as JsonObject[];
    expect(output).toHaveLength(1);
    const message = ((answer['choices'] as JsonObject[])[0]!['message'] as JsonObject)['content'];
    expect(output[0]).toMatchObject({
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: message }],
    });
    const usage = answer['usage'] as JsonObject;
    expect(response['usage']).toMatchObject({
      input_tokens: usage['prompt_tokens'],
      output_tokens: usage['completion_tokens'],
      total_tokens: (usage['prompt_tokens'] as number) + (usage['completion_tokens'] as number),
    });
  });

  it('gives reasoning, then function calls, with their ids and usage details', () => {
    const response = inbound.response(fixtureJson('openai-compatible/deepseek-tool-call.json'), {
      model: MODEL,
    });
    const output = response['output'] as JsonObject[];
    expect(output.map((item) => item['type'])).toEqual(['reasoning', 'function_call']);
    expect(output[0]!['id']).toMatch(/^rs_/);
    expect(output[1]).toMatchObject({
      id: expect.stringMatching(/^fc_/),
      call_id: 'call_00_9V0vrf86Pc9aelHCJMZqnJBo',
      name: 'weather',
      arguments: '{"location": "San Francisco"}',
    });
    expect(response['usage']).toEqual({
      input_tokens: 339,
      input_tokens_details: { cached_tokens: 320 },
      output_tokens: 92,
      output_tokens_details: { reasoning_tokens: 48 },
      total_tokens: 431,
    });
  });

  it('is incomplete at the length limit', () => {
    const response = inbound.response(
      { choices: [{ index: 0, message: { role: 'assistant', content: 'Hel' }, finish_reason: 'length' }] },
      { model: MODEL },
    );
    expect(response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
  });

  it('has OpenAI’s model list and a token count', () => {
    expect(inbound.modelList(['a', 'b'])).toEqual({
      object: 'list',
      data: [
        { id: 'a', object: 'model', created: 0, owned_by: 'switchboard' },
        { id: 'b', object: 'model', created: 0, owned_by: 'switchboard' },
      ],
    });
    expect(openAiResponsesFormat.parseModelList(inbound.modelList(['a']))).toEqual(['a']);
    expect(inbound.tokenCount(12)).toMatchObject({ input_tokens: 12 });
  });
});
