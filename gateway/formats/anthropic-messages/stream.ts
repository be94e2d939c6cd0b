import type { SseEvent } from '../../protocol/sse.ts';
import type { ChatStream, HubPart, JsonObject, StreamContext, Usage } from '../types.ts';
import { isJsonObject, parseEventData } from '../upstream-json.ts';
import { estimateOutputTokens } from '../usage-check.ts';
import type { ChatCompletionChunkOut, ChunkDelta } from './chat-completion.ts';
import { streamErrorPayload } from './error.ts';
import {
  redactedThinkingBlockSchema,
  streamEventSchemas,
  textBlockSchema,
  thinkingBlockSchema,
  toolUseBlockSchema,
} from './messages-response.ts';
import { RESPONSE_FORMAT_TOOL } from './response-format.ts';
import { toolArguments } from './response.ts';
import { finishReason } from './stop-reason.ts';
import { mergeUsage, NO_COUNTS, openAiUsage, readUsage, toUsage, type UsageCounts } from './usage.ts';

/** What the reducer remembers of one content block, by its index in the message. */
type OpenBlock =
  | { kind: 'text' }
  | { kind: 'thinking'; text: string; signature: string }
  | { kind: 'redacted_thinking'; data: string }
  /** A client tool call; `index` counts tool calls only, as OpenAI's tool_calls[].index does. */
  | { kind: 'tool'; index: number; sentArguments: boolean }
  /** The response_format answer tool: its input streams out as content. */
  | { kind: 'answer'; sentArguments: boolean }
  /** Server tools and anything new: not part of the OpenAI answer. */
  | { kind: 'ignored' };

export interface AnthropicStreamState {
  context: StreamContext;
  id: string;
  model: string | null;
  counts: UsageCounts;
  /** A message_delta came, so `counts.output` is the real total rather than message_start's first count. */
  sawFinalUsage: boolean;
  stopReason: string | null;
  /** Anthropic's explanation of a refusal, sent as `refusal` on the finish chunk. */
  refusal: string | null;
  blocks: Map<number, OpenBlock>;
  toolCalls: number;
  sawThinking: boolean;
  /** Characters of text, thinking and tool input streamed, for an estimate when the stream is cut before its usage. */
  streamedChars: number;
  roleSent: boolean;
  /** message_stop was seen: the answer is complete. */
  done: boolean;
  errorCode: string | null;
}

function chunk(
  state: AnthropicStreamState,
  delta: ChunkDelta,
  finish: ChatCompletionChunkOut['choices'][number]['finish_reason'] = null,
): HubPart {
  const body: ChatCompletionChunkOut = {
    id: state.id,
    object: 'chat.completion.chunk',
    created: state.context.created,
    model: state.model ?? state.context.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    // OpenAI puts `usage: null` on every chunk but the last when the client asked for usage.
    ...(state.context.clientWantsUsage ? { usage: null } : {}),
  };
  return { type: 'chunk', chunk: body as JsonObject };
}

/** The role chunk opens every answer; also when content arrives before message_start. */
function opening(state: AnthropicStreamState): HubPart[] {
  if (state.roleSent) return [];
  state.roleSent = true;
  return [chunk(state, { role: 'assistant', content: '' })];
}

function eventType(event: SseEvent, data: unknown): string | undefined {
  const type =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['type'] : undefined;
  return typeof type === 'string' ? type : event.event;
}

