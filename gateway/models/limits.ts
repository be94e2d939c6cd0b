import { ModelInfoMap } from 'llm-info';

export interface ModelLimits {
  contextWindow: number | null;
  outputTokens: number | null;
}

interface LimitsEntry {
  contextWindowTokenLimit?: number;
  outputTokenLimit?: number;
}

const entries = ModelInfoMap as unknown as Record<string, LimitsEntry>;
const ids = Object.keys(entries);
const cache = new Map<string, ModelLimits>();

/** `claude-sonnet-4-5` and `claude-sonnet-4-5-latest` are the dated `claude-sonnet-4-5-20250929`. */
function findEntry(model: string): LimitsEntry | undefined {
  const bare = model.replace(/^models\//, '').replace(/-latest$/, '');
  return entries[bare] ?? entries[ids.find((id) => id.startsWith(`${bare}-`) && /-\d{8}$/.test(id)) ?? ''];
}

/**
 * A model's context window and output limit, from the `llm-info` package (maintained; its
 * Anthropic and Gemini limits are the vendors' published ones). Unknown models get nulls and
 * the route's settings decide.
 */
export function modelLimits(model: string): ModelLimits {
  let limits = cache.get(model);
  if (!limits) {
    const entry = findEntry(model);
    limits = {
      contextWindow: entry?.contextWindowTokenLimit ?? null,
      outputTokens: entry?.outputTokenLimit ?? null,
    };
    cache.set(model, limits);
  }
  return limits;
}

/** What the pipeline sends as max_tokens when a request names none and the vendor needs one. */
export const FALLBACK_MAX_TOKENS = 4096;

/** Model families that reason (and may think for minutes before their first token). */
const REASONING = /(^|\/)o\d|gpt-5|think|reason|deepseek-r|gemini-(2\.5|3)|claude-(opus|sonnet)/i;

/** Whether a model reasons: takes a reasoning setting, and may be slow to its first token. */
export function isReasoningModel(model: string): boolean {
  return REASONING.test(model);
}
