import { stableHash } from './json.ts';

/**
 * The id of a translated answer: Gemini's responseId. Without one (not every Gemini-speaking
 * server sends it) an id derived from the answer itself, so that the translation stays a pure
 * function and tool-call ids stay distinct between answers.
 */
export function answerId(responseId: string | undefined, created: number, source: string): string {
  return responseId !== undefined && responseId !== ''
    ? responseId
    : `gemini-${created}-${stableHash(source)}`;
}
