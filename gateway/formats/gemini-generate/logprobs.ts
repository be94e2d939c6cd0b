import { present, type GeminiLogprobsResult } from './schemas.ts';

interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

export interface OpenAiLogprobs {
  content: (TokenLogprob & { top_logprobs: TokenLogprob[] })[];
  refusal: null;
}

const encoder = new TextEncoder();

function tokenLogprob(token: string | undefined, logprob: number | undefined): TokenLogprob {
  const text = token ?? '';
  return { token: text, logprob: logprob ?? 0, bytes: [...encoder.encode(text)] };
}

/** Gemini's logprobsResult (chosen token and top candidates per step) → OpenAI's choice `logprobs`. */
export function convertLogprobs(result: GeminiLogprobsResult | undefined): OpenAiLogprobs | null {
  if (result === undefined) return null;
  const chosen = present(result.chosenCandidates);
  const top = present(result.topCandidates);
  return {
    content: chosen.map((candidate, step) => ({
      ...tokenLogprob(candidate.token, candidate.logProbability),
      top_logprobs: present(top[step]?.candidates).map((alternative) =>
        tokenLogprob(alternative.token, alternative.logProbability),
      ),
    })),
    refusal: null,
  };
}
