import { GatewayError } from '../../errors.ts';
import type { ChatResult, JsonObject, ResponseContext, Usage } from '../types.ts';
import { checkUsage } from '../usage-check.ts';
import { invalidRequest, unsupportedParameter } from './json.ts';
import { modelResource } from './request.ts';
import { embeddingsResponseSchema, present } from './schemas.ts';

/** What an embeddings request may carry to Gemini; anything else is refused (CONTRACT §3). */
export const EMBEDDINGS_PARAMETERS: Readonly<Record<string, 'carried' | 'dropped'>> = {
  model: 'carried',
  input: 'carried',
  dimensions: 'carried',
  encoding_format: 'carried',
  user: 'dropped',
};

export interface EmbeddingsResponseContext extends ResponseContext {
  /**
   * The request's `encoding_format`. The OpenAI SDKs ask for base64 unless told otherwise and
   * decode it, so the answer must follow the request (float when absent).
   */
  encodingFormat?: unknown;
}

function inputTexts(input: unknown): string[] {
  const texts = typeof input === 'string' ? [input] : input;
  if (Array.isArray(texts) && texts.every((text) => typeof text === 'string')) return texts;
  if (Array.isArray(texts)) {
    throw unsupportedParameter(
      'input',
      'Gemini embeds text only: token arrays cannot be carried; send strings.',
    );
  }
  throw invalidRequest('input', '"input" must be a string or an array of strings.');
}

/** OpenAI embeddings → Gemini batchEmbedContents (one request per input, in order). */
export function toGeminiEmbeddingsRequest(body: JsonObject, context: { model: string }): JsonObject {
  for (const [key, value] of Object.entries(body)) {
    if (value !== null && value !== undefined && EMBEDDINGS_PARAMETERS[key] === undefined) {
      throw unsupportedParameter(key, `Gemini embeddings do not know the parameter "${key}".`);
    }
  }
  const format = body['encoding_format'];
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw invalidRequest('encoding_format', '"encoding_format" must be "float" or "base64".');
  }
  const dimensions = body['dimensions'];
  if (
    dimensions !== undefined &&
    dimensions !== null &&
    (!Number.isInteger(dimensions) || (dimensions as number) < 1)
  ) {
    throw invalidRequest('dimensions', '"dimensions" must be a positive integer.');
  }
  const resource = modelResource(context.model);
  const requests = inputTexts(body['input']).map((text) => ({
    model: resource,
    content: { parts: [{ text }] },
    ...(typeof dimensions === 'number' ? { outputDimensionality: dimensions } : {}),
  }));
  return { requests };
}

/** Little-endian float32, base64: what OpenAI sends for encoding_format "base64". */
function toBase64Float32(values: readonly number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

/**
 * Gemini's `{embeddings:[{values}]}` → OpenAI's list. The Gemini API reports no token counts for
 * embeddings, so usage stays unknown (null), never guessed; a `usageMetadata` (Vertex sends one)
 * is read when present.
 */
export function fromGeminiEmbeddingsResponse(body: unknown, context: EmbeddingsResponseContext): ChatResult {
  const parsed = embeddingsResponseSchema.safeParse(body);
  if (!parsed.success || parsed.data.embeddings === undefined) {
    throw new GatewayError(
      502,
      'upstream_error',
      'Gemini answered the embeddings request without embeddings.',
    );
  }
  const base64 = context.encodingFormat === 'base64';
  const data = parsed.data.embeddings.map((embedding, index) => {
    const values = present(embedding?.values);
    return { object: 'embedding', index, embedding: base64 ? toBase64Float32(values) : values };
  });
  const promptTokens = parsed.data.usageMetadata?.promptTokenCount ?? null;
  const usage: Usage =
    promptTokens === null
      ? { inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null }
      : { inputTokens: promptTokens, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 };
  // The client sees the count only where it can be true; the recorder notes the rest.
  const shown = checkUsage(usage).usage.inputTokens;
  return {
    body: {
      object: 'list',
      data,
      model: context.model,
      usage: { prompt_tokens: shown, total_tokens: shown },
    },
    usage,
    upstreamModel: null,
  };
}
