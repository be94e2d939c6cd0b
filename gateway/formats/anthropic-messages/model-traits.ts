/**
 * What a Claude model accepts, where generations differ. Read from the model id, so that a new
 * model works the day it ships: an id we cannot read but that starts with `claude-` is taken to
 * be the newest generation; any other id (an Anthropic-compatible server's own model) gets the
 * long-standing API surface.
 */
export interface AnthropicModelTraits {
  /** How extended thinking is switched on: not at all, with `budget_tokens`, or adaptively with an effort level. */
  thinking: 'none' | 'budget' | 'adaptive';
  /** Thinking text is omitted unless asked for with `display: 'summarized'` (Opus 4.7 and later). */
  thinkingHiddenByDefault: boolean;
  /** `output_config.effort` accepts `xhigh` (Opus 4.7 and later). */
  xhighEffort: boolean;
  /** `output_config.format` (constrained JSON) and `strict` tools are generally available (Claude 4.5 and later). */
  structuredOutputs: boolean;
  /** `temperature`, `top_p` and `top_k` are accepted at all (they are refused from Opus 4.7 on). */
  samplingParameters: boolean;
  /** `temperature` and `top_p` may be sent together (refused from Opus 4.1 on). */
  temperatureWithTopP: boolean;
}

/** `major * 100 + minor`, or null for an id we cannot read. */
export function claudeVersion(model: string): number | null {
  const id = model.toLowerCase();
  // Claude 3 naming: claude-3-5-sonnet-20241022, claude-3-opus-20240229, claude-3-7-sonnet-latest.
  const legacy = /^claude-(\d+)(?:-(\d{1,2}))?-(?:opus|sonnet|haiku)(?![a-z])/.exec(id);
  if (legacy) return Number(legacy[1]) * 100 + Number(legacy[2] ?? 0);
  // Claude 2 naming: claude-2.1, claude-instant-1.2.
  const older = /^claude-(?:instant-)?(\d+)(?:\.(\d+))?(?![\d-])/.exec(id);
  if (older) return Number(older[1]) * 100 + Number(older[2] ?? 0);
  // Claude 4 naming: claude-sonnet-4-5-20250929, claude-opus-4-20250514 (a date, not a minor), claude-opus-5.
  const current = /^claude-[a-z]+-(\d+)(?:-(\d{1,2})(?!\d))?(?![\d.])/.exec(id);
  if (current) return Number(current[1]) * 100 + Number(current[2] ?? 0);
  return null;
}

export function anthropicModelTraits(model: string): AnthropicModelTraits {
  const claude = model.toLowerCase().startsWith('claude-');
  const read = claudeVersion(model);
  // Unreadable Claude ids (claude-mythos-preview) are new ones; other vendors' ids behave like Claude 4.
  const version = read ?? (claude ? Number.POSITIVE_INFINITY : 400);
  return {
    thinking: version < 307 ? 'none' : version < 406 ? 'budget' : 'adaptive',
    thinkingHiddenByDefault: version >= 407,
    xhighEffort: version >= 407,
    structuredOutputs: claude && version >= 405,
    samplingParameters: version < 407,
    temperatureWithTopP: version < 401,
  };
}
