import type { HubPart, InboundStreamContext, JsonObject, StreamEvent, Usage } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import { messageId } from './message-id.ts';
import { matchedStop, stopReasonFor } from './stop-reason.ts';
import { anthropicUsage } from './usage.ts';

/*
 * The hub's chunks → Anthropic's event sequence: `message_start`, `ping`, then one content block
 * at a time (`content_block_start`, its deltas, `content_block_stop`), and at the end
 * `message_delta` (stop reason and usage) and `message_stop`. The end waits for `end()`: the
 * usage comes after the finish reason (in a chunk of its own when include_usage is set), and
 * `end()` is given the usage the pipeline records. Reasoning deltas are left out, as in answers
 * (from-hub-answer.ts): no signature can be given for them.
 */

type OpenBlock = { kind: 'text'; index: number } | { kind: 'tool'; index: number; call: number };

export interface AnthropicEncoderState {
  model: string;
  estimatedInputTokens: number;
  started: boolean;
  /** The index the next content block gets. */
  nextIndex: number;
  open: OpenBlock | null;
  /** Hub tool-call indexes whose block has been opened (and maybe closed). */
  calls: Set<number>;
  finishReason: unknown;
  stopSequence: string | null;
  refused: boolean;
  /** An error event went out: nothing follows it. */
  failed: boolean;
}

const event = (data: JsonObject): StreamEvent => ({
  event: data['type'] as string,
  data: JSON.stringify(data),
});

