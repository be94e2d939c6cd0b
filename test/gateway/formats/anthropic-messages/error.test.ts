import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import {
  anthropicErrorBody,
  anthropicErrorType,
  mapAnthropicError,
} from '../../../../gateway/formats/anthropic-messages/error.ts';
import { recordingJson } from './replay.ts';

describe('mapAnthropicError', () => {
  it('keeps the status, and uses the error type as code and type, with the message', () => {
    const body = JSON.stringify(recordingJson('own:error-invalid-request.json'));
    const error = mapAnthropicError(400, body);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_request_error',
      type: 'invalid_request_error',
    });
    expect(error.message).toMatch(
      /^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`/,
    );
  });

  it('turns 529 overloaded into 503 with code overloaded', () => {
    const error = mapAnthropicError(529, JSON.stringify(recordingJson('own:error-overloaded.json')));
    expect(error).toMatchObject({
      status: 503,
      code: 'overloaded',
      type: 'overloaded_error',
      message: 'Overloaded',
    });
  });

  it('turns an overloaded_error on another status into 503 too', () => {
    const error = mapAnthropicError(
      500,
      '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    );
    expect(error).toMatchObject({ status: 503, code: 'overloaded' });
  });

  it('passes on every documented error type with its status', () => {
    const cases: [number, string][] = [
      [401, 'authentication_error'],
      [402, 'billing_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [413, 'request_too_large'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [504, 'timeout_error'],
    ];
    for (const [status, type] of cases) {
      const error = mapAnthropicError(
        status,
        JSON.stringify({ type: 'error', error: { type, message: `m${status}` } }),
      );
      expect(error).toMatchObject({ status, code: type, type, message: `m${status}` });
    }
  });

  it('takes a body that is not JSON as the message, with the status’s type', () => {
    expect(mapAnthropicError(502, '<html>Bad gateway</html>')).toMatchObject({
      status: 502,
      code: 'upstream_error',
      type: 'api_error',
      message: '<html>Bad gateway</html>',
    });
    expect(mapAnthropicError(529, '')).toMatchObject({
      status: 503,
      code: 'overloaded',
      type: 'overloaded_error',
    });
    expect(mapAnthropicError(500, '').message).toBe('The upstream answered 500 with no body.');
    expect(mapAnthropicError(400, 'x'.repeat(2000)).message).toHaveLength(500);
  });

  it('removes key-shaped text from the message', () => {
    const error = mapAnthropicError(
      401,
      '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key sk-ant-api03-abcdef123456"}}',
    );
    expect(error.message).toBe('invalid x-api-key [redacted]');
  });
});

describe('anthropicErrorBody', () => {
  it('puts a gateway error in Anthropic’s shape with the type its status has at Anthropic', () => {
    const cases: [number, string][] = [
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [413, 'request_too_large'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [502, 'api_error'],
      [503, 'overloaded_error'],
      [529, 'overloaded_error'],
      [504, 'timeout_error'],
      [418, 'invalid_request_error'],
    ];
    for (const [status, type] of cases) {
      expect(anthropicErrorType(status)).toBe(type);
      expect(anthropicErrorBody(new GatewayError(status, 'some_code', 'What went wrong.'))).toEqual({
        type: 'error',
        error: { type, message: 'What went wrong.' },
      });
    }
  });

  it('round-trips an Anthropic error through the gateway unchanged in type and message', () => {
    const original = recordingJson('own:error-invalid-request.json') as { error: Record<string, unknown> };
    const body = anthropicErrorBody(mapAnthropicError(400, JSON.stringify(original)));
    expect(body.error).toEqual({ type: original.error['type'], message: original.error['message'] });
  });
});
