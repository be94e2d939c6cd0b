import type { Carrier, HubPart, InboundStreamContext, JsonObject, StreamEvent, Usage } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import { itemId, newResponseHex, responseId } from '../ids.ts';
import { responsesUsage } from '../usage.ts';
import {
  emptyCarried,
  gatherCallCarried,
  gatherCarried,
  isEmptyCarried,
  sealCarried,
  type CarriedState,
} from './carry.ts';
import {
  functionCallItem,
  incompleteReason,
  messageItem,
  outputText,
  reasoningItem,
  responseObject,
  type ResponseStatus,
} from './response-object.ts';

/*
 * The hub's chunks → the Responses event sequence (what Codex and the `openai` SDK read):
 * `response.created` and `response.in_progress`, then each output item opened
 * (`output_item.added`), streamed and closed (`output_item.done`), and at the end
 * `response.completed` (or `response.incomplete`) with the whole response and its usage, which
 * waits for `end()`: the usage comes after the finish reason. Reasoning goes out as a summary, with
 * the vendor state seen so far sealed in the item's `encrypted_content` when it closes (state that
 * comes later, as Gemini's signature on an answer's last text, in one more reasoning item at the
 * end); the message as one `output_text` part, each tool call as a `function_call` item whose
 * arguments stream as they arrive. Every event carries its `sequence_number`.
 */

interface TextItem {
  kind: 'reasoning' | 'message';
  outputIndex: number;
  id: string;
  text: string;
}

interface CallItem {
  outputIndex: number;
  id: string;
  callId: string;
  name: string;
  arguments: string;
  open: boolean;
}

export interface ResponsesEncoderState {
  model: string;
  hex: string;
  createdAt: number;
  sequence: number;
  started: boolean;
  /** The reasoning or message item being streamed: one at a time, as OpenAI streams them. */
  open: TextItem | null;
  /** Hub tool-call indexes → their items; open until the answer's finish. */
  calls: Map<number, CallItem>;
  /** Every item closed so far, by output index, for the final response. */
  output: JsonObject[];
  nextOutputIndex: number;
  finishReason: unknown;
  /** An error went out: nothing follows it. */
  failed: boolean;
  carrier: Carrier | undefined;
  /** Vendor state not yet sealed into a reasoning item. */
  carried: CarriedState;
}

function event(state: ResponsesEncoderState, data: JsonObject): StreamEvent {
  const payload = { type: data['type'], sequence_number: state.sequence++, ...data };
  return { event: data['type'] as string, data: JSON.stringify(payload) };
}

function response(
  state: ResponsesEncoderState,
  status: ResponseStatus,
  extra: {
    usage?: JsonObject | null;
    incompleteReason?: string | null;
    error?: JsonObject | null;
  },
): JsonObject {
  return responseObject({
    id: responseId(state.hex),
    model: state.model,
    createdAt: state.createdAt,
    status,
    output: status === 'in_progress' ? [] : state.output.filter((item) => item !== undefined),
    usage: extra.usage ?? null,
    incompleteReason: extra.incompleteReason ?? null,
    error: extra.error ?? null,
  });
}

function start(state: ResponsesEncoderState): StreamEvent[] {
  if (state.started) return [];
  state.started = true;
  return [
    event(state, { type: 'response.created', response: response(state, 'in_progress', {}) }),
    event(state, { type: 'response.in_progress', response: response(state, 'in_progress', {}) }),
  ];
}

function closeText(state: ResponsesEncoderState): StreamEvent[] {
  const item = state.open;
  if (item === null) return [];
  state.open = null;
  const at = { item_id: item.id, output_index: item.outputIndex };
  if (item.kind === 'reasoning') {
    const part = { type: 'summary_text', text: item.text };
    const done = reasoningItem(item.id, item.text, takeSealed(state));
    state.output[item.outputIndex] = done;
    return [
      event(state, {
        type: 'response.reasoning_summary_text.done',
        ...at,
        summary_index: 0,
        text: item.text,
      }),
      event(state, { type: 'response.reasoning_summary_part.done', ...at, summary_index: 0, part }),
      event(state, { type: 'response.output_item.done', output_index: item.outputIndex, item: done }),
    ];
  }
  const done = messageItem(item.id, 'completed', [outputText(item.text)]);
  state.output[item.outputIndex] = done;
  return [
    event(state, {
      type: 'response.output_text.done',
      ...at,
      content_index: 0,
      text: item.text,
      logprobs: [],
    }),
    event(state, {
      type: 'response.content_part.done',
      ...at,
      content_index: 0,
      part: outputText(item.text),
    }),
    event(state, { type: 'response.output_item.done', output_index: item.outputIndex, item: done }),
  ];
}

