import { readFileSync } from 'node:fs';
import type { SseEvent } from '../../../../gateway/protocol/sse.ts';
import {
  anthropicStream,
  type AnthropicStreamState,
} from '../../../../gateway/formats/anthropic-messages/stream.ts';
import { hubPartData } from '../../../../gateway/formats/openai-chat/encode-hub-part.ts';
import { fixtureChunks, fixtureJson } from '../../../support/fixtures.ts';

/** Our own Anthropic fixtures (test/fixtures/anthropic), for what the shared recordings lack. */
const OWN_FIXTURES = new URL('../../../fixtures/anthropic/', import.meta.url);

/** A recording by name: `shared:anthropic-text.json` from ../shared/fixtures/anthropic, `own:refusal.json` from ours. */
export function recordingJson(name: string): Record<string, unknown> {
  if (name.startsWith('shared:')) return fixtureJson(`anthropic/${name.slice(7)}`);
  return JSON.parse(readFileSync(new URL(name.slice(4), OWN_FIXTURES), 'utf8')) as Record<string, unknown>;
}

export function recordingChunks(name: string): string[] {
  if (name.startsWith('shared:')) return fixtureChunks(`anthropic/${name.slice(7)}`);
  return readFileSync(new URL(name.slice(4), OWN_FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** A payload line as Anthropic sends it: the SSE event name equals the payload's `type`. */
export function sseEvent(line: string): SseEvent {
  const type = (JSON.parse(line) as { type?: unknown }).type;
  return { event: typeof type === 'string' ? type : undefined, data: line, id: undefined };
}

export interface Replay {
  state: AnthropicStreamState;
  /** The payloads each input line produced, in order. */
  outputs: string[][];
  /** Every payload sent, the end's included. */
  payloads: string[];
  complete: boolean;
}

export const CREATED = 1_770_000_000;

export function replay(
  lines: readonly string[],
  options: { clientWantsUsage?: boolean; model?: string } = {},
): Replay {
  const state = anthropicStream.init({
    model: options.model ?? 'claude-sonnet-4-5',
    created: CREATED,
    clientWantsUsage: options.clientWantsUsage ?? false,
  });
  const outputs = lines.map((line) => anthropicStream.next(state, sseEvent(line)).map(hubPartData));
  const end = anthropicStream.end(state);
  return {
    state,
    outputs,
    payloads: [...outputs.flat(), ...end.parts.map(hubPartData)],
    complete: end.complete,
  };
}

export interface ChunkPayload {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: string;
      content?: string;
      refusal?: string;
      reasoning_content?: string;
      thinking_blocks?: Record<string, unknown>[];
      tool_calls?: {
        index: number;
        id?: string;
        type?: string;
        function?: { name?: string; arguments?: string };
      }[];
    };
    finish_reason: string | null;
    logprobs: null;
  }[];
  usage?: Record<string, unknown> | null;
}

/** The JSON payloads (everything but `[DONE]`), parsed. */
export const chunksOf = (payloads: readonly string[]): ChunkPayload[] =>
  payloads.filter((payload) => payload !== '[DONE]').map((payload) => JSON.parse(payload) as ChunkPayload);

export interface Assembled {
  content: string;
  reasoning: string;
  refusal: string | null;
  thinkingBlocks: Record<string, unknown>[];
  toolCalls: { id: string; type: string; function: { name: string; arguments: string } }[];
  /** How many argument fragments each tool call got, by tool call index. */
  argumentDeltas: number[];
  finishReason: string | null;
  usage: Record<string, unknown> | null;
}

/** What an OpenAI client puts together from the chunks, the way the official SDK's stream helper does. */
export function assemble(payloads: readonly string[]): Assembled {
  const out: Assembled = {
    content: '',
    reasoning: '',
    refusal: null,
    thinkingBlocks: [],
    toolCalls: [],
    argumentDeltas: [],
    finishReason: null,
    usage: null,
  };
  for (const chunk of chunksOf(payloads)) {
    if (chunk.usage) out.usage = chunk.usage;
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      out.content += delta.content ?? '';
      out.reasoning += delta.reasoning_content ?? '';
      if (delta.refusal) out.refusal = (out.refusal ?? '') + delta.refusal;
      out.thinkingBlocks.push(...(delta.thinking_blocks ?? []));
      for (const call of delta.tool_calls ?? []) {
        const existing = (out.toolCalls[call.index] ??= {
          id: '',
          type: 'function',
          function: { name: '', arguments: '' },
        });
        if (call.id) existing.id = call.id;
        if (call.function?.name) existing.function.name += call.function.name;
        if (call.function?.arguments !== undefined && call.function.arguments !== '') {
          existing.function.arguments += call.function.arguments;
          out.argumentDeltas[call.index] = (out.argumentDeltas[call.index] ?? 0) + 1;
        }
      }
      if (choice.finish_reason) out.finishReason = choice.finish_reason;
    }
  }
  return out;
}
