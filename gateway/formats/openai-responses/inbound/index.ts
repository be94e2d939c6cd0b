import type { InboundDirection } from '../../types.ts';
import { responsesStreamEncoder, type ResponsesEncoderState } from './encode-stream.ts';
import { fromHubAnswer } from './from-hub-answer.ts';
import { modelList, tokenCount } from './lists.ts';
import { toHubRequest } from './to-hub-request.ts';
import { droppedTools } from './to-hub-tools.ts';
import { responsesStored } from './stored.ts';
import { withoutCarried } from './carry.ts';

export type { ResponsesEncoderState } from './encode-stream.ts';
export { droppedTools } from './to-hub-tools.ts';

/**
 * Responses API clients (Codex, the `openai` SDKs' `responses.*`) on routes that do not speak it:
 * their requests to the hub, the hub's answers and streams back.
 */
export const responsesInbound: InboundDirection<ResponsesEncoderState> = {
  request: toHubRequest,
  forNative: withoutCarried,
  response: fromHubAnswer,
  tokenCount,
  modelList,
  dropped: droppedTools,
  stored: responsesStored,
  stream: responsesStreamEncoder,
};
