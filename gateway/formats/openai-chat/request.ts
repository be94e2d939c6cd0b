import type { ChatCallContext, JsonObject } from '../types.ts';

/**
 * OpenAI in, OpenAI out: only the model is set, and a stream always asks for its usage chunk so
 * that every stream is recorded with tokens (the chunk is dropped again if the client did not ask).
 */
export function toOpenAiChatRequest(body: JsonObject, context: ChatCallContext): JsonObject {
  const out: JsonObject = { ...body, model: context.model };
  if (context.stream) {
    const options =
      typeof body['stream_options'] === 'object' && body['stream_options'] !== null
        ? body['stream_options']
        : {};
    out['stream_options'] = { ...options, include_usage: true };
  }
  return out;
}

export function toOpenAiEmbeddingsRequest(body: JsonObject, context: { model: string }): JsonObject {
  return { ...body, model: context.model };
}
