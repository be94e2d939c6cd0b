import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import type { SseEvent } from '../../../gateway/protocol/sse.ts';
import { anthropicMessagesFormat } from '../../../gateway/formats/anthropic-messages/index.ts';
import { geminiGenerateFormat } from '../../../gateway/formats/gemini-generate/index.ts';
import { hubPartData } from '../../../gateway/formats/openai-chat/encode-hub-part.ts';
import { openAiChatFormat } from '../../../gateway/formats/openai-chat/index.ts';
import type { ChatStream, HubPart, Usage, WireFormat } from '../../../gateway/formats/types.ts';
import { fixtureChunks, FIXTURES_DIR } from '../../support/fixtures.ts';
import { edit, foreignData, mutate, mutatedFrom, type Edit } from './hostile-json.ts';

/*
 * Whatever an upstream sends, the vendor code answers: the stream reducers never throw and only
 * return strings; the answer parsers return or throw a deliberate GatewayError. An exception out
 * of a reducer lands in a stream's data handler, where nothing catches it: the process exits.
 */

const own = (path: string): string =>
  readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');
const ownChunks = (path: string): string[] =>
  own(path)
    .split('\n')
    .filter((line) => line.trim() !== '');
const shared = (path: string): string => readFileSync(`${FIXTURES_DIR}${path}`, 'utf8');

/** Runs per property; HOSTILE_RUNS=20000 for a longer search. */
const RUNS = Number(process.env['HOSTILE_RUNS'] ?? 400);
/** Per test: a long search takes longer than the default 20 s. */
const TIMEOUT = 20_000 + RUNS * 25;
const CREATED = 1_770_000_000;

const openai = openAiChatFormat;

const ANTHROPIC_EVENT_NAMES = [
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'error',
  'ping',
];

interface StreamCase {
  vendor: WireFormat<unknown>;
  recordings: string[][];
  /** The SSE event name the vendor puts on a payload. */
  eventName(data: string): string | undefined;
}

function anthropicEventName(data: string): string | undefined {
  try {
    const type = (JSON.parse(data) as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

const STREAMS: Record<string, StreamCase> = {
  openai: {
    vendor: openai as WireFormat<unknown>,
    recordings: [
      [...fixtureChunks('openai/openai-text.chunks.txt'), '[DONE]'],
      [...fixtureChunks('openai/azure-model-router.1.chunks.txt'), '[DONE]'],
      [...fixtureChunks('openai-compatible/deepseek-tool-call.chunks.txt'), '[DONE]'],
    ],
    eventName: () => undefined,
  },
  anthropic: {
    vendor: anthropicMessagesFormat as WireFormat<unknown>,
    recordings: [
      fixtureChunks('anthropic/anthropic-text.chunks.txt'),
      fixtureChunks('anthropic/anthropic-clear-thinking.1.chunks.txt'),
      fixtureChunks('anthropic/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt'),
      fixtureChunks('anthropic/anthropic-json-other-tool.1.chunks.txt'),
      fixtureChunks('anthropic/anthropic-tool-no-args.chunks.txt'),
      ownChunks('anthropic/error-mid-stream.chunks.txt'),
      ownChunks('anthropic/multi-tool-call.chunks.txt'),
      ownChunks('anthropic/redacted-thinking.chunks.txt'),
      ownChunks('anthropic/response-format-tool.chunks.txt'),
    ],
    eventName: anthropicEventName,
  },
  gemini: {
    vendor: geminiGenerateFormat as WireFormat<unknown>,
    recordings: [
      fixtureChunks('google/google-text.chunks.txt'),
      fixtureChunks('google/google-tool-call.chunks.txt'),
      fixtureChunks('google/google-stream-no-args-tool-call.chunks.txt'),
      ownChunks('gemini/gemini-stream-error.chunks.txt'),
      ownChunks('gemini/gemini-stream-safety.chunks.txt'),
    ],
    eventName: () => undefined,
  },
};

const eventNameArbitrary = fc.option(
  fc.oneof(fc.constantFrom(...ANTHROPIC_EVENT_NAMES), fc.string({ maxLength: 12 })),
  { nil: undefined },
);

/** One change to a recorded stream, at an event `at` chooses (modulo the stream's length). */
type StreamEdit =
  | { kind: 'mutate'; at: number; edits: Edit[] }
  | { kind: 'insert'; at: number; data: string; name: string | undefined }
  | { kind: 'replace'; at: number; data: string }
  | { kind: 'drop'; at: number }
  | { kind: 'move'; at: number; to: number }
  | { kind: 'rename'; at: number; name: string | undefined };

const streamEdit: fc.Arbitrary<StreamEdit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('mutate' as const),
      at: fc.nat(),
      edits: fc.array(edit, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      data: foreignData,
      name: eventNameArbitrary,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), data: foreignData }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), at: fc.nat(), to: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), name: eventNameArbitrary }),
  },
);

