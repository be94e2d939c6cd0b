import type { JsonObject } from '../../types.ts';
import { signatureFromExtraContent } from '../convert-messages.ts';
import { isRecord } from '../json.ts';
import { signatureFromToolCallId } from '../tool-call-id.ts';
import { markSignature } from './signature.ts';

export interface HubCall {
  id: string | undefined;
  name: string;
  /** The arguments as JSON text, whole. */
  arguments: string;
  /** The call's `extra_content`, where a thought signature may ride. */
  extraContent: unknown;
}

/** The thought signature of a hub tool call: in its extra_content, else in a gateway-made id. */
function callSignature(call: HubCall): string | undefined {
  return (
    signatureFromExtraContent(call.extraContent) ??
    (call.id === undefined ? undefined : signatureFromToolCallId(call.id))
  );
}

/**
 * A whole hub tool call → a Gemini functionCall part `{functionCall: {id, name, args}}`, with its
 * signature marked as ours; null when it has no name or its arguments are not a JSON object
 * (Gemini's MALFORMED_FUNCTION_CALL). No arguments at all is `{}`.
 */
export function functionCallPart(call: HubCall): JsonObject | null {
  if (call.name === '') return null;
  let args: unknown = {};
  if (call.arguments.trim() !== '') {
    try {
      args = JSON.parse(call.arguments);
    } catch {
      return null;
    }
  }
  if (!isRecord(args)) return null;
  const functionCall =
    call.id === undefined ? { name: call.name, args } : { id: call.id, name: call.name, args };
  const signature = callSignature(call);
  return signature === undefined
    ? { functionCall }
    : { functionCall, thoughtSignature: markSignature(signature) };
}