/** The pending vendor state, sealed (null when there is none), and the pending state emptied. */
function takeSealed(state: ResponsesEncoderState): string | null {
  const sealed = sealCarried(state.carried, state.carrier);
  state.carried = emptyCarried();
  return sealed;
}

/** Vendor state that came after the last reasoning item closed, in a reasoning item of its own. */
function closeCarried(state: ResponsesEncoderState): StreamEvent[] {
  if (isEmptyCarried(state.carried)) return [];
  const sealed = takeSealed(state);
  if (sealed === null) return [];
  const outputIndex = state.nextOutputIndex++;
  const id = itemId('rs', state.hex, outputIndex);
  const done = reasoningItem(id, '', sealed);
  state.output[outputIndex] = done;
  return [
    event(state, {
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: { ...done, encrypted_content: null },
    }),
    event(state, { type: 'response.output_item.done', output_index: outputIndex, item: done }),
  ];
}

function closeCalls(state: ResponsesEncoderState): StreamEvent[] {
  return [...state.calls.values()].flatMap((call) => {
    if (!call.open) return [];
    call.open = false;
    const done = functionCallItem(call.id, 'completed', call);
    state.output[call.outputIndex] = done;
    return [
      event(state, {
        type: 'response.function_call_arguments.done',
        item_id: call.id,
        output_index: call.outputIndex,
        arguments: call.arguments,
      }),
      event(state, { type: 'response.output_item.done', output_index: call.outputIndex, item: done }),
    ];
  });
}

function text(state: ResponsesEncoderState, kind: TextItem['kind'], value: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  let item = state.open;
  if (item?.kind !== kind) {
    events.push(...closeText(state));
    const outputIndex = state.nextOutputIndex++;
    item = {
      kind,
      outputIndex,
      id: itemId(kind === 'message' ? 'msg' : 'rs', state.hex, outputIndex),
      text: '',
    };
    state.open = item;
    const at = { item_id: item.id, output_index: outputIndex };
    if (kind === 'reasoning') {
      events.push(
        event(state, {
          type: 'response.output_item.added',
          output_index: outputIndex,
          item: reasoningItem(item.id, '', null),
        }),
        event(state, {
          type: 'response.reasoning_summary_part.added',
          ...at,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        }),
      );
    } else {
      events.push(
        event(state, {
          type: 'response.output_item.added',
          output_index: outputIndex,
          item: messageItem(item.id, 'in_progress', []),
        }),
        event(state, { type: 'response.content_part.added', ...at, content_index: 0, part: outputText('') }),
      );
    }
  }
  item.text += value;
  const at = { item_id: item.id, output_index: item.outputIndex };
  events.push(
    kind === 'reasoning'
      ? event(state, { type: 'response.reasoning_summary_text.delta', ...at, summary_index: 0, delta: value })
      : event(state, {
          type: 'response.output_text.delta',
          ...at,
          content_index: 0,
          delta: value,
          logprobs: [],
        }),
  );
  return events;
}

/** One tool-call delta: a call's first delta opens its item; its argument fragments stream into it. */
function toolCall(state: ResponsesEncoderState, call: JsonObject): StreamEvent[] {
  const number = typeof call['index'] === 'number' ? call['index'] : 0;
  const fn = isJsonObject(call['function']) ? call['function'] : {};
  const events: StreamEvent[] = [];
  let item = state.calls.get(number);
  if (item === undefined) {
    events.push(...closeText(state));
    const outputIndex = state.nextOutputIndex++;
    const id = itemId('fc', state.hex, outputIndex);
    item = {
      outputIndex,
      id,
      callId:
        typeof call['id'] === 'string' && call['id'] !== '' ? call['id'] : `call_${state.hex}_${number}`,
      name: typeof fn['name'] === 'string' ? fn['name'] : '',
      arguments: '',
      open: true,
    };
    state.calls.set(number, item);
    events.push(
      event(state, {
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: functionCallItem(id, 'in_progress', item),
      }),
    );
  }
  gatherCallCarried(state.carried, item.callId, call);
  const fragment = fn['arguments'];
  if (typeof fragment === 'string' && fragment !== '' && item.open) {
    item.arguments += fragment;
    events.push(
      event(state, {
        type: 'response.function_call_arguments.delta',
        item_id: item.id,
        output_index: item.outputIndex,
        delta: fragment,
      }),
    );
  }
  return events;
}