function applyEdits(events: SseEvent[], edits: readonly StreamEdit[]): SseEvent[] {
  const out = [...events];
  for (const change of edits) {
    if (change.kind === 'insert') {
      out.splice(change.at % (out.length + 1), 0, { event: change.name, data: change.data, id: undefined });
      continue;
    }
    if (out.length === 0) continue;
    const at = change.at % out.length;
    const target = out[at]!;
    if (change.kind === 'mutate') out[at] = { ...target, data: mutate(target.data, change.edits) };
    else if (change.kind === 'replace') out[at] = { ...target, data: change.data };
    else if (change.kind === 'drop') out.splice(at, 1);
    else if (change.kind === 'rename') out[at] = { ...target, event: change.name };
    else {
      out.splice(at, 1);
      out.splice(change.to % (out.length + 1), 0, target);
    }
  }
  return out;
}

/** A recording of the vendor with edits: mutated, foreign, dropped, reordered and renamed events. */
function editedRecording(streamCase: StreamCase): fc.Arbitrary<SseEvent[]> {
  return fc
    .tuple(fc.constantFrom(...streamCase.recordings), fc.array(streamEdit, { minLength: 1, maxLength: 10 }))
    .map(([lines, edits]) =>
      applyEdits(
        lines.map((data) => ({ event: streamCase.eventName(data), data, id: undefined })),
        edits,
      ),
    );
}

/** Events drawn from anywhere: foreign data and mutated recorded events, in any order, under any name. */
function anyEvents(streamCase: StreamCase): fc.Arbitrary<SseEvent[]> {
  const lines = streamCase.recordings.flat();
  const data = fc.oneof(foreignData, mutatedFrom(lines), fc.constantFrom(...lines));
  return fc.array(fc.record({ event: eventNameArbitrary, data, id: fc.constant(undefined) }), {
    maxLength: 25,
  });
}

function expectCount(value: unknown): void {
  expect(value === null || typeof value === 'number').toBe(true);
}

function expectUsage(usage: Usage): void {
  expectCount(usage.inputTokens);
  expectCount(usage.outputTokens);
  expectCount(usage.cachedInputTokens);
  expectCount(usage.reasoningTokens);
  if (usage.cacheWriteTokens !== undefined) expectCount(usage.cacheWriteTokens);
}

/** A payload a client can read: `[DONE]`, the event's own bytes (pass-through), or a JSON object. */
function expectPayloads(parts: HubPart[], passThrough: string | null): void {
  expect(Array.isArray(parts)).toBe(true);
  for (const payload of parts.map(hubPartData)) {
    expect(typeof payload).toBe('string');
    if (payload === '[DONE]' || payload === passThrough) continue;
    const parsed = JSON.parse(payload as string) as unknown;
    expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
  }
}

/** Runs every method of the reducer over the events; any exception fails the property. */
function drive<State>(
  stream: ChatStream<State>,
  events: readonly SseEvent[],
  clientWantsUsage: boolean,
  passThrough: boolean,
): { complete: boolean } {
  const state = stream.init({ model: 'asked-model', created: CREATED, clientWantsUsage });
  for (const event of events) {
    expectPayloads(stream.next(state, event), passThrough ? event.data : null);
    // Read mid-stream too: a cut stream is recorded from whatever state it reached.
    expectUsage(stream.usage(state));
  }
  const end = stream.end(state);
  expectPayloads(end.parts, null);
  expect(typeof end.complete).toBe('boolean');
  expectUsage(stream.usage(state));
  const model = stream.upstreamModel(state);
  expect(model === null || typeof model === 'string').toBe(true);
  const code = stream.errorCode(state);
  expect(code === null || typeof code === 'string').toBe(true);
  return { complete: end.complete };
}

