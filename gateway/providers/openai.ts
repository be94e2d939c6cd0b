import type { VendorId } from '../domain.ts';
import { isLoopbackUrl } from './loopback.ts';
import { keyHeader } from './auth.ts';
import type { Provider } from './types.ts';

const PATHS = {
  chat: 'chat/completions',
  embeddings: 'embeddings',
  models: 'models',
  count_tokens: null,
} as const;

interface OpenAiLike {
  id: VendorId;
  /** Whether its routes run on this machine wherever their base URL points. */
  alwaysLocal: boolean;
  /** Whether a server on this machine is free (a local OpenAI-compatible server; never OpenAI itself). */
  freeWhenLocal: boolean;
  pricingId: string | null;
  /** Whether it serves the Responses API too (OpenAI does; many compatible servers do not). */
  responses: boolean;
}

/**
 * OpenAI itself and every server that speaks its wire format (Ollama, LM Studio, vLLM, OpenRouter,
 * Groq…): bearer keys, paths below a base URL that ends in `/v1`.
 */
function openAiLike(options: OpenAiLike): Provider {
  return {
    id: options.id,
    format: 'openai-chat',
    path: (target) => PATHS[target.operation],
    authorize: keyHeader('authorization', 'Bearer '),
    // OpenAI serves the Responses API; a compatible server does where its route says so.
    alsoSpeaks: { 'openai-responses': { path: () => 'responses', always: options.responses } },
    defaultHeaders: {},
    framing: 'sse',
    readPath: (path) =>
      /(^|\/)responses$/.test(path)
        ? { model: null, stream: false, chat: true, format: 'openai-responses' }
        : { model: null, stream: false, chat: /(^|\/)chat\/completions$/.test(path) },
    isLocal: (baseUrl) => options.alwaysLocal || isLoopbackUrl(baseUrl),
    isFree: (baseUrl) => options.alwaysLocal || (options.freeWhenLocal && isLoopbackUrl(baseUrl)),
    pricingId: options.pricingId,
    tokenMargin: 1,
  };
}

export const openAiProvider = openAiLike({
  id: 'openai',
  alwaysLocal: false,
  freeWhenLocal: false,
  pricingId: 'openai',
  responses: true,
});

/** Any server with OpenAI's wire format: local (LM Studio, llama.cpp, vLLM) or hosted (OpenRouter, Groq). */
export const openAiCompatibleProvider = openAiLike({
  id: 'openai-compatible',
  alwaysLocal: false,
  freeWhenLocal: true,
  pricingId: null,
  responses: false,
});

/** Ollama's OpenAI-compatible API: a model runs where Ollama runs, which is treated as this machine. */
export const ollamaProvider = openAiLike({
  id: 'ollama',
  alwaysLocal: true,
  freeWhenLocal: true,
  pricingId: null,
  responses: false,
});
