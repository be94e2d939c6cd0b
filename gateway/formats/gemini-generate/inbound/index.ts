import type { InboundDirection } from '../../types.ts';
import { geminiModelList } from './model-list.ts';
import { fromGeminiRequest } from './request.ts';
import { toGeminiResponse } from './response.ts';
import { geminiTokenCount } from './token-count.ts';
import { geminiEncoder, type GeminiEncoderState } from './stream.ts';

export type { GeminiEncoderState } from './stream.ts';

/**
 * Gemini generateContent requests from clients (Gemini CLI, @google/genai) for routes of other
 * vendors: to the hub and back, answers and SSE streams in Gemini's shape.
 */
export const geminiInbound: InboundDirection<GeminiEncoderState> = {
  request: fromGeminiRequest,
  response: toGeminiResponse,
  tokenCount: geminiTokenCount,
  modelList: geminiModelList,
  stream: geminiEncoder,
};
