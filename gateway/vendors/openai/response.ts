import type { ChatResult } from '../types.ts';
import { NO_USAGE } from '../types.ts';
import { usageFromOpenAi } from './usage.ts';

/** The upstream already speaks OpenAI: read usage and model, and send its bytes on unchanged. */
export function fromOpenAiResponse(body: unknown): ChatResult {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return {
    body: null,
    usage: usageFromOpenAi(fields['usage']) ?? NO_USAGE,
    upstreamModel: typeof fields['model'] === 'string' && fields['model'] !== '' ? fields['model'] : null,
  };
}

export function parseOpenAiModelList(body: unknown): string[] {
  const data =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['data'] : undefined;
  if (!Array.isArray(data)) return [];
  return data
    .map((item) =>
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['id'] : undefined,
    )
    .filter((id): id is string => typeof id === 'string');
}
