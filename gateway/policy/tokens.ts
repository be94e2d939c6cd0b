import { createRequire } from 'node:module';
import type { VendorId } from '../config/schema.ts';

type Counter = (text: string) => number;
let counter: Counter | undefined;

/** gpt-tokenizer's tables take ~50 MB: loaded on the first count, i.e. once a budget or TPM limit is used. */
function countO200k(text: string): number {
  counter ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: Counter }).countTokens;
  return counter(text);
}

/**
 * Input tokens of a request, counted with a real BPE tokenizer (OpenAI's o200k, from
 * gpt-tokenizer). For Claude and Gemini, whose tokenizers are not published, o200k undercounts a
 * little, so budget estimates add a margin for them: an estimate errs towards refusing, never
 * towards overspending.
 */
export function countInputTokens(texts: readonly string[], vendor: VendorId): number {
  let tokens = 0;
  for (const text of texts) if (text) tokens += countO200k(text);
  const margin = vendor === 'anthropic' || vendor === 'gemini' ? 1.2 : 1;
  // A few tokens of framing per message, as every chat format adds.
  return Math.ceil(tokens * margin) + 4 * texts.length;
}