function choiceEvents(state: ResponsesEncoderState, choice: JsonObject): StreamEvent[] {
  const events: StreamEvent[] = [];
  const delta = isJsonObject(choice['delta']) ? choice['delta'] : {};
  gatherCarried(state.carried, delta);
  if (typeof delta['reasoning_content'] === 'string' && delta['reasoning_content'] !== '')
    events.push(...text(state, 'reasoning', delta['reasoning_content']));
  // A refusal is told as text, as in answers (from-hub-answer.ts).
  for (const value of [delta['content'], delta['refusal']]) {
    if (typeof value === 'string' && value !== '') events.push(...text(state, 'message', value));
  }
  if (Array.isArray(delta['tool_calls'])) {
    for (const call of delta['tool_calls']) if (isJsonObject(call)) events.push(...toolCall(state, call));
  }
  const finish = choice['finish_reason'];
  if (finish !== null && finish !== undefined) {
    state.finishReason = finish;
    events.push(...closeText(state), ...closeCalls(state));
  }
  return events;
}

/** An error chunk `{error: {message, type, code}}` → the `error` event and `response.failed`. */
function failure(state: ResponsesEncoderState, error: unknown): StreamEvent[] {
  const fields = isJsonObject(error) ? error : {};
  const message =
    typeof fields['message'] === 'string' ? fields['message'] : 'The upstream reported an error.';
  const code =
    typeof fields['code'] === 'string'
      ? fields['code']
      : typeof fields['type'] === 'string'
        ? fields['type']
        : 'upstream_error';
  const param = typeof fields['param'] === 'string' ? fields['param'] : null;
  return [
    ...start(state),
    event(state, { type: 'error', code, message, param }),
    event(state, {
      type: 'response.failed',
      response: response(state, 'failed', { error: { code, message } }),
    }),
  ];
}

export const responsesStreamEncoder = {
  init: (context: InboundStreamContext): ResponsesEncoderState => ({
    model: context.model,
    hex: newResponseHex(),
    createdAt: Math.floor(Date.now() / 1000),
    sequence: 0,
    started: false,
    open: null,
    calls: new Map(),
    output: [],
    nextOutputIndex: 0,
    finishReason: null,
    failed: false,
    carrier: context.carrier,
    carried: emptyCarried(),
  }),

  next(state: ResponsesEncoderState, part: HubPart): StreamEvent[] {
    // `[DONE]` has no Responses counterpart, and data that is not a chunk cannot be read.
    if (part.type !== 'chunk' || state.failed) return [];
    const chunk = part.chunk;
    if (chunk['error'] !== undefined && chunk['error'] !== null) {
      state.failed = true;
      return failure(state, chunk['error']);
    }
    const choices = Array.isArray(chunk['choices']) ? chunk['choices'].filter(isJsonObject) : [];
    // Chunks without choices (Azure's prompt filter results, the usage chunk) start nothing.
    if (choices.length === 0) return [];
    const events = start(state);
    for (const choice of choices) events.push(...choiceEvents(state, choice));
    return events;
  },

  end(state: ResponsesEncoderState, usage: Usage, complete: boolean): StreamEvent[] {
    // A cut stream's error event is the pipeline's to send.
    if (!complete || state.failed) return [];
    const events = [...start(state), ...closeText(state), ...closeCalls(state), ...closeCarried(state)];
    const reason = incompleteReason(state.finishReason);
    const status = reason === null ? 'completed' : 'incomplete';
    events.push(
      event(state, {
        type: `response.${status}`,
        response: response(state, status, { usage: responsesUsage(usage), incompleteReason: reason }),
      }),
    );
    return events;
  },
};
