import { countTokens as countO200k } from 'gpt-tokenizer';
import type { VendorId } from '../config/schema.ts';

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
