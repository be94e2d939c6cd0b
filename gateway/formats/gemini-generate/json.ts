import { GatewayError } from '../../errors.ts';
import type { JsonObject } from '../types.ts';

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A 400 for a request the client got wrong, naming the parameter so that the SDKs can show it. */
export function invalidRequest(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request', message, { param });
}

/** A 400 for what the client may send to OpenAI but Gemini cannot carry (CONTRACT §3). */
export function unsupportedParameter(param: string, message: string): GatewayError {
  return new GatewayError(400, 'unsupported_parameter', message, { param });
}

/**
 * A short, stable hash (FNV-1a, 32 bits, base 36) for ids that must be deterministic when the
 * upstream gave none: the same answer always gets the same id, different answers almost never do.
 */
export function stableHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
