import { GatewayError } from '../../errors.ts';
import { scrubSecrets } from '../../scrub.ts';
import { errorBodySchema, present, type GeminiError as GoogleError } from './schemas.ts';

/** OpenAI error types by HTTP status, as the official SDKs expect them. */
export function openAiErrorType(status: number): string {
  if (status === 400 || status === 413 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

/** google.rpc status names by HTTP status, for errors in Google's own shape. */
export function googleStatus(status: number): string {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 502:
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}

const detailsOfType = (error: GoogleError, type: string) =>
  present(error.details).filter((detail) => detail['@type'] === `type.googleapis.com/google.rpc.${type}`);

/** RetryInfo's `retryDelay` ("34.4s") in whole seconds, rounded up so that a client never retries early. */
function retryAfterSeconds(error: GoogleError): string | undefined {
  for (const detail of detailsOfType(error, 'RetryInfo')) {
    const delay = detail['retryDelay'];
    const match = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    const seconds = match ? Math.ceil(Number(match[1])) : NaN;
    // Hundreds of digits read as Infinity: a Retry-After header is a whole number of seconds or absent.
    if (Number.isSafeInteger(seconds)) return String(seconds);
  }
  return undefined;
}

/** Google answers 400 INVALID_ARGUMENT for a bad key; its ErrorInfo reason says so. */
function isBadKey(error: GoogleError): boolean {
  return detailsOfType(error, 'ErrorInfo').some((detail) => detail['reason'] === 'API_KEY_INVALID');
}

function parseGoogleError(body: string): GoogleError | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  // Some Google front ends wrap the error in a one-element array.
  const candidate = Array.isArray(parsed) ? parsed[0] : parsed;
  const result = errorBodySchema.safeParse(candidate);
  return result.success ? result.data.error : null;
}

/**
 * Gemini's `{error:{code,message,status,details}}` → a gateway error with the same HTTP status,
 * the status name lowercased as its code ('resource_exhausted', 'invalid_argument'), the message,
 * an OpenAI type from the status, and Retry-After from a RetryInfo detail.
 */
export function mapGeminiError(status: number, body: string): GatewayError {
  const error = parseGoogleError(body);
  if (error === null) {
    const text = body.trim().slice(0, 500);
    return new GatewayError(
      status,
      'upstream_error',
      scrubSecrets(text || `Gemini answered ${status} with no body.`),
      {
        type: openAiErrorType(status),
      },
    );
  }
  const retryAfter = retryAfterSeconds(error);
  return new GatewayError(
    status,
    error.status?.toLowerCase() ?? 'upstream_error',
    scrubSecrets(error.message ?? `Gemini answered ${status}.`),
    {
      type: isBadKey(error) ? 'authentication_error' : openAiErrorType(status),
      ...(retryAfter === undefined ? {} : { headers: { 'retry-after': retryAfter } }),
      // RESOURCE_EXHAUSTED with a QuotaFailure is a quota spent, not a server that is busy.
      overQuota: error.status === 'RESOURCE_EXHAUSTED' && detailsOfType(error, 'QuotaFailure').length > 0,
    },
  );
}

/** An error Gemini sends inside a stream → the one OpenAI-style error event the client gets. */
export function geminiErrorPayload(error: GoogleError): {
  error: { message: string; type: string; code: string; param: null };
} {
  const status = error.code ?? 500;
  return {
    error: {
      message: scrubSecrets(error.message ?? 'Gemini reported an error in the stream.'),
      type: openAiErrorType(status),
      code: error.status?.toLowerCase() ?? 'upstream_error',
      param: null,
    },
  };
}

/**
 * A gateway error in Google's shape, for /proxy callers (the google-genai SDKs read code, message
 * and status). The gateway's own code rides in an ErrorInfo detail, and Retry-After in RetryInfo.
 */
export function geminiErrorBody(error: GatewayError): unknown {
  const details: Record<string, unknown>[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: error.code.toUpperCase(),
      domain: 'switchboard',
    },
  ];
  const retryAfter = error.headers['retry-after'];
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` });
  }
  return {
    error: { code: error.status, message: error.message, status: googleStatus(error.status), details },
  };
}
