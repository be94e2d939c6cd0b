import type { Carrier, JsonObject } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';

/*
 * What a vendor needs back on the next turn and a Responses client has no field for: the hub
 * assistant message's `thinking_blocks` (Anthropic's thinking with its signature, redacted
 * thinking), its `extra_content` (the thought signature Gemini puts on an answer's text) and each
 * tool call's `extra_content` (a call's thought signature, which also rides in its id where it
 * can). They travel in a `reasoning` item's `encrypted_content`, where OpenAI's own reasoning
 * state travels, sealed by the gateway's carrier; Codex and the SDKs send reasoning items back as
 * they got them. Sent back, a reasoning item's state goes to the assistant turn it belongs to,
 * before or after its message and calls.
 */

/** Vendor state in hub terms, as a reasoning item carries it. */
export interface CarriedState {
  thinking_blocks: JsonObject[];
  extra_content: JsonObject | null;
  /** Tool-call id → that call's `extra_content`. */
  calls: Record<string, JsonObject>;
}

export const emptyCarried = (): CarriedState => ({ thinking_blocks: [], extra_content: null, calls: {} });

export const isEmptyCarried = (state: CarriedState): boolean =>
  state.thinking_blocks.length === 0 && state.extra_content === null && Object.keys(state.calls).length === 0;

/** Adds what one hub message or stream delta says to `state`. */
export function gatherCarried(state: CarriedState, message: JsonObject): void {
  const blocks = message['thinking_blocks'];
  if (Array.isArray(blocks)) state.thinking_blocks.push(...blocks.filter(isJsonObject));
  if (isJsonObject(message['extra_content'])) state.extra_content = message['extra_content'];
}

/** A tool call's own vendor state, by its id. */
export function gatherCallCarried(state: CarriedState, callId: string, call: JsonObject): void {
  if (callId !== '' && isJsonObject(call['extra_content'])) state.calls[callId] = call['extra_content'];
}

/** The `encrypted_content` of a reasoning item for `state`; null when there is nothing to carry. */
export function sealCarried(state: CarriedState, carrier: Carrier | undefined): string | null {
  if (carrier === undefined || isEmptyCarried(state)) return null;
  const sealed: JsonObject = {};
  if (state.thinking_blocks.length > 0) sealed['thinking_blocks'] = state.thinking_blocks;
  if (state.extra_content !== null) sealed['extra_content'] = state.extra_content;
  if (Object.keys(state.calls).length > 0) sealed['calls'] = state.calls;
  return carrier.seal(sealed);
}

/** The state a reasoning item sent back carries, if this gateway sealed it; else null. */
export function openCarried(item: JsonObject, carrier: Carrier | undefined): CarriedState | null {
  const token = item['encrypted_content'];
  if (carrier === undefined || typeof token !== 'string') return null;
  const opened = carrier.open(token);
  if (opened === null) return null;
  const state = emptyCarried();
  gatherCarried(state, opened);
  const calls = opened['calls'];
  if (isJsonObject(calls)) {
    for (const [id, extra] of Object.entries(calls)) if (isJsonObject(extra)) state.calls[id] = extra;
  }
  return state;
}

/**
 * `input` with the reasoning items this gateway sealed taken out, for a server that speaks the
 * Responses API itself (it could not open them, and refuses what it cannot verify); null when
 * there are none. Its own reasoning items stay.
 */
export function withoutCarried(body: JsonObject, carrier: Carrier): JsonObject | null {
  const input = body['input'];
  if (!Array.isArray(input)) return null;
  const kept = input.filter(
    (item) =>
      !(
        isJsonObject(item) &&
        item['type'] === 'reasoning' &&
        typeof item['encrypted_content'] === 'string' &&
        carrier.owns(item['encrypted_content'])
      ),
  );
  return kept.length === input.length ? null : { ...body, input: kept };
}
