import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapAnthropicError } from '../../../gateway/formats/anthropic-messages/error.ts';
import { mapGeminiError } from '../../../gateway/formats/gemini-generate/error.ts';
import { mapOpenAiError } from '../../../gateway/formats/openai-chat/error.ts';
import { FIXTURES_DIR } from '../../support/fixtures.ts';

/** Each vendor's way of saying "out of credit or over quota", which no retry cures (issue 14). */
describe('errors that say the account is out of credit or over quota', () => {
  it('OpenAI: insufficient_quota and the billing codes, not a rate limit', () => {
    const quota = JSON.stringify({
      error: {
        message: 'You exceeded your current quota, please check your plan and billing details.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    });
    expect(mapOpenAiError(429, quota).overQuota).toBe(true);
    const limit = JSON.stringify({
      error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
    expect(mapOpenAiError(429, limit).overQuota).toBe(false);
    expect(mapOpenAiError(503, 'Service Unavailable').overQuota).toBe(false);
  });

  it('Anthropic: a billing_error, or a 400 about the credit balance; not an overload', () => {
    const billing = JSON.stringify({
      type: 'error',
      error: { type: 'billing_error', message: 'Billing issue' },
    });
    expect(mapAnthropicError(402, billing).overQuota).toBe(true);
    const balance = JSON.stringify({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing.',
      },
    });
    expect(mapAnthropicError(400, balance).overQuota).toBe(true);
    const overloaded = JSON.stringify({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    expect(mapAnthropicError(529, overloaded).overQuota).toBe(false);
  });

  it('Gemini: RESOURCE_EXHAUSTED with a QuotaFailure (the recording), not one without', () => {
    const recorded = readFileSync(join(FIXTURES_DIR, 'google/google-429-retry-info.json'), 'utf8');
    expect(mapGeminiError(429, recorded).overQuota).toBe(true);
    const busy = JSON.stringify({
      error: { code: 429, message: 'Resource exhausted', status: 'RESOURCE_EXHAUSTED' },
    });
    expect(mapGeminiError(429, busy).overQuota).toBe(false);
    const unavailable = JSON.stringify({
      error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' },
    });
    expect(mapGeminiError(503, unavailable).overQuota).toBe(false);
  });
});
