import type { VendorId } from '../domain.ts';
import { anthropicProvider } from './anthropic.ts';
import { geminiProvider } from './gemini.ts';
import { ollamaProvider, openAiCompatibleProvider, openAiProvider } from './openai.ts';
import type { Provider } from './types.ts';

export type { CallTarget, Operation, OtherFormat, PathReading, Provider } from './types.ts';

const PROVIDERS: Record<VendorId, Provider> = {
  openai: openAiProvider,
  'openai-compatible': openAiCompatibleProvider,
  ollama: ollamaProvider,
  anthropic: anthropicProvider,
  gemini: geminiProvider,
};

/**
 * The provider of a route's vendor. Adding a provider: its id in VENDOR_IDS (domain.ts), one file
 * here, one line above; a new wire shape is a folder in formats/ first.
 */
export function providerFor(id: VendorId): Provider | undefined {
  return PROVIDERS[id];
}
