import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import {
  geminiErrorBody,
  googleStatus,
  mapGeminiError,
} from '../../../../gateway/formats/gemini-generate/error.ts';
import { FIXTURES_DIR } from '../../../support/fixtures.ts';
import { geminiFixtureText } from './own-fixtures.ts';

describe('mapGeminiError', () => {
  it('maps the recorded 429 with its RetryInfo to a rate-limit error with Retry-After in whole seconds', () => {
    const body = readFileSync(join(FIXTURES_DIR, 'google/google-429-retry-info.json'), 'utf8');
    const error = mapGeminiError(429, body);
    expect(error).toBeInstanceOf(GatewayError);
    expect([error.status, error.code, error.type, error.param]).toEqual([
      429,
      'resource_exhausted',
      'rate_limit_error',
      null,
    ]);
    expect(error.message).toBe('You exceeded your current quota, please check your plan.');
    // retryDelay "34.4s": rounded up, so that a client never comes back too early.
    expect(error.headers).toEqual({ 'retry-after': '35' });
  });

  it('maps a bad key (400 INVALID_ARGUMENT, reason API_KEY_INVALID) to an authentication error, status kept', () => {
    const error = mapGeminiError(400, geminiFixtureText('gemini-400-api-key-invalid.json'));
    expect([error.status, error.code, error.type]).toEqual([400, 'invalid_argument', 'authentication_error']);
    expect(error.message).toBe('API key not valid. Please pass a valid API key.');
    expect(error.headers).toEqual({});
  });

  it('maps an unknown model to not_found', () => {
    const error = mapGeminiError(404, geminiFixtureText('gemini-404-model-not-found.json'));
    expect([error.status, error.code, error.type]).toEqual([404, 'not_found', 'not_found_error']);
    expect(error.message).toContain('models/gemini-0.9-nano is not found for API version v1beta');
  });

  it('gives every status a sensible OpenAI type', () => {
    const body = (status: number, name: string) =>
      JSON.stringify({ error: { code: status, message: 'm', status: name } });
    expect(mapGeminiError(401, body(401, 'UNAUTHENTICATED')).type).toBe('authentication_error');
    expect(mapGeminiError(403, body(403, 'PERMISSION_DENIED'))).toMatchObject({
      type: 'permission_error',
      code: 'permission_denied',
    });
    expect(mapGeminiError(500, body(500, 'INTERNAL'))).toMatchObject({ type: 'api_error', code: 'internal' });
    expect(mapGeminiError(503, body(503, 'UNAVAILABLE'))).toMatchObject({
      type: 'api_error',
      code: 'unavailable',
    });
    expect(mapGeminiError(504, body(504, 'DEADLINE_EXCEEDED'))).toMatchObject({ code: 'deadline_exceeded' });
  });

  it('reads the array form some Google front ends send', () => {
    const error = mapGeminiError(
      400,
      JSON.stringify([{ error: { code: 400, message: 'Bad.', status: 'INVALID_ARGUMENT' } }]),
    );
    expect([error.code, error.message]).toEqual(['invalid_argument', 'Bad.']);
  });

  it('takes a body that is not Google JSON as the message, cut and scrubbed', () => {
    expect(mapGeminiError(502, '<html>Bad Gateway</html>')).toMatchObject({
      status: 502,
      code: 'upstream_error',
      type: 'api_error',
      message: '<html>Bad Gateway</html>',
    });
    expect(mapGeminiError(500, '').message).toBe('Gemini answered 500 with no body.');
    expect(mapGeminiError(500, 'x'.repeat(2000)).message).toHaveLength(500);
    const leaked = JSON.stringify({
      error: { code: 400, message: 'Key AIzaSyA1234567890abcdefghij is wrong', status: 'INVALID_ARGUMENT' },
    });
    expect(mapGeminiError(400, leaked).message).not.toContain('AIzaSy');
  });
});

describe('geminiErrorBody', () => {
  it("writes a gateway error in Google's shape, with the gateway's code as ErrorInfo reason", () => {
    const error = new GatewayError(
      403,
      'model_not_allowed',
      'Model "x" is not on the allow-list of route "g".',
    );
    expect(geminiErrorBody(error)).toEqual({
      error: {
        code: 403,
        message: 'Model "x" is not on the allow-list of route "g".',
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'MODEL_NOT_ALLOWED',
            domain: 'switchboard',
          },
        ],
      },
    });
  });

  it('adds RetryInfo for a rate limit with Retry-After', () => {
    const error = new GatewayError(429, 'rate_limited', 'Slow down.', { headers: { 'retry-after': '12' } });
    expect(geminiErrorBody(error)).toMatchObject({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { reason: 'RATE_LIMITED' },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' },
        ],
      },
    });
  });

  it('names the google.rpc status of each HTTP status', () => {
    expect([400, 401, 403, 404, 413, 429, 499, 500, 501, 502, 503, 504, 418].map(googleStatus)).toEqual([
      'INVALID_ARGUMENT',
      'UNAUTHENTICATED',
      'PERMISSION_DENIED',
      'NOT_FOUND',
      'INVALID_ARGUMENT',
      'RESOURCE_EXHAUSTED',
      'CANCELLED',
      'INTERNAL',
      'UNIMPLEMENTED',
      'UNAVAILABLE',
      'UNAVAILABLE',
      'DEADLINE_EXCEEDED',
      'FAILED_PRECONDITION',
    ]);
  });
});
