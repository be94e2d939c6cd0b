import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicStream } from '../../../../gateway/formats/anthropic-messages/stream.ts';
import { hubPartData } from '../../../../gateway/formats/openai-chat/encode-hub-part.ts';
import { CREATED, assemble, chunksOf, recordingChunks, replay, sseEvent } from './replay.ts';

/** The fragments of every input_json_delta in a recording, in order, by content block index. */
function jsonFragments(lines: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const line of lines) {
    const event = JSON.parse(line) as {
      type: string;
      index?: number;
      delta?: { type?: string; partial_json?: string };
    };
    if (event.type !== 'content_block_delta' || event.delta?.type !== 'input_json_delta') continue;
    const list = out.get(event.index!) ?? [];
    list.push(event.delta.partial_json ?? '');
    out.set(event.index!, list);
  }
  return out;
}

function deltasOfType(lines: readonly string[], type: string, field: string): string[] {
  return lines.flatMap((line) => {
    const event = JSON.parse(line) as { type: string; delta?: Record<string, unknown> };
    return event.type === 'content_block_delta' && event.delta?.['type'] === type
      ? [String(event.delta[field])]
      : [];
  });
}

describe('every chunk', () => {
  const recordings = [
    'shared:anthropic-text.chunks.txt',
    'shared:anthropic-json-other-tool.1.chunks.txt',
    'shared:anthropic-tool-no-args.chunks.txt',
    'shared:anthropic-clear-thinking.1.chunks.txt',
    'shared:anthropic-code-execution-20260120-prompt-cache.1.chunks.txt',
    'own:multi-tool-call.chunks.txt',
    'own:redacted-thinking.chunks.txt',
    'own:response-format-tool.chunks.txt',
  ];

  it.each(recordings)(
    '%s: has the OpenAI chunk shape, opens with the role and ends with one finish, usage and [DONE]',
    (name) => {
      const lines = recordingChunks(name);
      const start = JSON.parse(lines[0]!) as { message: { id: string; model: string } };
      const { payloads, complete } = replay(lines, { clientWantsUsage: true });
      expect(complete).toBe(true);
      expect(payloads.at(-1)).toBe('[DONE]');
      const chunks = chunksOf(payloads);
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({
          id: start.message.id,
          object: 'chat.completion.chunk',
          created: CREATED,
          model: start.message.model,
        });
      }
      const usageChunk = chunks.at(-1)!;
      expect(usageChunk.choices).toEqual([]);
      expect(usageChunk.usage).toMatchObject({
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
      });
      const withChoices = chunks.slice(0, -1);
      for (const chunk of withChoices) {
        expect(chunk.choices).toHaveLength(1);
        expect(chunk.choices[0]).toMatchObject({ index: 0, logprobs: null });
        // OpenAI's convention when the client asked for usage: null on every chunk but the usage chunk.
        expect(chunk.usage).toBeNull();
      }
      expect(withChoices[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
      expect(withChoices.filter((chunk) => chunk.choices[0]!.finish_reason !== null)).toHaveLength(1);
      expect(withChoices.at(-1)!.choices[0]).toMatchObject({ delta: {}, finish_reason: expect.any(String) });
      expect(withChoices.filter((chunk) => chunk.choices[0]!.delta.role !== undefined)).toHaveLength(1);
    },
  );

  it.each(recordings)('%s: sends no usage chunk and no usage field when the client did not ask', (name) => {
    const { payloads } = replay(recordingChunks(name), { clientWantsUsage: false });
    const chunks = chunksOf(payloads);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !('usage' in chunk))).toBe(true);
    expect(payloads.at(-1)).toBe('[DONE]');
  });

  it.each(recordings)('%s: ignores pings', (name) => {
    const lines = recordingChunks(name);
    const { outputs } = replay(lines);
    lines.forEach((line, index) => {
      if (line === '{"type":"ping"}') expect(outputs[index]).toEqual([]);
    });
  });
});

