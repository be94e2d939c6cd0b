import { isLoopbackUrl } from './loopback.ts';
import { keyHeader } from './auth.ts';
import type { Provider } from './types.ts';

const MESSAGES_PATH = 'v1/messages';
/** One page holds every model Anthropic lists (it has a few dozen), so no paging is needed. */
const MODELS_PATH = 'v1/models?limit=1000';

/** Anthropic's API at its host root (https://api.anthropic.com), with an `x-api-key` header. */
export const anthropicProvider: Provider = {
  id: 'anthropic',
  format: 'anthropic-messages',
  path(target) {
    if (target.operation === 'models') return MODELS_PATH;
    if (target.operation === 'embeddings') return null;
    return target.operation === 'count_tokens' ? `${MESSAGES_PATH}/count_tokens` : MESSAGES_PATH;
  },
  authorize: keyHeader('x-api-key'),
  alsoSpeaks: {},
  defaultHeaders: { 'anthropic-version': '2023-06-01' },
  framing: 'sse',
  readPath: (path) => ({ model: null, stream: false, chat: /(^|\/)messages$/.test(path) }),
  isLocal: isLoopbackUrl,
  isFree: () => false,
  pricingId: 'anthropic',
  // Claude's tokenizer counts more tokens than OpenAI's for the same text.
  tokenMargin: 1.2,
};