describe.each(Object.entries(STREAMS))('the %s stream reducer under hostile events', (name, streamCase) => {
  const stream = streamCase.vendor.chat.stream;
  const passThrough = name === 'openai';

  it(
    'never throws on a recorded stream with events mutated, foreign, dropped, moved or renamed',
    () => {
      fc.assert(
        fc.property(editedRecording(streamCase), fc.boolean(), (events, wantsUsage) => {
          drive(stream, events, wantsUsage, passThrough);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'never throws on any sequence of any events',
    () => {
      fc.assert(
        fc.property(anyEvents(streamCase), fc.boolean(), (events, wantsUsage) => {
          drive(stream, events, wantsUsage, passThrough);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it('calls a stream complete only when its end was seen', () => {
    // Every recording cut before its last event: nothing said the answer was whole.
    for (const lines of streamCase.recordings) {
      const events = lines
        .slice(0, -1)
        .map((data) => ({ event: streamCase.eventName(data), data, id: undefined }));
      expect(drive(stream, events, true, passThrough).complete).toBe(false);
    }
  });
});

/** Event data the issue names, each of which crashed or could crash a reducer. */
const NAMED_EVENTS: Record<string, string[]> = {
  openai: [
    'null',
    '5',
    '"x"',
    '[1,null]',
    'true',
    'false',
    '{"choices":5}',
    '{"choices":[null]}',
    '{"choices":[{"delta":null}]}',
    '{"choices":[{"delta":{"tool_calls":[null]}}]}',
    '{"choices":[{"delta":{"tool_calls":[{"function":null}]}}]}',
    '{"error":null}',
    '{"error":5}',
    '{"error":{"code":{"toString":1,"valueOf":1}}}',
    '{"error":{"type":{"toString":1}}}',
    '{"usage":"x","choices":[]}',
    '{"usage":[],"choices":[]}',
    '{"usage":{"prompt_tokens":"1","prompt_tokens_details":"x","completion_tokens_details":5}}',
    `{"usage":{"prompt_tokens":1},"choices":[{"delta":{"content":"x"}}],"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
  ],
  anthropic: [
    'null',
    '{"type":"content_block_delta","index":"x","delta":null}',
    '{"type":"content_block_delta","index":0,"delta":{"type":5}}',
    '{"type":"message_start","message":null}',
    '{"type":"message_start","message":{"usage":"x"}}',
    '{"type":"message_delta","usage":{"output_tokens":"7"},"delta":5}',
    '{"type":"content_block_start","index":0,"content_block":null}',
    `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`,
    '{"type":"content_block_stop","index":{"a":1}}',
    '{"type":"error","error":null}',
    '{"type":"error","error":{"type":{"toString":1},"message":5}}',
    '{"type":{"toString":1}}',
    '{"type":"message_stop"}',
  ],
  gemini: [
    'null',
    '[null,5,"x"]',
    '{"candidates":[{"content":{"parts":null}}]}',
    '{"candidates":[null,{"content":null}]}',
    '{"candidates":5,"usageMetadata":"x"}',
    '{"usageMetadata":{"promptTokenCount":"9","candidatesTokenCount":{"a":1}}}',
    '{"error":null}',
    '{"error":{"code":"x","status":5,"message":null}}',
    `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}}]}}]}`,
    `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","willContinue":true,"partialArgs":[{"jsonPath":"$${'.a'.repeat(20_000)}","stringValue":"x"}]}}]}}]}`,
    '{"candidates":[{"content":{"parts":[{"functionCall":{"willContinue":false,"partialArgs":[null,{"jsonPath":5}]}}]},"finishReason":"STOP"}]}',
  ],
};

describe.each(Object.entries(NAMED_EVENTS))(
  'the %s stream reducer on the events the issue names',
  (name, datas) => {
    const stream = STREAMS[name]!.vendor.chat.stream;

    it.each(
      datas.map((data) => [data.length > 120 ? `${data.slice(0, 100)}… (${data.length} chars)` : data, data]),
    )('survives data %s, alone and after a recorded start', (_label, data) => {
      for (const wantsUsage of [false, true]) {
        drive(stream, [{ event: undefined, data, id: undefined }], wantsUsage, name === 'openai');
        const recording = STREAMS[name]!.recordings[0]!;
        const start = recording.slice(0, 3).map((line) => ({
          event: STREAMS[name]!.eventName(line),
          data: line,
          id: undefined,
        }));
        const event = { event: STREAMS[name]!.eventName(data) ?? 'content_block_delta', data, id: undefined };
        const started = Date.now();
        drive(stream, [...start, event, event], wantsUsage, name === 'openai');
        // Linear work: a hostile event must not hold the event loop.
        expect(Date.now() - started).toBeLessThan(1000);
      }
    });
  },
);

interface BodyCase {
  vendor: WireFormat<unknown>;
  chat: string[];
  embeddings: string[];
  errors: string[];
  models: string[];
}

const OPENAI_EMBEDDINGS =
  '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-0.2]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}';

const BODIES: Record<string, BodyCase> = {
  openai: {
    vendor: openai as WireFormat<unknown>,
    chat: [shared('openai/openai-text.json'), shared('openai-compatible/deepseek-tool-call.json')],
    embeddings: [OPENAI_EMBEDDINGS],
    errors: [
      shared('openai/reasoning-model-legacy-parameter-error.json'),
      '{"error":"text"}',
      '{"message":"m"}',
    ],
    models: ['{"object":"list","data":[{"id":"gpt-4.1","object":"model"},{"id":"o3","object":"model"}]}'],
  },
  anthropic: {
    vendor: anthropicMessagesFormat as WireFormat<unknown>,
    chat: [
      shared('anthropic/anthropic-text.json'),
      shared('anthropic/anthropic-tool-no-args.json'),
      shared('anthropic/anthropic-clear-thinking.1.json'),
      shared('anthropic/anthropic-json-other-tool.1.json'),
      shared('anthropic/anthropic-claude-opus-5-reasoning-high.1.json'),
      own('anthropic/redacted-thinking.json'),
      own('anthropic/refusal.json'),
      own('anthropic/response-format-tool.json'),
      own('anthropic/thinking-tool-use.json'),
    ],
    embeddings: [],
    errors: [own('anthropic/error-invalid-request.json'), own('anthropic/error-overloaded.json')],
    models: ['{"data":[{"id":"claude-sonnet-4-5","type":"model"}],"has_more":false}'],
  },
  gemini: {
    vendor: geminiGenerateFormat as WireFormat<unknown>,
    chat: [
      shared('google/google-text.json'),
      shared('google/google-tool-call.json'),
      own('gemini/gemini-cached-usage.json'),
      own('gemini/gemini-logprobs.json'),
      own('gemini/gemini-parallel-function-calls.json'),
      own('gemini/gemini-prompt-blocked.json'),
      own('gemini/gemini-safety-block.json'),
      own('gemini/gemini-two-candidates.json'),
    ],
    embeddings: [own('gemini/gemini-batch-embed-contents.json')],
    errors: [
      shared('google/google-429-retry-info.json'),
      own('gemini/gemini-400-api-key-invalid.json'),
      own('gemini/gemini-404-model-not-found.json'),
    ],
    models: [own('gemini/gemini-models.json')],
  },
};

/** JSON bodies: recorded ones mutated, and foreign JSON (text that is not JSON is the transport's concern). */
function jsonBodies(recorded: readonly string[]): fc.Arbitrary<unknown> {
  const texts = recorded.length === 0 ? foreignData : fc.oneof(mutatedFrom(recorded), foreignData);
  return texts
    .map((text) => {
      try {
        return { parsed: JSON.parse(text) as unknown };
      } catch {
        return null;
      }
    })
    .filter((body): body is { parsed: unknown } => body !== null)
    .map((body) => body.parsed);
}

/** Returns an answer the gateway can send (serialisable, usage of numbers or null), or throws a GatewayError. */
function expectAnswerOrGatewayError(run: () => ReturnType<WireFormat['chat']['response']>): void {
  let result: ReturnType<WireFormat['chat']['response']>;
  try {
    result = run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return;
  }
  expect(result.body === null || typeof JSON.stringify(result.body) === 'string').toBe(true);
  expectUsage(result.usage);
  expect(result.upstreamModel === null || typeof result.upstreamModel === 'string').toBe(true);
}

const isJsonObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

describe.each(Object.entries(BODIES))('the %s answer parsers under hostile bodies', (name, bodyCase) => {
  const { vendor } = bodyCase;
  const context = { model: 'asked-model', created: CREATED };

  it(
    'chat.response returns an answer or throws a GatewayError, for any JSON',
    () => {
      fc.assert(
        fc.property(jsonBodies(bodyCase.chat), (body) => {
          expectAnswerOrGatewayError(() => vendor.chat.response(body, context));
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'embeddings.response returns an answer or throws a GatewayError, for any JSON',
    () => {
      const embeddings = vendor.embeddings;
      if (embeddings === null) return;
      fc.assert(
        fc.property(
          jsonBodies(bodyCase.embeddings),
          fc.constantFrom<unknown>(undefined, 'float', 'base64'),
          (body, format) => {
            expectAnswerOrGatewayError(() =>
              embeddings.response(body, { ...context, encodingFormat: format }),
            );
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it('answers 502 upstream_error for an answer that is not a JSON object', () => {
    for (const body of [null, 0, 5, -1, true, false, '', 'text', [], [{}], [null]]) {
      for (const parse of [vendor.chat.response, vendor.embeddings?.response]) {
        if (parse === undefined) continue;
        let thrown: unknown = null;
        try {
          parse(body, context);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `${name} with ${JSON.stringify(body)}`).toBeInstanceOf(GatewayError);
        expect((thrown as GatewayError).status).toBe(502);
        expect((thrown as GatewayError).code).toBe('upstream_error');
        expect((thrown as GatewayError).message).toMatch(/upstream|Gemini/);
      }
    }
    // Property form: whatever is not an object is refused.
    fc.assert(
      fc.property(
        jsonBodies([]).filter((body) => !isJsonObject(body)),
        (body) => {
          expect(() => vendor.chat.response(body, context)).toThrow(GatewayError);
        },
      ),
      { numRuns: 100 },
    );
  });

  it(
    'models.parse gives a list of strings for any JSON',
    () => {
      fc.assert(
        fc.property(jsonBodies(bodyCase.models), (body) => {
          const ids = vendor.parseModelList(body);
          expect(Array.isArray(ids) && ids.every((id) => typeof id === 'string')).toBe(true);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'mapError gives a GatewayError with plain string fields for any body and status',
    () => {
      const texts = fc.oneof(mutatedFrom(bodyCase.errors), foreignData, fc.string());
      fc.assert(
        fc.property(fc.integer({ min: 400, max: 599 }), texts, (status, text) => {
          const error = vendor.mapError(status, text);
          expect(error).toBeInstanceOf(GatewayError);
          expect(typeof error.message).toBe('string');
          expect(typeof error.code).toBe('string');
          expect(typeof error.type).toBe('string');
          expect(Number.isInteger(error.status)).toBe(true);
          for (const value of Object.values(error.headers)) {
            expect(typeof value).toBe('string');
            // A header value must be something a client can act on, never "Infinity" or "NaN".
            expect(value).toMatch(/^\d+$/);
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe('what a hostile upstream gets, in particular', () => {
  const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  const context = { model: 'asked-model', created: CREATED };

  it('an OpenAI event that is not an object goes on as its bytes, and the stream stays incomplete', () => {
    const stream = openai.chat.stream;
    const state = stream.init({ ...context, clientWantsUsage: false });
    for (const data of ['null', '5', '[1]', '"x"', deepArray])
      expect(stream.next(state, { event: undefined, data, id: undefined })).toEqual([{ type: 'raw', data }]);
    expect(stream.end(state).complete).toBe(false);
    expect(stream.errorCode(state)).toBeNull();
  });

  it('an OpenAI `error: null` is no error, and an error code that is not text reads as upstream_error', () => {
    const stream = openai.chat.stream;
    const state = stream.init({ ...context, clientWantsUsage: false });
    stream.next(state, { event: undefined, data: '{"error":null,"choices":[]}', id: undefined });
    expect(stream.errorCode(state)).toBeNull();
    stream.next(state, {
      event: undefined,
      data: '{"error":{"code":{"toString":1},"type":[]}}',
      id: undefined,
    });
    expect(stream.errorCode(state)).toBe('upstream_error');
    const numbered = stream.init({ ...context, clientWantsUsage: false });
    stream.next(numbered, { event: undefined, data: '{"error":{"code":429}}', id: undefined });
    expect(stream.errorCode(numbered)).toBe('429');
  });

  it('an OpenAI usage that is not an object does not wipe out the usage already seen', () => {
    const stream = openai.chat.stream;
    const state = stream.init({ ...context, clientWantsUsage: true });
    stream.next(state, {
      event: undefined,
      data: '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}',
      id: undefined,
    });
    stream.next(state, { event: undefined, data: '{"choices":[],"usage":"x"}', id: undefined });
    expect(stream.usage(state)).toMatchObject({ inputTokens: 3, outputTokens: 2 });
  });

  it('an OpenAI usage chunk nested too deeply passes on unchanged instead of being re-serialised', () => {
    const stream = openai.chat.stream;
    const state = stream.init({ ...context, clientWantsUsage: false });
    const data = `{"choices":[{"delta":{"content":"x"}}],"usage":{"prompt_tokens":1},"deep":${deepArray}}`;
    expect(stream.next(state, { event: undefined, data, id: undefined })).toEqual([{ type: 'raw', data }]);
  });

  it('an Anthropic or Gemini answer nested too deeply to re-serialise is a 502', () => {
    const anthropic = JSON.parse(
      `{"id":"m","model":"c","content":[{"type":"tool_use","id":"t","name":"f","input":{"a":${deepArray}}}],"stop_reason":"tool_use"}`,
    ) as unknown;
    const gemini = JSON.parse(
      `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":${deepArray}}}}]},"finishReason":"STOP"}]}`,
    ) as unknown;
    for (const [vendor, body] of [
      [anthropicMessagesFormat, anthropic],
      [geminiGenerateFormat, gemini],
    ] as const) {
      expect(() => vendor.chat.response(body, context)).toThrow(
        expect.objectContaining({
          status: 502,
          code: 'upstream_error',
          message: expect.stringMatching(/nested more than 512/),
        }),
      );
    }
    // The same answer at a sane depth is translated.
    const shallow = JSON.parse(
      '{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":[[[]]]}}}]},"finishReason":"STOP"}]}',
    ) as unknown;
    expect(geminiGenerateFormat.chat.response(shallow, context).body).not.toBeNull();
  });

  it('a Gemini retryDelay too long for a number gives no Retry-After header', () => {
    const body = JSON.stringify({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'slow down',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${'9'.repeat(400)}s` }],
      },
    });
    expect(geminiGenerateFormat.mapError(429, body).headers).toEqual({});
    const sane = body.replace(/9{400}/, '34.2');
    expect(geminiGenerateFormat.mapError(429, sane).headers).toEqual({ 'retry-after': '35' });
  });

  it('Gemini usage a client sees holds no count that cannot be true', () => {
    const chunk =
      '{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":-7,"candidatesTokenCount":2.5}}';
    const stream = geminiGenerateFormat.chat.stream;
    const state = stream.init({ ...context, clientWantsUsage: true });
    stream.next(state, { event: undefined, data: chunk, id: undefined });
    const usageChunk = JSON.parse(hubPartData(stream.end(state).parts[0]!)) as {
      usage: Record<string, unknown>;
    };
    expect(usageChunk.usage).toMatchObject({
      prompt_tokens: null,
      completion_tokens: null,
      total_tokens: null,
    });
    // The recorder still sees what was sent, to note it.
    expect(stream.usage(state)).toMatchObject({ inputTokens: -7, outputTokens: 2.5 });
  });

  it('an Anthropic message_delta whose usage is not an object leaves the output to the estimate', () => {
    const stream = anthropicMessagesFormat.chat.stream;
    const state = stream.init({ ...context, clientWantsUsage: false });
    const events = [
      '{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":5,"output_tokens":1}}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
      `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${'x'.repeat(40)}"}}`,
      '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":"x"}',
    ];
    for (const data of events) stream.next(state, { event: undefined, data, id: undefined });
    // Not message_start's first count (1): no final usage came, so the streamed text is counted.
    expect(stream.usage(state).outputTokens).toBe(10);
  });

  it('Gemini embeddings show the client no count that cannot be true, and give the recorder the one sent', () => {
    const embeddings = geminiGenerateFormat.embeddings!;
    const result = embeddings.response(
      { embeddings: [{ values: [0.5] }], usageMetadata: { promptTokenCount: -3 } },
      context,
    );
    expect(result.body).toMatchObject({ usage: { prompt_tokens: null, total_tokens: null } });
    expect(result.usage.inputTokens).toBe(-3);
  });
});