describe('anthropic-text.chunks.txt', () => {
  const lines = recordingChunks('shared:anthropic-text.chunks.txt');

  it('streams each text delta as its own content chunk, in order', () => {
    const { outputs, payloads } = replay(lines);
    const texts = deltasOfType(lines, 'text_delta', 'text');
    expect(texts).toHaveLength(6);
    lines.forEach((line, index) => {
      const event = JSON.parse(line) as { delta?: { type?: string; text?: string } };
      if (event.delta?.type !== 'text_delta') return;
      expect(chunksOf(outputs[index]!).map((chunk) => chunk.choices[0]!.delta)).toEqual([
        { content: event.delta.text },
      ]);
    });
    const assembled = assemble(payloads);
    expect(assembled.content).toBe(
      "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(assembled.finishReason).toBe('stop');
    expect(assembled.toolCalls).toEqual([]);
  });

  it('reports the final usage and the model', () => {
    const { state, payloads } = replay(lines, { clientWantsUsage: true });
    expect(anthropicStream.usage(state)).toEqual({
      inputTokens: 12,
      outputTokens: 30,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(anthropicStream.upstreamModel(state)).toBe('claude-sonnet-4-5-20250929');
    expect(anthropicStream.errorCode(state)).toBeNull();
    expect(assemble(payloads).usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 30,
      total_tokens: 42,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('emits the finish chunk, the usage chunk and [DONE] on message_stop, nothing at the end', () => {
    const { outputs, payloads } = replay(lines, { clientWantsUsage: true });
    const stop = outputs.at(-1)!;
    expect(stop).toHaveLength(3);
    expect(JSON.parse(stop[0]!)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }] });
    expect(JSON.parse(stop[1]!)).toMatchObject({ choices: [], usage: { prompt_tokens: 12 } });
    expect(stop[2]).toBe('[DONE]');
    expect(anthropicStream.end(replay(lines).state)).toEqual({ parts: [], complete: true });
    expect(payloads.filter((payload) => payload === '[DONE]')).toHaveLength(1);
  });

  it('is not complete when cut before message_stop, and estimates the output from the streamed text', () => {
    const beforeDelta = lines.findIndex((line) => line.includes('"message_delta"'));
    const cut = replay(lines.slice(0, beforeDelta));
    expect(cut.complete).toBe(false);
    expect(cut.payloads).not.toContain('[DONE]');
    const streamed = deltasOfType(lines, 'text_delta', 'text').join('');
    expect(anthropicStream.usage(cut.state)).toEqual({
      inputTokens: 12,
      outputTokens: Math.ceil(streamed.length / 4),
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    // Cut after message_delta: its usage is the real one, though the answer is still incomplete.
    const afterDelta = replay(lines.slice(0, beforeDelta + 1));
    expect(afterDelta.complete).toBe(false);
    expect(anthropicStream.usage(afterDelta.state).outputTokens).toBe(30);
  });

  it('has usage for a stream cut at any point, input known from message_start on', () => {
    for (let length = 0; length <= lines.length; length++) {
      const { state, complete } = replay(lines.slice(0, length));
      const usage = anthropicStream.usage(state);
      expect(complete).toBe(length === lines.length);
      expect(usage.inputTokens).toBe(length === 0 ? null : 12);
      if (length > 0) expect(usage.outputTokens).toBeGreaterThan(0);
    }
  });

  it('reads events by their payload type, with or without the SSE event name', () => {
    const state = anthropicStream.init({ model: 'claude-x', created: CREATED, clientWantsUsage: false });
    const payloads = lines.flatMap((line) =>
      anthropicStream.next(state, { event: undefined, data: line, id: undefined }).map(hubPartData),
    );
    expect(assemble(payloads).content).toContain('How are you doing today?');
    expect(anthropicStream.end(state).complete).toBe(true);
  });
});

describe('anthropic-json-other-tool.1.chunks.txt', () => {
  const lines = recordingChunks('shared:anthropic-json-other-tool.1.chunks.txt');

  it('opens the tool call with its id and name, then sends each input_json_delta as its own arguments delta', () => {
    const { outputs, payloads } = replay(lines);
    const start = lines.findIndex((line) => line.includes('"content_block_start"'));
    expect(chunksOf(outputs[start]!).map((chunk) => chunk.choices[0]!.delta)).toEqual([
      {
        tool_calls: [
          {
            index: 0,
            id: 'toolu_019Zvehfe1XQWweT1pm7okyt',
            type: 'function',
            function: { name: 'weather', arguments: '' },
          },
        ],
      },
    ]);
    const fragments = jsonFragments(lines).get(0)!;
    expect(fragments).toEqual(['', '{"location": "San Francisco', '"}']);
    lines.forEach((line, index) => {
      const event = JSON.parse(line) as { delta?: { type?: string; partial_json?: string } };
      if (event.delta?.type !== 'input_json_delta') return;
      const sent = chunksOf(outputs[index]!).map((chunk) => chunk.choices[0]!.delta);
      // Never buffered: a fragment goes out with the event that brought it (an empty one may be skipped).
      expect(sent).toEqual(
        event.delta.partial_json === ''
          ? []
          : [{ tool_calls: [{ index: 0, function: { arguments: event.delta.partial_json } }] }],
      );
    });
    const assembled = assemble(payloads);
    expect(assembled.argumentDeltas).toEqual([2]);
    expect(assembled.toolCalls).toEqual([
      {
        id: 'toolu_019Zvehfe1XQWweT1pm7okyt',
        type: 'function',
        function: { name: 'weather', arguments: '{"location": "San Francisco"}' },
      },
    ]);
    expect(JSON.parse(assembled.toolCalls[0]!.function.arguments)).toEqual({ location: 'San Francisco' });
    expect(assembled.finishReason).toBe('tool_calls');
    expect(assembled.content).toBe('');
  });

  it('reports usage', () => {
    const { state } = replay(lines);
    expect(anthropicStream.usage(state)).toMatchObject({
      inputTokens: 843,
      outputTokens: 28,
      cachedInputTokens: 0,
    });
    expect(anthropicStream.upstreamModel(state)).toBe('claude-haiku-4-5-20251001');
  });
});

describe('anthropic-tool-no-args.chunks.txt', () => {
  const lines = recordingChunks('shared:anthropic-tool-no-args.chunks.txt');

  it('streams the text, then the tool call with "{}" as its arguments since its only fragment is empty', () => {
    const { payloads, state } = replay(lines);
    const assembled = assemble(payloads);
    expect(assembled.content).toBe("I'll update the issue list for you.");
    expect(assembled.toolCalls).toEqual([
      {
        id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP',
        type: 'function',
        function: { name: 'updateIssueList', arguments: '{}' },
      },
    ]);
    expect(JSON.parse(assembled.toolCalls[0]!.function.arguments)).toEqual({});
    expect(assembled.finishReason).toBe('tool_calls');
    expect(anthropicStream.usage(state)).toMatchObject({ inputTokens: 565, outputTokens: 48 });
  });
});

describe('anthropic-clear-thinking.1.chunks.txt', () => {
  const lines = recordingChunks('shared:anthropic-clear-thinking.1.chunks.txt');
  const signature = deltasOfType(lines, 'signature_delta', 'signature')[0]!;

  it('streams thinking as reasoning_content, then the block with its signature at the block end, then the text', () => {
    const { payloads, outputs } = replay(lines);
    const assembled = assemble(payloads);
    const thinking = deltasOfType(lines, 'thinking_delta', 'thinking').join('');
    expect(thinking).toBe('The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185');
    expect(assembled.reasoning).toBe(thinking);
    expect(assembled.content).toBe('925 ÷ 5 = 185');
    expect(signature.length).toBeGreaterThan(100);
    expect(assembled.thinkingBlocks).toEqual([{ type: 'thinking', thinking, signature }]);
    const stopIndex = lines.indexOf('{"type":"content_block_stop","index":0}');
    expect(chunksOf(outputs[stopIndex]!).map((chunk) => chunk.choices[0]!.delta)).toEqual([
      { thinking_blocks: [{ type: 'thinking', thinking, signature }] },
    ]);
    // The signature itself is not streamed as text of any kind.
    const signatureLine = lines.findIndex((line) => line.includes('signature_delta'));
    expect(outputs[signatureLine]).toEqual([]);
    expect(assembled.finishReason).toBe('stop');
  });

  it('reports usage; reasoning tokens are unknown because this recording does not break them out', () => {
    const { state } = replay(lines);
    expect(anthropicStream.usage(state)).toEqual({
      inputTokens: 69,
      outputTokens: 53,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: null,
    });
  });
});

describe('anthropic-code-execution-20260120-prompt-cache.1.chunks.txt', () => {
  const lines = recordingChunks('shared:anthropic-code-execution-20260120-prompt-cache.1.chunks.txt');

  it('takes the final message_delta usage, cache reads and writes included, over message_start', () => {
    const start = JSON.parse(lines[0]!) as { message: { usage: Record<string, number> } };
    expect(start.message.usage).toMatchObject({
      input_tokens: 2,
      cache_creation_input_tokens: 3068,
      cache_read_input_tokens: 0,
    });
    const { state, payloads } = replay(lines, { clientWantsUsage: true });
    expect(anthropicStream.usage(state)).toEqual({
      inputTokens: 6 + 3337 + 6289,
      outputTokens: 198,
      cachedInputTokens: 6289,
      cacheWriteTokens: 3337,
      reasoningTokens: 0,
    });
    expect(assemble(payloads).usage).toEqual({
      prompt_tokens: 9632,
      completion_tokens: 198,
      total_tokens: 9830,
      prompt_tokens_details: { cached_tokens: 6289 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(anthropicStream.upstreamModel(state)).toBe('claude-sonnet-5');
  });

  it('leaves out the server tool blocks and their input, keeping the answer text', () => {
    const { payloads } = replay(lines);
    const assembled = assemble(payloads);
    expect(assembled.content).toBe('The sum of the squares of the numbers 1 through 12 is **650**.');
    expect(assembled.toolCalls).toEqual([]);
    expect(assembled.finishReason).toBe('stop');
    expect(payloads.join('')).not.toContain('srvtoolu_');
  });

  it('uses message_start usage while the stream is cut before the end', () => {
    const cut = replay(lines.slice(0, 20));
    expect(anthropicStream.usage(cut.state)).toMatchObject({
      inputTokens: 2 + 3068,
      cachedInputTokens: 0,
      cacheWriteTokens: 3068,
    });
  });
});

describe('own multi-tool-call.chunks.txt', () => {
  const lines = recordingChunks('own:multi-tool-call.chunks.txt');

  it('numbers tool calls 0 and 1 (not by block index) and sends every fragment as it comes', () => {
    const { payloads, outputs } = replay(lines);
    const assembled = assemble(payloads);
    expect(assembled.toolCalls.map((call) => call.id)).toEqual([
      'toolu_01TestWeatherParis000002',
      'toolu_01TestWeatherTokyo000001',
    ]);
    expect(assembled.toolCalls.map((call) => JSON.parse(call.function.arguments) as unknown)).toEqual([
      { city: 'Paris', unit: 'celsius' },
      { city: 'Tokyo', unit: 'celsius' },
    ]);
    const fragments = jsonFragments(lines);
    expect(assembled.toolCalls[0]!.function.arguments).toBe(fragments.get(2)!.join(''));
    expect(assembled.toolCalls[1]!.function.arguments).toBe(fragments.get(3)!.join(''));
    // One arguments delta per non-empty fragment: 4 for the first call, 3 for the second.
    expect(assembled.argumentDeltas).toEqual([4, 3]);
    const sentFragments = chunksOf(outputs.flat()).flatMap((chunk) =>
      (chunk.choices[0]?.delta.tool_calls ?? []).flatMap((call) =>
        call.function?.arguments ? [`${call.index}:${call.function.arguments}`] : [],
      ),
    );
    expect(sentFragments).toEqual([
      ...fragments
        .get(2)!
        .filter((fragment) => fragment !== '')
        .map((fragment) => `0:${fragment}`),
      ...fragments.get(3)!.map((fragment) => `1:${fragment}`),
    ]);
    expect(assembled.finishReason).toBe('tool_calls');
  });

  it('keeps the thinking, its signature and the text', () => {
    const { payloads, state } = replay(lines);
    const assembled = assemble(payloads);
    expect(assembled.reasoning).toBe('Two cities: I can ask for both at once.');
    expect(assembled.thinkingBlocks).toEqual([
      {
        type: 'thinking',
        thinking: 'Two cities: I can ask for both at once.',
        signature: 'ErUBCkYIBRgCIkBtestsignaturemultitoolthinkingCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC==',
      },
    ]);
    expect(assembled.content).toBe('Checking both cities.');
    expect(anthropicStream.usage(state)).toEqual({
      inputTokens: 1024 + 768,
      outputTokens: 187,
      cachedInputTokens: 768,
      cacheWriteTokens: 0,
      reasoningTokens: null,
    });
  });
});

describe('own redacted-thinking.chunks.txt', () => {
  it('passes the redacted_thinking block on whole, after the signed thinking block', () => {
    const lines = recordingChunks('own:redacted-thinking.chunks.txt');
    const { payloads, state } = replay(lines);
    const assembled = assemble(payloads);
    expect(assembled.thinkingBlocks).toEqual([
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
    expect(assembled.reasoning).toBe('The user wants the capital of France.');
    expect(assembled.content).toBe('The capital of France is Paris.');
    // message_delta gives only output_tokens here: the input counts of message_start stay.
    expect(anthropicStream.usage(state)).toMatchObject({ inputTokens: 42, outputTokens: 118 });
  });
});

describe('own error-mid-stream.chunks.txt', () => {
  const lines = recordingChunks('own:error-mid-stream.chunks.txt');

  it('sends one OpenAI-style error payload, no finish and no [DONE], and is not complete', () => {
    const { payloads, outputs, state, complete } = replay(lines);
    expect(outputs.at(-1)).toHaveLength(1);
    expect(JSON.parse(outputs.at(-1)![0]!)).toEqual({
      error: { message: 'Overloaded', type: 'overloaded_error', code: 'overloaded', param: null },
    });
    expect(payloads.filter((payload) => payload.includes('"error"'))).toHaveLength(1);
    expect(payloads).not.toContain('[DONE]');
    expect(chunksOf(payloads.slice(0, -1)).some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect(complete).toBe(false);
    expect(anthropicStream.errorCode(state)).toBe('overloaded');
    expect(assemble(payloads.slice(0, -1)).content).toBe('Once upon a time, in a land far away');
  });

  it('counts the streamed text for the usage of the cut answer', () => {
    const { state } = replay(lines);
    expect(anthropicStream.usage(state)).toMatchObject({
      inputTokens: 25,
      outputTokens: Math.ceil('Once upon a time, in a land far away'.length / 4),
    });
  });

  it('ignores whatever comes after the error', () => {
    const text = recordingChunks('shared:anthropic-text.chunks.txt');
    const { outputs } = replay([...lines, ...text.slice(1)]);
    expect(outputs.slice(lines.length).flat()).toEqual([]);
  });

  it('uses the error type as the code, and api_error for an error event without one', () => {
    const state = anthropicStream.init({ model: 'claude-x', created: CREATED, clientWantsUsage: false });
    const [payload] = anthropicStream
      .next(state, sseEvent('{"type":"error","error":{"message":"boom"}}'))
      .map(hubPartData);
    expect(JSON.parse(payload!)).toEqual({
      error: { message: 'boom', type: 'api_error', code: 'api_error', param: null },
    });
  });
});

describe('own response-format-tool.chunks.txt', () => {
  it('streams the answer tool input as content and finishes with stop, not tool_calls', () => {
    const { payloads } = replay(recordingChunks('own:response-format-tool.chunks.txt'));
    const assembled = assemble(payloads);
    expect(assembled.content).toBe('{"name": "Ada Lovelace", "born": 1815}');
    expect(JSON.parse(assembled.content)).toEqual({ name: 'Ada Lovelace', born: 1815 });
    expect(assembled.toolCalls).toEqual([]);
    expect(assembled.finishReason).toBe('stop');
  });
});

describe('odd input', () => {
  it('ignores payloads that are not JSON and events it does not know', () => {
    const state = anthropicStream.init({ model: 'claude-x', created: CREATED, clientWantsUsage: false });
    expect(anthropicStream.next(state, { event: 'ping', data: 'not json', id: undefined })).toEqual([]);
    expect(anthropicStream.next(state, sseEvent('{"type":"something_new","x":1}'))).toEqual([]);
  });

  it('opens with the role chunk even when content comes before message_start, using the requested model', () => {
    const state = anthropicStream.init({ model: 'claude-x', created: CREATED, clientWantsUsage: false });
    const payloads = [
      ...anthropicStream
        .next(
          state,
          sseEvent('{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}'),
        )
        .map(hubPartData),
    ];
    expect(chunksOf(payloads).map((chunk) => [chunk.model, chunk.choices[0]!.delta])).toEqual([
      ['claude-x', { role: 'assistant', content: '' }],
      ['claude-x', { content: 'Hi' }],
    ]);
  });

  it('maps max_tokens to length and refusal to content_filter with Anthropic’s explanation', () => {
    const text = recordingChunks('shared:anthropic-text.chunks.txt');
    const withStop = (delta: string) =>
      text.map((line) =>
        line.includes('"message_delta"')
          ? `{"type":"message_delta","delta":${delta},"usage":{"output_tokens":30}}`
          : line,
      );
    expect(assemble(replay(withStop('{"stop_reason":"max_tokens"}')).payloads).finishReason).toBe('length');
    const refused = assemble(
      replay(
        withStop(
          '{"stop_reason":"refusal","stop_details":{"type":"refusal","category":"cyber","explanation":"Not this."}}',
        ),
      ).payloads,
    );
    expect(refused.finishReason).toBe('content_filter');
    expect(refused.refusal).toBe('Not this.');
  });
});

describe('properties', () => {
  /** A tool_use stream whose input arrives in the given fragments. */
  function toolStream(fragments: readonly string[], pings: readonly boolean[]): string[] {
    return [
      '{"type":"message_start","message":{"id":"msg_p","model":"claude-p","content":[],"usage":{"input_tokens":5,"output_tokens":1}}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_p","name":"f","input":{}}}',
      ...fragments.flatMap((fragment, index) => [
        JSON.stringify({
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: fragment },
        }),
        ...(pings[index] ? ['{"type":"ping"}'] : []),
      ]),
      '{"type":"content_block_stop","index":0}',
      '{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}',
      '{"type":"message_stop"}',
    ];
  }

  /** A JSON text cut at arbitrary points. */
  const fragmented = fc
    .tuple(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }),
      fc.array(fc.nat(), { maxLength: 12 }),
    )
    .map(([input, cuts]) => {
      const json = JSON.stringify(input);
      const points = [...new Set(cuts.map((cut) => cut % (json.length + 1)))].sort((a, b) => a - b);
      const fragments: string[] = [];
      let from = 0;
      for (const point of [...points, json.length]) {
        fragments.push(json.slice(from, point));
        from = point;
      }
      return { input, fragments };
    });

  it('sends every non-empty fragment in its own delta, unchanged, and the arguments parse to the input', () => {
    fc.assert(
      fc.property(fragmented, fc.array(fc.boolean(), { maxLength: 20 }), ({ input, fragments }, pings) => {
        const { payloads, complete } = replay(toolStream(fragments, pings));
        const assembled = assemble(payloads);
        const nonEmpty = fragments.filter((fragment) => fragment !== '');
        expect(complete).toBe(true);
        expect(assembled.argumentDeltas).toEqual([nonEmpty.length]);
        const sent = chunksOf(payloads).flatMap((chunk) =>
          (chunk.choices[0]?.delta.tool_calls ?? []).flatMap((call) =>
            call.function?.arguments ? [call.function.arguments] : [],
          ),
        );
        expect(sent).toEqual(nonEmpty);
        // Compared through JSON, which has no -0.
        expect(JSON.parse(assembled.toolCalls[0]!.function.arguments)).toEqual(
          JSON.parse(JSON.stringify(input)),
        );
      }),
    );
  });

  it('has usage for every cut of every recording', () => {
    const names = [
      'shared:anthropic-text.chunks.txt',
      'shared:anthropic-json-other-tool.1.chunks.txt',
      'shared:anthropic-clear-thinking.1.chunks.txt',
      'shared:anthropic-code-execution-20260120-prompt-cache.1.chunks.txt',
      'own:multi-tool-call.chunks.txt',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.nat(), (name, at) => {
        const lines = recordingChunks(name);
        const cut = at % (lines.length + 1);
        const { state, complete } = replay(lines.slice(0, cut));
        const usage = anthropicStream.usage(state);
        expect(complete).toBe(cut === lines.length);
        if (cut > 0) expect(usage.inputTokens).toBeGreaterThan(0);
        expect(usage.outputTokens === null || usage.outputTokens > 0).toBe(true);
      }),
    );
  });
});

describe('any event at all', () => {
  it('never throws: the reducer takes whatever comes', () => {
    const anyValue = fc.jsonValue({ maxDepth: 3 });
    const event = fc.record({
      type: fc.constantFrom(
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
        'error',
        'ping',
      ),
      index: fc.oneof(fc.nat(3), anyValue),
      message: anyValue,
      content_block: fc.oneof(
        anyValue,
        fc.record({
          type: fc.constantFrom('text', 'thinking', 'tool_use', 'redacted_thinking'),
          text: anyValue,
          id: anyValue,
          name: anyValue,
          input: anyValue,
        }),
      ),
      delta: fc.oneof(
        anyValue,
        fc.record({
          type: fc.constantFrom('text_delta', 'thinking_delta', 'signature_delta', 'input_json_delta'),
          text: anyValue,
          partial_json: anyValue,
          thinking: anyValue,
          signature: anyValue,
        }),
      ),
      usage: anyValue,
      error: anyValue,
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            event.map((value) => JSON.stringify(value)),
            fc.string(),
          ),
          { maxLength: 20 },
        ),
        (lines) => {
          const state = anthropicStream.init({ model: 'claude-x', created: CREATED, clientWantsUsage: true });
          for (const line of lines) {
            for (const payload of anthropicStream.next(state, {
              event: undefined,
              data: line,
              id: undefined,
            })) {
              expect(typeof hubPartData(payload)).toBe('string');
            }
          }
          anthropicStream.end(state);
          anthropicStream.usage(state);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
