/** The error codes of CONTRACT §3, plus the vendor's own codes passed through. */
export type GatewayErrorCode =
  | 'invalid_request'
  | 'unsupported_parameter'
  | 'invalid_api_key'
  | 'route_not_allowed'
  | 'model_not_allowed'
  | 'filter_blocked'
  | 'route_not_found'
  | 'host_not_allowed'
  | 'request_too_large'
  | 'budget_exceeded'
  | 'rate_limited'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'client_closed';

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

/**
 * One error type for the whole gateway. `expose` is always true for these: every message
 * is written for the caller and never contains a secret or a matched text.
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  /** The vendor says the account is out of credit or over quota: retrying will not help. */
  readonly overQuota: boolean;

  constructor(
    status: number,
    code: GatewayErrorCode | string,
    message: string,
    options: {
      type?: string;
      param?: string | null;
      headers?: Record<string, string>;
      overQuota?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = status;
    this.code = code;
    this.type =
      options.type ?? TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.overQuota = options.overQuota ?? false;
  }
}

/** OpenAI's error body shape, which the official SDKs turn into typed errors. */
export function openAiErrorBody(error: GatewayError): {
  error: { message: string; type: string; param: string | null; code: string };
} {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}