function start(state: AnthropicEncoderState, hubId: unknown): StreamEvent[] {
  if (state.started) return [];
  state.started = true;
  return [
    event({
      type: 'message_start',
      message: {
        id: messageId(hubId),
        type: 'message',
        role: 'assistant',
        model: state.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The vendor has not counted yet: the gateway's count of the prompt, never 0 for a real one.
        usage: {
          input_tokens: state.estimatedInputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    }),
    event({ type: 'ping' }),
  ];
}

function close(state: AnthropicEncoderState): StreamEvent[] {
  if (state.open === null) return [];
  const index = state.open.index;
  state.open = null;
  return [event({ type: 'content_block_stop', index })];
}

function open(state: AnthropicEncoderState, block: OpenBlock, contentBlock: JsonObject): StreamEvent[] {
  const events = close(state);
  state.open = block;
  state.nextIndex += 1;
  events.push(event({ type: 'content_block_start', index: block.index, content_block: contentBlock }));
  return events;
}

function text(state: AnthropicEncoderState, value: string): StreamEvent[] {
  const current = state.open;
  const block = current?.kind === 'text' ? current : { kind: 'text' as const, index: state.nextIndex };
  const events = block === current ? [] : open(state, block, { type: 'text', text: '' });
  events.push(
    event({ type: 'content_block_delta', index: block.index, delta: { type: 'text_delta', text: value } }),
  );
  return events;
}

/**
 * One tool-call delta. A call's first delta (with its id and name) opens its block, closing the one
 * before: servers stream parallel calls one after another. A fragment for a call whose block
 * already closed cannot be sent in Anthropic's sequence and is left out.
 */
function toolCall(state: AnthropicEncoderState, call: JsonObject, hubId: unknown): StreamEvent[] {
  const number = typeof call['index'] === 'number' ? call['index'] : 0;
  const fn = isJsonObject(call['function']) ? call['function'] : {};
  const events: StreamEvent[] = [];
  if (!state.calls.has(number)) {
    state.calls.add(number);
    const id =
      typeof call['id'] === 'string' && call['id'] !== '' ? call['id'] : `${messageId(hubId)}_${number}`;
    const name = typeof fn['name'] === 'string' ? fn['name'] : '';
    const block: OpenBlock = { kind: 'tool', index: state.nextIndex, call: number };
    events.push(...open(state, block, { type: 'tool_use', id, name, input: {} }));
  }
  const fragment = fn['arguments'];
  const current = state.open;
  if (
    typeof fragment === 'string' &&
    fragment !== '' &&
    current?.kind === 'tool' &&
    current.call === number
  ) {
    events.push(
      event({
        type: 'content_block_delta',
        index: current.index,
        delta: { type: 'input_json_delta', partial_json: fragment },
      }),
    );
  }
  return events;
}

function choiceEvents(state: AnthropicEncoderState, choice: JsonObject, hubId: unknown): StreamEvent[] {
  const events: StreamEvent[] = [];
  const delta = isJsonObject(choice['delta']) ? choice['delta'] : {};
  for (const value of [delta['content'], delta['refusal']]) {
    if (typeof value === 'string' && value !== '') events.push(...text(state, value));
  }
  if (typeof delta['refusal'] === 'string' && delta['refusal'] !== '') state.refused = true;
  if (Array.isArray(delta['tool_calls'])) {
    for (const call of delta['tool_calls'])
      if (isJsonObject(call)) events.push(...toolCall(state, call, hubId));
  }
  const finish = choice['finish_reason'];
  if (finish !== null && finish !== undefined) {
    state.finishReason = finish;
    state.stopSequence = matchedStop(choice);
    events.push(...close(state));
  }
  return events;
}

/** The error types Anthropic's clients know; the hub's others (`server_error`…) read as `api_error`. */
const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

/** An error chunk `{error: {message, type, code}}` → Anthropic's `error` event. */
function errorEvent(error: unknown): StreamEvent {
  const fields = isJsonObject(error) ? error : {};
  const message =
    typeof fields['message'] === 'string' ? fields['message'] : 'The upstream reported an error.';
  const type = fields['code'] === 'overloaded' ? 'overloaded_error' : fields['type'];
  return event({
    type: 'error',
    error: {
      type: typeof type === 'string' && ANTHROPIC_ERROR_TYPES.has(type) ? type : 'api_error',
      message,
    },
  });
}

export const anthropicStreamEncoder = {
  init: (context: InboundStreamContext): AnthropicEncoderState => ({
    model: context.model,
    estimatedInputTokens: context.estimatedInputTokens,
    started: false,
    nextIndex: 0,
    open: null,
    calls: new Set(),
    finishReason: null,
    stopSequence: null,
    refused: false,
    failed: false,
  }),

  next(state: AnthropicEncoderState, part: HubPart): StreamEvent[] {
    // `[DONE]` has no Anthropic counterpart, and data that is not a chunk cannot be read.
    if (part.type !== 'chunk' || state.failed) return [];
    const chunk = part.chunk;
    if (chunk['error'] !== undefined && chunk['error'] !== null) {
      state.failed = true;
      return [errorEvent(chunk['error'])];
    }
    const choices = Array.isArray(chunk['choices']) ? chunk['choices'].filter(isJsonObject) : [];
    // Chunks without choices (Azure's prompt filter results, the usage chunk) start nothing.
    if (choices.length === 0) return [];
    const events = start(state, chunk['id']);
    for (const choice of choices) events.push(...choiceEvents(state, choice, chunk['id']));
    return events;
  },

  end(state: AnthropicEncoderState, usage: Usage, complete: boolean): StreamEvent[] {
    // A cut stream's error event is the pipeline's to send.
    if (!complete || state.failed) return [];
    const events = [...start(state, undefined), ...close(state)];
    const stopReason = state.refused
      ? 'refusal'
      : stopReasonFor(state.finishReason, state.stopSequence, state.calls.size > 0);
    events.push(
      event({
        type: 'message_delta',
        delta: {
          stop_reason: stopReason,
          stop_sequence: stopReason === 'stop_sequence' ? state.stopSequence : null,
        },
        usage: anthropicUsage(usage, state.estimatedInputTokens),
      }),
      event({ type: 'message_stop' }),
    );
    return events;
  },
};
