/**
 * The hub's `finish_reason` → Anthropic's `stop_reason`. `stopSequence` is the stop that matched,
 * where the server says it (vLLM's `stop_reason`); a call made means `tool_use` whatever the
 * server's reason (some say `stop` after a tool call).
 */
export function stopReasonFor(
  finishReason: unknown,
  stopSequence: string | null,
  madeToolCall: boolean,
): string {
  if (madeToolCall && (finishReason === 'stop' || finishReason === null || finishReason === undefined)) {
    return 'tool_use';
  }
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return stopSequence === null ? 'end_turn' : 'stop_sequence';
  }
}

/** The matched stop string a choice names (vLLM's `stop_reason`; a token id there is not one). */
export function matchedStop(choice: Record<string, unknown>): string | null {
  const stop = choice['stop_reason'];
  return typeof stop === 'string' && stop !== '' ? stop : null;
}
