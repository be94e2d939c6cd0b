import { describe, expect, it } from 'vitest';
import type { HubPart, JsonObject } from '../../../../gateway/formats/types.ts';
import { encode, MODEL, payloads, relayChat, sdkFinalResponse } from './support.ts';

const USAGE = { inputTokens: 100, outputTokens: 40, cachedInputTokens: 30, reasoningTokens: 10 };

/** sequence_number runs 0, 1, 2… over every event. */
function expectNumbered(events: readonly JsonObject[]): void {
  expect(events.map((event) => event['sequence_number'])).toEqual(events.map((_, index) => index));
}

const chunk = (delta: JsonObject, finish: string | null = null): HubPart => ({
  type: 'chunk',
  chunk: { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] },
});

describe('the Responses stream encoder', () => {
  it('streams a recorded text answer in the event sequence the SDK assembles', async () => {
    const events = relayChat('openai/openai-text.chunks.txt');
    const data = payloads(events);
    expectNumbered(data);
    const types = data.map((event) => event['type']);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const final = await sdkFinalResponse(events);
    expect(final.status).toBe('completed');
    expect(final.model).toBe(MODEL);
    expect(final.id).toMatch(/^resp_/);
    expect(final.output_text.length).toBeGreaterThan(100);
    expect(final.output_text).toBe(
      data
        .filter((event) => event['type'] === 'response.output_text.delta')
        .map((event) => event['delta'])
        .join(''),
    );
    expect(final.usage?.input_tokens).toBeGreaterThan(0);
    expect(final.usage?.total_tokens).toBe(
      (final.usage?.input_tokens ?? 0) + (final.usage?.output_tokens ?? 0),
    );
  });

  it('streams reasoning as a summary and a tool call with its arguments as they arrive', async () => {
    const events = relayChat('openai-compatible/deepseek-tool-call.chunks.txt');
    const data = payloads(events);
    expectNumbered(data);
    const added = data.filter((event) => event['type'] === 'response.output_item.added');
    expect(added.map((event) => (event['item'] as JsonObject)['type'])).toEqual([
      'reasoning',
      'function_call',
    ]);
    expect(
      data.filter((event) => event['type'] === 'response.function_call_arguments.delta').length,
    ).toBeGreaterThan(1);
    const final = await sdkFinalResponse(events);
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    const call = final.output[1] as OpenAiFunctionCall;
    expect(call).toMatchObject({
      type: 'function_call',
      call_id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF',
      name: 'weather',
      status: 'completed',
    });
    expect(JSON.parse(call.arguments)).toEqual({ location: 'San Francisco' });
    const reasoning = final.output[0] as { summary: { text: string }[] };
    expect(reasoning.summary[0]?.text).toMatch(/^The user/);
    expect(final.usage).toEqual({
      input_tokens: 339,
      input_tokens_details: { cached_tokens: 320 },
      output_tokens: 83,
      output_tokens_details: { reasoning_tokens: 39 },
      total_tokens: 422,
    });
  });

  it('says incomplete when the answer hit its limit', () => {
    const data = payloads(encode([chunk({ content: 'Hel' }), chunk({}, 'length')], USAGE));
    const last = data.at(-1)!;
    expect(last['type']).toBe('response.incomplete');
    expect(last['response']).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
  });

  it('opens one function_call item per parallel call and closes each at the finish', async () => {
    const parts = [
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'shell', arguments: '{"cmd":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'read', arguments: '{"p":1}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"ls"}' } }] }),
      chunk({}, 'tool_calls'),
    ];
    const final = await sdkFinalResponse(encode(parts, USAGE));
    expect(final.output.map((item) => [item.type, (item as OpenAiFunctionCall).arguments])).toEqual([
      ['function_call', '{"cmd":"ls"}'],
      ['function_call', '{"p":1}'],
    ]);
  });

  it('turns an error chunk into an error event and response.failed, and nothing after', () => {
    const data = payloads(
      encode(
        [
          chunk({ content: 'Hi' }),
          {
            type: 'chunk',
            chunk: { error: { message: 'Overloaded', type: 'server_error', code: 'overloaded' } },
          },
        ],
        USAGE,
      ),
    );
    expectNumbered(data);
    expect(data.slice(-2).map((event) => event['type'])).toEqual(['error', 'response.failed']);
    expect(data.at(-2)).toMatchObject({ code: 'overloaded', message: 'Overloaded' });
    expect(data.at(-1)).toMatchObject({ response: { status: 'failed', error: { code: 'overloaded' } } });
  });

  it('leaves the end of a cut stream to the pipeline', () => {
    const data = payloads(relayChat('openai/openai-text.chunks.txt', { done: false }));
    expect(data.some((event) => event['type'] === 'response.completed')).toBe(false);
  });
});

type OpenAiFunctionCall = { type: string; call_id: string; name: string; arguments: string; status: string };
