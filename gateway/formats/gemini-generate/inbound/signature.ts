/*
 * A thought signature goes into the hub only when one of our own answers gave it to the client:
 * the hub's answer carried it (`extra_content.google.thought_signature`, Google's convention for
 * OpenAI shapes, spoken by Gemini routes and Google's OpenAI-compatible endpoint), and the target
 * wants it back the same way. Our answers mark those signatures; every other signature in a
 * client's history (one Gemini itself made, or Gemini CLI's stand-in
 * `skip_thought_signature_validator`) means nothing to another vendor and is dropped. The mark is
 * the base64 of "switchboard/", so a marked signature stays base64 where the original was, for SDKs
 * that decode it to bytes.
 */

const MARK = 'c3dpdGNoYm9hcmQv';

/** A signature from the hub's answer, as our answer gives it to the client. */
export function markSignature(signature: string): string {
  return `${MARK}${signature}`;
}

/** The hub's signature inside a marked one; undefined for a signature our answers did not give. */
export function ownSignature(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith(MARK) || value.length === MARK.length) return undefined;
  return value.slice(MARK.length);
}
