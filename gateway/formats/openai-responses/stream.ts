import type { SseEvent } from '../../protocol/sse.ts';
import type { ChatStream, HubPart, JsonObject, Usage } from '../types.ts';
import { isJsonObject, parseEventData } from '../upstream-json.ts';
import { estimatedUsage } from '../usage-check.ts';
import { hubUsage } from './hub-usage.ts';
import { usageFromResponses } from './usage.ts';

export interface ResponsesStreamState {
  model: string;
  created: number;
  clientWantsUsage: boolean;
  id: string;
  usage: Usage | null;
  upstreamModel: string | null;
  /** `response.completed` or `response.incomplete` came: the answer is whole. */
  complete: boolean;
  errorCode: string | null;
  /** Function-call items by output index → their hub tool-call index, and whether arguments streamed. */
  calls: Map<number, { index: number; streamed: boolean }>;
  /** Characters of streamed text and arguments, for an estimate when the stream is cut before its usage. */
  streamedChars: number;
}

function chunk(state: ResponsesStreamState, delta: JsonObject, finishReason: string | null = null): HubPart {
  return {
    type: 'chunk',
    chunk: {
      id: state.id,
      object: 'chat.completion.chunk',
      created: state.created,
      model: state.upstreamModel ?? state.model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    },
  };
}

/** The error code of an `error` event or a failed response's `error`: its code, else its type. */
function errorCode(error: JsonObject): string {
  for (const value of [error['code'], error['type']]) {
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'upstream_error';
}

function errorPart(state: ResponsesStreamState, error: JsonObject): HubPart[] {
  // An `error` event is followed by `response.failed`: the client hears of it once.
  if (state.errorCode !== null) return [];
  state.errorCode = errorCode(error);
  const message = typeof error['message'] === 'string' ? error['message'] : 'The upstream reported an error.';
  return [{ type: 'chunk', chunk: { error: { message, type: 'upstream_error', code: state.errorCode } } }];
}

/** The hub's finish reason for a finished response. */
function finishReason(state: ResponsesStreamState, response: JsonObject): string {
  const details = isJsonObject(response['incomplete_details']) ? response['incomplete_details'] : {};
  if (response['status'] === 'incomplete')
    return details['reason'] === 'content_filter' ? 'content_filter' : 'length';
  return state.calls.size > 0 ? 'tool_calls' : 'stop';
}

function finish(state: ResponsesStreamState, response: JsonObject): HubPart[] {
  state.complete = true;
  state.usage = usageFromResponses(response['usage']) ?? state.usage;
  const parts = [chunk(state, {}, finishReason(state, response))];
  if (state.clientWantsUsage && isJsonObject(response['usage'])) {
    parts.push({
      type: 'chunk',
      chunk: {
        id: state.id,
        object: 'chat.completion.chunk',
        created: state.created,
        model: state.upstreamModel ?? state.model,
        choices: [],
        usage: hubUsage(response['usage']),
      },
    });
  }
  parts.push({ type: 'done' });
  return parts;
}

function started(state: ResponsesStreamState, response: JsonObject): HubPart[] {
  if (typeof response['id'] === 'string') state.id = response['id'];
  if (typeof response['model'] === 'string' && response['model'] !== '')
    state.upstreamModel = response['model'];
  return [chunk(state, { role: 'assistant', content: '' })];
}

function toolCallStart(state: ResponsesStreamState, data: JsonObject, item: JsonObject): HubPart[] {
  const outputIndex = typeof data['output_index'] === 'number' ? data['output_index'] : -1;
  const index = state.calls.size;
  state.calls.set(outputIndex, { index, streamed: false });
  const call = {
    index,
    id: item['call_id'],
    type: 'function',
    function: { name: item['name'], arguments: '' },
  };
  return [chunk(state, { tool_calls: [call] })];
}

/**
 * Arguments as they stream; a server that sends them only whole (in `.done`) has them sent from
 * there, once.
 */
function argumentsPart(
  state: ResponsesStreamState,
  data: JsonObject,
  field: 'delta' | 'arguments',
): HubPart[] {
  const call = state.calls.get(typeof data['output_index'] === 'number' ? data['output_index'] : -1);
  const text = data[field];
  if (call === undefined || typeof text !== 'string' || text === '') return [];
  if (field === 'arguments' && call.streamed) return [];
  call.streamed = true;
  state.streamedChars += text.length;
  return [chunk(state, { tool_calls: [{ index: call.index, function: { arguments: text } }] })];
}

function textDelta(state: ResponsesStreamState, field: string, delta: unknown): HubPart[] {
  if (typeof delta !== 'string' || delta === '') return [];
  state.streamedChars += delta.length;
  return [chunk(state, { [field]: delta })];
}

/**
 * A Responses stream → hub parts: text, reasoning (summaries and raw reasoning text) and function
 * calls as chat chunks, the finish and usage from `response.completed` or `response.incomplete`.
 * On `/proxy` it only reads the native stream for usage and for whether it ended whole.
 */
export const responsesStream: ChatStream<ResponsesStreamState> = {
  init: ({ model, created, clientWantsUsage }) => ({
    model,
    created,
    clientWantsUsage,
    id: '',
    usage: null,
    upstreamModel: null,
    complete: false,
    errorCode: null,
    calls: new Map(),
    streamedChars: 0,
  }),

  next(state, event: SseEvent): HubPart[] {
    const data = parseEventData(event.data);
    if (!isJsonObject(data) || state.complete) return [];
    const response = isJsonObject(data['response']) ? data['response'] : {};
    switch (data['type']) {
      case 'response.created':
        return started(state, response);
      case 'response.output_text.delta':
        return textDelta(state, 'content', data['delta']);
      case 'response.refusal.delta':
        return textDelta(state, 'refusal', data['delta']);
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return textDelta(state, 'reasoning_content', data['delta']);
      case 'response.output_item.added': {
        const item = isJsonObject(data['item']) ? data['item'] : {};
        return item['type'] === 'function_call' ? toolCallStart(state, data, item) : [];
      }
      case 'response.function_call_arguments.delta':
        return argumentsPart(state, data, 'delta');
      case 'response.function_call_arguments.done':
        return argumentsPart(state, data, 'arguments');
      case 'response.completed':
      case 'response.incomplete':
        return finish(state, response);
      case 'response.failed': {
        state.usage = usageFromResponses(response['usage']) ?? state.usage;
        return errorPart(state, isJsonObject(response['error']) ? response['error'] : {});
      }
      case 'error':
        return errorPart(state, isJsonObject(data['error']) ? data['error'] : data);
      default:
        return [];
    }
  },

  end: (state) => ({ parts: [], complete: state.complete }),

  usage: (state) => state.usage ?? estimatedUsage(state.streamedChars),

  upstreamModel: (state) => state.upstreamModel,
  errorCode: (state) => state.errorCode,
};
