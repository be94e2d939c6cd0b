import type { Usage } from './types.ts';

/*
 * Token counts come from the upstream and are untrusted: a broken or hostile server can send -1,
 * 2.5, 1e400 or a billion. The price library throws on such numbers, and a budget or a token
 * window would be charged nonsense, so every count is checked here, once, before anything uses
 * it: what cannot be true is recorded as unknown (null), with a note that says so.
 */

/**
 * The largest token count believed: 100,000,000. The largest context windows hold a few million
 * tokens and one answer at most a few hundred thousand, so a count above this is an upstream's
 * error, not a request: even at $1 per million tokens it would make a $100 row.
 */
export const MAX_TOKEN_COUNT = 100_000_000;

/**
 * A count as a vendor reader takes it from upstream JSON: null where the upstream said nothing
 * (absent or null), the number as sent where it sent a number (checkUsage judges it), and NaN
 * where it sent something else ("12", true, {}): reported, but unreadable. JSON cannot carry NaN,
 * so NaN in a Usage always means this, and checkUsage records it as unknown with a note, while
 * the counts computed from it (Anthropic's prompt total) become unknown too rather than a guess.
 */
export function readCount(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'number' ? value : Number.NaN;
}

/** A count that can be true: a whole number from 0 to MAX_TOKEN_COUNT. */
export function isTokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT;
}

/**
 * One recorded count made of several the vendor reports (Anthropic's prompt is fresh input plus
 * cache reads plus cache writes; Gemini's output is answer plus thoughts). Missing parts count 0.
 * A part that cannot be true is returned in place of the total, so that the total is not made up
 * from the other parts: checkUsage records it as unknown, with a note naming what was sent.
 */
export function sumCounts(...parts: (number | null | undefined)[]): number {
  let total = 0;
  for (const part of parts) {
    if (part === null || part === undefined) continue;
    if (!isTokenCount(part)) return part;
    total += part;
  }
  return total;
}

type CountField =
  'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'reasoningTokens' | 'cacheWriteTokens';

const LABELS: Record<CountField, string> = {
  inputTokens: 'input tokens',
  outputTokens: 'output tokens',
  cachedInputTokens: 'cached input tokens',
  reasoningTokens: 'reasoning tokens',
  cacheWriteTokens: 'cache write tokens',
};

const FIELDS = Object.keys(LABELS) as CountField[];

/**
 * Why a count cannot be true, or null when it can. The note names the field and the number only:
 * a count of the wrong type (NaN from readCount, or a type that lies at run time) could be any
 * text the upstream chose, so its value is never repeated.
 */
function problemWith(field: CountField, value: unknown): string | null {
  if (isTokenCount(value)) return null;
  const label = LABELS[field];
  if (typeof value !== 'number' || Number.isNaN(value)) {
    return `the upstream reported ${label} as something other than a number; recorded as unknown`;
  }
  if (Number.isFinite(value) && Number.isInteger(value) && value > MAX_TOKEN_COUNT) {
    return `the upstream reported ${label} as ${value}, above the ${MAX_TOKEN_COUNT} limit; recorded as unknown`;
  }
  return `the upstream reported ${label} as ${value}; recorded as unknown`;
}

/**
 * The usage with every count that cannot be true replaced by null (unknown), and one note per
 * replacement. Checked: each count is a whole number from 0 to MAX_TOKEN_COUNT; cached input and
 * cache writes together fit in the input (both are part of it, and pricing subtracts them from
 * it); reasoning fits in the output (it is part of it). Where a relation fails, the part is
 * dropped and the total kept. A usage that passes comes back equal, with no notes.
 */
export function checkUsage(usage: Usage): { usage: Usage; problems: string[] } {
  const problems: string[] = [];
  const checked: Usage = { ...usage };
  for (const field of FIELDS) {
    // A type that lies at run time is checked too: usage is built from upstream JSON.
    const value: unknown = usage[field];
    if (value === null || value === undefined) continue;
    const problem = problemWith(field, value);
    if (problem === null) {
      checked[field] = (value as number) + 0; // -0 is recorded as 0
    } else {
      checked[field] = null;
      problems.push(problem);
    }
  }

  const input = checked.inputTokens;
  const cached = checked.cachedInputTokens;
  if (input !== null && cached !== null && cached > input) {
    problems.push(
      `the upstream reported cached input tokens (${cached}) above input tokens (${input}); recorded as unknown`,
    );
    checked.cachedInputTokens = null;
  }
  const cacheWrite = checked.cacheWriteTokens;
  if (input !== null && cacheWrite !== null && cacheWrite !== undefined) {
    const room = input - (checked.cachedInputTokens ?? 0);
    if (cacheWrite > room) {
      problems.push(
        checked.cachedInputTokens === null
          ? `the upstream reported cache write tokens (${cacheWrite}) above input tokens (${input}); recorded as unknown`
          : `the upstream reported cache write tokens (${cacheWrite}) above input tokens (${input}) less cached input tokens (${checked.cachedInputTokens}); recorded as unknown`,
      );
      checked.cacheWriteTokens = null;
    }
  }
  const output = checked.outputTokens;
  const reasoning = checked.reasoningTokens;
  if (output !== null && reasoning !== null && reasoning > output) {
    problems.push(
      `the upstream reported reasoning tokens (${reasoning}) above output tokens (${output}); recorded as unknown`,
    );
    checked.reasoningTokens = null;
  }
  return { usage: checked, problems };
}

/**
 * The output tokens of a stream cut before its usage came, from the characters of text, reasoning
 * and tool arguments it streamed: about four characters a token for English text and JSON. The
 * row is marked partial. Null when nothing streamed.
 */
export function estimateOutputTokens(streamedChars: number): number | null {
  return streamedChars > 0 ? Math.ceil(streamedChars / 4) : null;
}

/** The usage of a cut stream that reported none: the output estimated, the rest unknown. */
export function estimatedUsage(streamedChars: number): Usage {
  return {
    inputTokens: null,
    outputTokens: estimateOutputTokens(streamedChars),
    cachedInputTokens: null,
    reasoningTokens: null,
  };
}
