/*
 * Gemini names no tool call, so the gateway does: `call_<responseId>_<n>`. Gemini 3 also wants the
 * thought signature of a function call back on the next turn, and many OpenAI clients drop fields
 * they do not know (`extra_content`) but echo tool-call ids verbatim, so the signature rides in the
 * id as well: `call_<responseId>_<n>__thought__<signature>`. The signature is written in base64url
 * so that the id stays within [A-Za-z0-9_-], the id alphabet that the strictest clients accept.
 */

const MARKER = '__thought__';
const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE_BASE64 = /^[A-Za-z0-9_-]+$/;

/** The responseId as an id fragment: anything outside the id alphabet becomes `_`. */
function idFragment(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

function toBase64Url(signature: string): string | null {
  // Only canonical base64 round-trips exactly; anything else stays out of the id (extra_content still carries it).
  if (signature === '' || signature.length % 4 !== 0 || !STANDARD_BASE64.test(signature)) return null;
  return signature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  const standard = encoded.replace(/-/g, '+').replace(/_/g, '/');
  return standard + '='.repeat((4 - (standard.length % 4)) % 4);
}

export function toolCallId(responseId: string, counter: number, signature?: string): string {
  const base = `call_${idFragment(responseId)}_${counter}`;
  const encoded = signature === undefined ? null : toBase64Url(signature);
  return encoded === null ? base : `${base}${MARKER}${encoded}`;
}

/** The thought signature a gateway-made tool-call id carries, if any. */
export function signatureFromToolCallId(id: string): string | undefined {
  const at = id.indexOf(MARKER);
  if (at === -1) return undefined;
  const encoded = id.slice(at + MARKER.length);
  return URL_SAFE_BASE64.test(encoded) ? fromBase64Url(encoded) : undefined;
}
