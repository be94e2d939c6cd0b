import type { VendorId } from '../domain.ts';

export interface VendorPreset {
  id: string;
  label: string;
  vendor: VendorId;
  baseUrl: string;
  needsKey: boolean;
}

/** Named starting points for a route; `baseUrl` follows each vendor's SDK convention (CONTRACT §2). */
export const PRESETS: readonly VendorPreset[] = [
  { id: 'openai', label: 'OpenAI', vendor: 'openai', baseUrl: 'https://api.openai.com/v1', needsKey: true },
  {
    id: 'anthropic',
    label: 'Anthropic',
    vendor: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    needsKey: true,
  },
  {
    id: 'gemini',
    label: 'Google Gemini',
    vendor: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com',
    needsKey: true,
  },
  { id: 'ollama', label: 'Ollama', vendor: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', needsKey: false },
  {
    id: 'lm-studio',
    label: 'LM Studio',
    vendor: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:1234/v1',
    needsKey: false,
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    vendor: 'openai-compatible',
    baseUrl: 'https://openrouter.ai/api/v1',
    needsKey: true,
  },
  {
    id: 'groq',
    label: 'Groq',
    vendor: 'openai-compatible',
    baseUrl: 'https://api.groq.com/openai/v1',
    needsKey: true,
  },
];

export function findPreset(id: string): VendorPreset | undefined {
  return PRESETS.find((preset) => preset.id === id);
}

/** The default base URL of a vendor, where it has a public one. `openai-compatible` has none. */
export function defaultBaseUrl(vendor: VendorId): string | undefined {
  if (vendor === 'openai-compatible') return undefined;
  return PRESETS.find((preset) => preset.vendor === vendor)?.baseUrl;
}
