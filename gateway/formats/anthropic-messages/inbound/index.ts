import type { InboundDirection } from '../../types.ts';
import { anthropicStreamEncoder, type AnthropicEncoderState } from './encode-stream.ts';
import { fromHubAnswer } from './from-hub-answer.ts';
import { modelList, tokenCount } from './lists.ts';
import { toHubRequest } from './to-hub-request.ts';

export type { AnthropicEncoderState } from './encode-stream.ts';

/**
 * Anthropic Messages clients (Claude Code, the Anthropic SDKs) on routes that do not speak it:
 * their requests to the hub, the hub's answers and streams back (docs/vendors/anthropic.md).
 */
export const anthropicInbound: InboundDirection<AnthropicEncoderState> = {
  request: toHubRequest,
  response: fromHubAnswer,
  tokenCount,
  modelList,
  stream: anthropicStreamEncoder,
};
