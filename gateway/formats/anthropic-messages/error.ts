import { GatewayError } from '../../errors.ts';
import { scrubSecrets } from '../../scrub.ts';
import { errorBodySchema } from './messages-response.ts';

/**
 * Anthropic's error type for an HTTP status, as its API documents them. 529 is Anthropic's own
 * "overloaded"; the gateway says 503 for it, which every HTTP client knows to retry.
 */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The gateway's error code for an Anthropic error type: the type itself, but `overloaded` for overload. */
export const errorCodeFor = (type: string): string => (type === 'overloaded_error' ? 'overloaded' : type);

/** Anthropic's error body `{type:'error', error:{type, message}}` (or any text) → a gateway error with Anthropic's status, type and message. */
export function mapAnthropicError(status: number, body: string): GatewayError {
  let type: string | null = null;
  let message: string | null = null;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(body));
    if (parsed.success) {
      type = parsed.data.error.type ?? null;
      message = parsed.data.error.message ?? null;
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): the text is the message.
  }
  message ??= body.trim().slice(0, 500) || `The upstream answered ${status} with no body.`;
  const overloaded = status === 529 || type === 'overloaded_error';
  const errorType = overloaded ? 'overloaded_error' : (type ?? anthropicErrorType(status));
  return new GatewayError(
    overloaded ? 503 : status,
    type || overloaded ? errorCodeFor(errorType) : 'upstream_error',
    scrubSecrets(message),
    {
      type: errorType,
      // Anthropic says an empty balance as a billing_error, or as a 400 about the credit balance.
      overQuota: errorType === 'billing_error' || (status === 400 && /credit balance/i.test(message)),
    },
  );
}

/**
 * A gateway error in Anthropic's shape, for `/proxy` callers whose SDK reads that shape. The type
 * follows the status, since that is what Anthropic's SDKs turn into their typed errors.
 */
export function anthropicErrorBody(error: GatewayError): {
  type: 'error';
  error: { type: string; message: string };
} {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } };
}

/** The OpenAI-shaped payload sent in place of the rest of a stream when Anthropic reports an error in it. */
export function streamErrorPayload(
  type: string | null,
  message: string | null,
): { error: { message: string; type: string; code: string; param: null } } {
  const errorType = type || 'api_error';
  return {
    error: {
      message: scrubSecrets(message || 'The upstream reported an error during the stream.'),
      type: errorType,
      code: errorCodeFor(errorType),
      param: null,
    },
  };
}
