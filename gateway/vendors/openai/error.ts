import { GatewayError } from '../../errors.ts';
import { scrubSecrets } from '../../scrub.ts';

/**
 * The vendor's own error, passed on with its status: OpenAI's `{error:{message,type,param,code}}`,
 * or the looser shapes of OpenAI-compatible servers (`{error:"..."}`, `{message:"..."}`, plain text).
 */
export function mapOpenAiError(status: number, body: string): GatewayError {
  let message = body.trim().slice(0, 500) || `The upstream answered ${status} with no body.`;
  let type: string | undefined;
  let code: string | undefined;
  let param: string | null = null;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const error = parsed['error'];
    if (typeof error === 'string') {
      message = error;
    } else if (typeof error === 'object' && error !== null) {
      const fields = error as Record<string, unknown>;
      if (typeof fields['message'] === 'string') message = fields['message'];
      if (typeof fields['type'] === 'string') type = fields['type'];
      if (typeof fields['code'] === 'string') code = fields['code'];
      if (typeof fields['param'] === 'string') param = fields['param'];
    } else if (typeof parsed['message'] === 'string') {
      message = parsed['message'];
    }
  } catch {
    // Not JSON: the text itself is the message.
  }
  return new GatewayError(status, code ?? type ?? 'upstream_error', scrubSecrets(message), {
    ...(type === undefined ? {} : { type }),
    param,
  });
}