function onBlockStart(state: AnthropicStreamState, index: number, block: unknown): HubPart[] {
  const text = textBlockSchema.safeParse(block);
  if (text.success) {
    state.blocks.set(index, { kind: 'text' });
    if (text.data.text === '') return [];
    state.streamedChars += text.data.text.length;
    return [...opening(state), chunk(state, { content: text.data.text })];
  }
  const thinking = thinkingBlockSchema.safeParse(block);
  if (thinking.success) {
    state.sawThinking = true;
    state.blocks.set(index, {
      kind: 'thinking',
      text: thinking.data.thinking,
      signature: thinking.data.signature ?? '',
    });
    if (thinking.data.thinking === '') return [];
    state.streamedChars += thinking.data.thinking.length;
    return [...opening(state), chunk(state, { reasoning_content: thinking.data.thinking })];
  }
  const redacted = redactedThinkingBlockSchema.safeParse(block);
  if (redacted.success) {
    state.sawThinking = true;
    state.blocks.set(index, { kind: 'redacted_thinking', data: redacted.data.data });
    return [];
  }
  const toolUse = toolUseBlockSchema.safeParse(block);
  if (toolUse.success) {
    // Anthropic starts a tool_use with `input: {}` and streams the input; anything already there is sent first.
    const input = toolUse.data.input;
    const initial =
      typeof input === 'object' && input !== null && Object.keys(input).length > 0
        ? toolArguments(input)
        : '';
    state.streamedChars += initial.length;
    if (toolUse.data.name === RESPONSE_FORMAT_TOOL) {
      state.blocks.set(index, { kind: 'answer', sentArguments: initial !== '' });
      return initial === '' ? [] : [...opening(state), chunk(state, { content: initial })];
    }
    const toolIndex = state.toolCalls++;
    state.blocks.set(index, { kind: 'tool', index: toolIndex, sentArguments: initial !== '' });
    return [
      ...opening(state),
      chunk(state, {
        tool_calls: [
          {
            index: toolIndex,
            id: toolUse.data.id,
            type: 'function',
            function: { name: toolUse.data.name, arguments: initial },
          },
        ],
      }),
    ];
  }
  state.blocks.set(index, { kind: 'ignored' });
  return [];
}

function onBlockDelta(
  state: AnthropicStreamState,
  index: number,
  delta: {
    type: string;
    text?: string | null;
    thinking?: string | null;
    signature?: string | null;
    partial_json?: string | null;
  },
): HubPart[] {
  // A delta whose block never started (not seen in practice) is read by its own type.
  const block = state.blocks.get(index);
  switch (delta.type) {
    case 'text_delta': {
      const text = delta.text ?? '';
      if (text === '' || (block && block.kind !== 'text')) return [];
      state.streamedChars += text.length;
      return [...opening(state), chunk(state, { content: text })];
    }
    case 'thinking_delta': {
      const thinking = delta.thinking ?? '';
      if (block?.kind === 'thinking') block.text += thinking;
      if (thinking === '' || (block && block.kind !== 'thinking')) return [];
      state.sawThinking = true;
      state.streamedChars += thinking.length;
      return [...opening(state), chunk(state, { reasoning_content: thinking })];
    }
    case 'signature_delta':
      if (block?.kind === 'thinking') block.signature += delta.signature ?? '';
      return [];
    case 'input_json_delta': {
      const json = delta.partial_json ?? '';
      state.streamedChars += json.length;
      // Every fragment goes out as it comes: clients show tool arguments as they stream.
      if (json === '' || (block?.kind !== 'tool' && block?.kind !== 'answer')) return [];
      block.sentArguments = true;
      return [...opening(state), argumentsChunk(state, block, json)];
    }
    default:
      // citations_delta and whatever comes next: not part of the OpenAI answer.
      return [];
  }
}

function argumentsChunk(
  state: AnthropicStreamState,
  block: Extract<OpenBlock, { kind: 'tool' | 'answer' }>,
  json: string,
): HubPart {
  return block.kind === 'tool'
    ? chunk(state, { tool_calls: [{ index: block.index, function: { arguments: json } }] })
    : chunk(state, { content: json });
}

/**
 * At the end of a thinking block, the block itself, so that a client can send it back next turn.
 * At the end of a tool call whose input streamed as nothing (a tool without parameters), `{}`: the
 * client parses the arguments it put together, and an empty string is not JSON.
 */
function onBlockStop(state: AnthropicStreamState, index: number): HubPart[] {
  const block = state.blocks.get(index);
  if ((block?.kind === 'tool' || block?.kind === 'answer') && !block.sentArguments) {
    block.sentArguments = true;
    return [...opening(state), argumentsChunk(state, block, '{}')];
  }
  if (block?.kind === 'thinking' && block.signature !== '') {
    return [
      ...opening(state),
      chunk(state, {
        thinking_blocks: [{ type: 'thinking', thinking: block.text, signature: block.signature }],
      }),
    ];
  }
  if (block?.kind === 'redacted_thinking') {
    return [
      ...opening(state),
      chunk(state, { thinking_blocks: [{ type: 'redacted_thinking', data: block.data }] }),
    ];
  }
  return [];
}

