import type { AnthropicModelTraits } from './model-traits.ts';

export interface Sampling {
  temperature?: number;
  top_p?: number;
}

/**
 * `temperature` and `top_p`, where Anthropic takes them. They shape how words are picked, not
 * what is asked, so each is dropped rather than refused where the model or thinking rules it out.
 */
export function planSampling(
  given: { temperature: number | null | undefined; topP: number | null | undefined },
  traits: AnthropicModelTraits,
  thinking: boolean,
): Sampling {
  if (!traits.samplingParameters) return {};
  // OpenAI's range is 0–2, Anthropic's 0–1: above 1 is as random as Anthropic goes.
  let temperature =
    given.temperature === null || given.temperature === undefined
      ? undefined
      : Math.min(given.temperature, 1);
  let topP = given.topP ?? undefined;
  // With thinking, Anthropic takes temperature 1 only and top_p from 0.95 up.
  if (thinking && temperature !== undefined && temperature !== 1) temperature = undefined;
  if (thinking && topP !== undefined && topP < 0.95) topP = undefined;
  // Newer models take one of the two; temperature is the one clients mean to set.
  if (!traits.temperatureWithTopP && temperature !== undefined) topP = undefined;
  return {
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
  };
}
