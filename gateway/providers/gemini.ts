import { GatewayError } from '../errors.ts';
import { isLoopbackUrl } from './loopback.ts';
import { keyHeader } from './auth.ts';
import type { Provider } from './types.ts';

/** One page of up to 1000 models is the whole list today (Google lists a few dozen). */
const GEMINI_MODELS_PATH = 'v1beta/models?pageSize=1000';

/** `models/x` and `tunedModels/x` ids as Google writes them; anything else could steer the path elsewhere. */
const MODEL_ID = /^(?:(?:models|tunedModels)\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The path of a model's method below the host root: `v1beta/models/gemini-2.5-flash:generateContent`. */
export function modelMethodPath(model: string, method: string): string {
  if (!MODEL_ID.test(model)) {
    throw new GatewayError(
      400,
      'invalid_request',
      `"${model}" is not a Gemini model id (like gemini-2.5-flash).`,
      { param: 'model' },
    );
  }
  const resource = model.includes('/') ? model : `models/${model}`;
  return `v1beta/${resource}:${method}`;
}

/**
 * The model a native Gemini path names: `v1beta/models/gemini-2.5-flash:generateContent` →
 * 'gemini-2.5-flash' (any API version; a model's own resource path too), else null.
 */
export function modelFromGeminiPath(path: string): string | null {
  const match = /^\/?v1(?:alpha|beta)?\d*\/models\/([^/:?#]+)(?:[:?#]|$)/.exec(path);
  if (match === null) return null;
  try {
    return decodeURIComponent(match[1] ?? '');
  } catch {
    return null;
  }
}

/**
 * Google's Generative Language API (v1beta) from the host root
 * (https://generativelanguage.googleapis.com), with an `x-goog-api-key` header. The model is part
 * of every call's path, which checks it is a model id.
 */
export const geminiProvider: Provider = {
  id: 'gemini',
  format: 'gemini-generate',
  path(target) {
    if (target.operation === 'models') return GEMINI_MODELS_PATH;
    if (target.operation === 'embeddings') return modelMethodPath(target.model, 'batchEmbedContents');
    if (target.operation === 'count_tokens') return modelMethodPath(target.model, 'countTokens');
    return target.stream
      ? `${modelMethodPath(target.model, 'streamGenerateContent')}?alt=sse`
      : modelMethodPath(target.model, 'generateContent');
  },
  authorize: keyHeader('x-goog-api-key'),
  alsoSpeaks: {},
  defaultHeaders: {},
  framing: 'sse',
  readPath: (path) => ({
    model: modelFromGeminiPath(path),
    stream: path.includes(':streamGenerateContent'),
    chat: /:streamGenerateContent$/.test(path),
  }),
  isLocal: isLoopbackUrl,
  isFree: () => false,
  pricingId: 'google',
  // Gemini's tokenizer counts more tokens than OpenAI's for the same text.
  tokenMargin: 1.2,
};
