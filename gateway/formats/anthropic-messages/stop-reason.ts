import type { ChatCompletion } from 'openai/resources/chat/completions';

export type FinishReason = ChatCompletion.Choice['finish_reason'];

/**
 * Anthropic's stop_reason → OpenAI's finish_reason. `tool_use` is `tool_calls` only when the client
 * has tool calls to run: a call of the response_format answer tool is the answer itself. A
 * `pause_turn` (a long server-tool turn Anthropic paused) ends this answer like any other.
 */
export function finishReason(stopReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
