import type { JsonObject } from '../types.ts';
import { invalidRequest, isRecord, unsupportedParameter } from './json.ts';

type Effort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** Gemini 3 and later take a thinking level (they have no "off": none asks for the least). */
const LEVEL: Record<Effort, string> = {
  none: 'MINIMAL',
  minimal: 'MINIMAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  xhigh: 'HIGH',
  max: 'HIGH',
};

/**
 * Gemini 2.5 takes a token budget: Google's own OpenAI layer maps low/medium/high to 1K/8K/24K.
 * 512 is the least that every 2.5 model accepts; 24576 the most that Flash accepts.
 */
const BUDGET: Record<Effort, number> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 24576,
  max: 24576,
};

/** The major version in a Gemini model id (`gemini-3-pro-preview` → 3), or null (aliases like gemini-flash-latest). */
export function geminiMajorVersion(model: string): number | null {
  const match = /(?:^|\/)gemini-(\d+)(?:\.\d+)?(?:-|$)/.exec(model);
  return match === null ? null : Number(match[1]);
}

/**
 * `reasoning_effort` → `thinkingConfig`, with `includeThoughts` so that the thoughts come back
 * as `reasoning_content`. A thinking level only where the model is known to be Gemini 3 or
 * later: 2.5 refuses levels, while Gemini 3 still accepts budgets.
 */
export function thinkingConfigForEffort(effort: unknown, model: string): JsonObject {
  if (typeof effort !== 'string' || !Object.hasOwn(LEVEL, effort)) {
    throw invalidRequest(
      'reasoning_effort',
      '"reasoning_effort" must be one of none, minimal, low, medium, high, xhigh, max.',
    );
  }
  const key = effort as Effort;
  const major = geminiMajorVersion(model);
  const includeThoughts = key !== 'none';
  return major !== null && major >= 3
    ? { thinkingLevel: LEVEL[key], includeThoughts }
    : { thinkingBudget: BUDGET[key], includeThoughts };
}

/** Google's OpenAI-layer extension `extra_body.google.thinking_config` ({thinking_budget, thinking_level, include_thoughts}). */
export function thinkingConfigFromGoogleExtension(value: unknown): JsonObject {
  const param = 'extra_body.google.thinking_config';
  if (!isRecord(value)) throw invalidRequest(param, `"${param}" must be an object.`);
  const config: JsonObject = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'thinking_budget' && typeof entry === 'number') config['thinkingBudget'] = entry;
    else if (key === 'thinking_level' && typeof entry === 'string')
      config['thinkingLevel'] = entry.toUpperCase();
    else if (key === 'include_thoughts' && typeof entry === 'boolean') config['includeThoughts'] = entry;
    else
      throw unsupportedParameter(
        `${param}.${key}`,
        `"${param}.${key}" is not a thinking setting Gemini routes carry.`,
      );
  }
  return config;
}
