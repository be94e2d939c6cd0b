import { GatewayError } from '../../errors.ts';
import { scrubSecrets } from '../../scrub.ts';
import { isJsonObject } from '../upstream-json.ts';

/** OpenAI's codes for an account out of credit or over its quota (a 429 that waiting does not cure). */
const OUT_OF_CREDIT = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active']);

/**
 * The vendor's own error, passed on with its status: OpenAI's `{error:{message,type,param,code}}`,
 * or the looser shapes of OpenAI-compatible servers (`{error:"..."}`, `{message:"..."}`, plain text).
 */
export function mapOpenAiError(status: number, body: string): GatewayError {
  let message = body.trim().slice(0, 500) || `The upstream answered ${status} with no body.`;
  let type: string | undefined;
  let code: string | undefined;
  let param: string | null = null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON: the text itself is the message.
  }
  if (isJsonObject(parsed)) {
    const error = parsed['error'];
    if (typeof error === 'string') {
      message = error;
    } else if (isJsonObject(error)) {
      if (typeof error['message'] === 'string') message = error['message'];
      if (typeof error['type'] === 'string') type = error['type'];
      if (typeof error['code'] === 'string') code = error['code'];
      if (typeof error['param'] === 'string') param = error['param'];
    } else if (typeof parsed['message'] === 'string') {
      message = parsed['message'];
    }
  }
  return new GatewayError(status, code ?? type ?? 'upstream_error', scrubSecrets(message), {
    ...(type === undefined ? {} : { type }),
    param,
    overQuota: OUT_OF_CREDIT.has(code ?? '') || OUT_OF_CREDIT.has(type ?? ''),
  });
}