function onMessageStop(state: AnthropicStreamState): HubPart[] {
  state.done = true;
  const usage = anthropicStream.usage(state);
  const finish: ChunkDelta =
    state.stopReason === 'refusal' && state.refusal !== null ? { refusal: state.refusal } : {};
  const parts = [
    ...opening(state),
    chunk(state, finish, finishReason(state.stopReason, state.toolCalls > 0)),
  ];
  if (state.context.clientWantsUsage) {
    const usageChunk: ChatCompletionChunkOut = {
      id: state.id,
      object: 'chat.completion.chunk',
      created: state.context.created,
      model: state.model ?? state.context.model,
      choices: [],
      usage: openAiUsage(usage),
    };
    parts.push({ type: 'chunk', chunk: usageChunk as JsonObject });
  }
  parts.push({ type: 'done' });
  return parts;
}

/**
 * Anthropic's stream events → OpenAI chunks, one event at a time and nothing held back: each
 * text, thinking and tool-input fragment goes out in the chunk it arrived in.
 */
export const anthropicStream: ChatStream<AnthropicStreamState> = {
  init: (context) => ({
    context,
    id: '',
    model: null,
    counts: { ...NO_COUNTS },
    sawFinalUsage: false,
    stopReason: null,
    refusal: null,
    blocks: new Map(),
    toolCalls: 0,
    sawThinking: false,
    streamedChars: 0,
    roleSent: false,
    done: false,
    errorCode: null,
  }),

  next(state, event) {
    // After the end or an error, Anthropic sends nothing more that matters.
    if (state.done || state.errorCode !== null) return [];
    // Not JSON, or nested too deeply to translate: undefined, which no schema below accepts.
    const data = parseEventData(event.data);
    const type = eventType(event, data);
    switch (type) {
      case 'message_start': {
        const parsed = streamEventSchemas.message_start.safeParse(data);
        if (!parsed.success) return [];
        const message = parsed.data.message;
        if (message.id) state.id = message.id;
        if (message.model) state.model = message.model;
        state.counts = mergeUsage(state.counts, readUsage(message.usage));
        return opening(state);
      }
      case 'content_block_start': {
        const parsed = streamEventSchemas.content_block_start.safeParse(data);
        return parsed.success ? onBlockStart(state, parsed.data.index, parsed.data.content_block) : [];
      }
      case 'content_block_delta': {
        const parsed = streamEventSchemas.content_block_delta.safeParse(data);
        return parsed.success ? onBlockDelta(state, parsed.data.index, parsed.data.delta) : [];
      }
      case 'content_block_stop': {
        const parsed = streamEventSchemas.content_block_stop.safeParse(data);
        return parsed.success ? onBlockStop(state, parsed.data.index) : [];
      }
      case 'message_delta': {
        const parsed = streamEventSchemas.message_delta.safeParse(data);
        if (!parsed.success) return [];
        state.stopReason = parsed.data.delta?.stop_reason ?? state.stopReason;
        state.refusal = parsed.data.delta?.stop_details?.explanation ?? state.refusal;
        if (isJsonObject(parsed.data.usage)) {
          state.counts = mergeUsage(state.counts, readUsage(parsed.data.usage));
          state.sawFinalUsage = true;
        }
        return [];
      }
      case 'message_stop':
        return onMessageStop(state);
      case 'error': {
        const parsed = streamEventSchemas.error.safeParse(data);
        const error = parsed.success ? parsed.data.error : {};
        const payload = streamErrorPayload(error.type ?? null, error.message ?? null);
        state.errorCode = payload.error.code;
        return [{ type: 'chunk', chunk: payload }];
      }
      default:
        // ping, and event types that do not exist yet.
        return [];
    }
  },

  end: (state) => ({ parts: [], complete: state.done && state.errorCode === null }),

  usage(state): Usage {
    const usage = toUsage(state.counts, state.sawThinking);
    if (state.sawFinalUsage) return usage;
    // Cut before message_delta: message_start's output count is only the first token or two, so the
    // streamed text gives the better estimate; the row is marked partial.
    return { ...usage, outputTokens: estimateOutputTokens(state.streamedChars) ?? usage.outputTokens };
  },

  upstreamModel: (state) => state.model,
  errorCode: (state) => state.errorCode,
};
