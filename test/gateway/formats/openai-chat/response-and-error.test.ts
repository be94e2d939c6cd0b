import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import { mapOpenAiError } from '../../../../gateway/formats/openai-chat/error.ts';
import {
  fromOpenAiEmbeddingsResponse,
  fromOpenAiResponse,
  parseOpenAiModelList,
} from '../../../../gateway/formats/openai-chat/response.ts';
import { usageFromOpenAi } from '../../../../gateway/formats/openai-chat/usage.ts';
import { checkUsage } from '../../../../gateway/formats/usage-check.ts';
import { fixtureJson, FIXTURES_DIR } from '../../../support/fixtures.ts';

describe('fromOpenAiResponse', () => {
  it('reads usage and model from openai/openai-text.json and leaves the body to go out unchanged', () => {
    expect(fromOpenAiResponse(fixtureJson('openai/openai-text.json'))).toEqual({
      body: null,
      usage: { inputTokens: 16, outputTokens: 363, cachedInputTokens: 0, reasoningTokens: 0 },
      upstreamModel: 'gpt-4.1-nano-2025-04-14',
    });
  });

  it('reads cached and reasoning tokens from openai-compatible/deepseek-tool-call.json', () => {
    expect(fromOpenAiResponse(fixtureJson('openai-compatible/deepseek-tool-call.json'))).toEqual({
      body: null,
      usage: { inputTokens: 339, outputTokens: 92, cachedInputTokens: 320, reasoningTokens: 48 },
      upstreamModel: 'deepseek-reasoner',
    });
  });

  it('gives unknown usage and no model for a body without them', () => {
    const empty = { inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null };
    expect(fromOpenAiResponse({ model: '' })).toEqual({ body: null, usage: empty, upstreamModel: null });
    expect(fromOpenAiResponse({ model: 5, usage: 'x' })).toEqual({
      body: null,
      usage: empty,
      upstreamModel: null,
    });
  });

  it('refuses with 502 an answer that is not a JSON object, rather than passing on a 200 null', () => {
    for (const body of [null, 'text', 5, true, [], [{ choices: [] }]]) {
      expect(() => fromOpenAiResponse(body)).toThrow(
        expect.objectContaining({
          status: 502,
          code: 'upstream_error',
          message: 'The upstream answered with something that is not a chat completion.',
        }),
      );
      expect(() => fromOpenAiEmbeddingsResponse(body)).toThrow(
        expect.objectContaining({
          status: 502,
          code: 'upstream_error',
          message: 'The upstream answered with something that is not an embeddings list.',
        }),
      );
    }
  });

  it('refuses with 502 an answer nested too deeply to re-serialise', () => {
    const deep = JSON.parse(`{"choices":${'['.repeat(10_000)}${']'.repeat(10_000)}}`) as unknown;
    expect(() => fromOpenAiResponse(deep)).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_error' }),
    );
  });
});

describe('usageFromOpenAi', () => {
  it('reads an embeddings usage as zero output tokens', () => {
    const usage = usageFromOpenAi({ prompt_tokens: 8, total_tokens: 8 });
    expect(usage).not.toBeNull();
    expect(usage!.inputTokens).toBe(8);
    expect(usage!.outputTokens).toBe(0);
    expect(usage!.cachedInputTokens).toBe(0);
  });

  it('reads a chat usage without details as zero cached and reasoning tokens', () => {
    expect(usageFromOpenAi({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 })).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('gives null for no usage object', () => {
    expect(usageFromOpenAi(null)).toBeNull();
    expect(usageFromOpenAi(undefined)).toBeNull();
    expect(usageFromOpenAi(42)).toBeNull();
  });

  it('reads a count that is not a number as reported but unreadable (NaN), which is recorded as unknown', () => {
    const usage = usageFromOpenAi({ prompt_tokens: '10', completion_tokens: { n: 5 } })!;
    expect(usage).toEqual({
      inputTokens: Number.NaN,
      outputTokens: Number.NaN,
      cachedInputTokens: null,
      reasoningTokens: null,
    });
    expect(checkUsage(usage)).toEqual({
      usage: { inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null },
      problems: [
        'the upstream reported input tokens as something other than a number; recorded as unknown',
        'the upstream reported output tokens as something other than a number; recorded as unknown',
      ],
    });
  });

  it('makes no zero up for a detail count that is there but unreadable', () => {
    // Absent details mean none cached; details of the wrong type mean the count is unknown.
    const usage = usageFromOpenAi({
      prompt_tokens: 10,
      completion_tokens: 5,
      prompt_tokens_details: 'x',
      completion_tokens_details: { reasoning_tokens: true },
    })!;
    expect(checkUsage(usage).usage).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cachedInputTokens: null,
      reasoningTokens: null,
    });
    expect(usageFromOpenAi({ prompt_tokens: 10, completion_tokens: 5 })).toMatchObject({
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('passes numbers on as sent, for checkUsage to judge', () => {
    expect(usageFromOpenAi({ prompt_tokens: 1, completion_tokens: -1 })).toMatchObject({
      inputTokens: 1,
      outputTokens: -1,
    });
  });
});

describe('parseOpenAiModelList', () => {
  it('gives the ids of a model list', () => {
    const body = {
      object: 'list',
      data: [{ id: 'gpt-4o', object: 'model' }, { id: 'o3' }, { name: 'no-id' }, 5],
    };
    expect(parseOpenAiModelList(body)).toEqual(['gpt-4o', 'o3']);
  });

  it('gives an empty list for anything else', () => {
    expect(parseOpenAiModelList({ data: 'x' })).toEqual([]);
    expect(parseOpenAiModelList(null)).toEqual([]);
  });
});

describe('mapOpenAiError', () => {
  it("keeps the status, type, code and param of OpenAI's error body", () => {
    const body = readFileSync(
      join(FIXTURES_DIR, 'openai/reasoning-model-legacy-parameter-error.json'),
      'utf8',
    );
    const error = mapOpenAiError(400, body);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.code).toBe('unsupported_parameter');
    expect(error.param).toBe('max_tokens');
    expect(error.message).toBe(
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
    );
  });

  it('takes the message of the string form {"error":"..."}', () => {
    const error = mapOpenAiError(404, '{"error":"model not found"}');
    expect(error.status).toBe(404);
    expect(error.message).toBe('model not found');
    expect(error.code).toBe('upstream_error');
    expect(error.type).toBe('not_found_error');
    expect(error.param).toBeNull();
  });

  it('takes the message of the {"message":"..."} form', () => {
    const error = mapOpenAiError(500, '{"message":"internal failure"}');
    expect([error.status, error.message, error.type]).toEqual([500, 'internal failure', 'api_error']);
  });

  it('uses the type as the code when there is no code', () => {
    const error = mapOpenAiError(
      429,
      '{"error":{"message":"slow down","type":"rate_limit_error","code":null}}',
    );
    expect([error.status, error.code, error.type, error.message]).toEqual([
      429,
      'rate_limit_error',
      'rate_limit_error',
      'slow down',
    ]);
  });

  it('takes text that is not JSON as the message', () => {
    const error = mapOpenAiError(502, '  <html>Bad Gateway</html>\n');
    expect(error.status).toBe(502);
    expect(error.message).toBe('<html>Bad Gateway</html>');
    expect(error.code).toBe('upstream_error');
  });

  it('cuts a long text body to 500 characters', () => {
    expect(mapOpenAiError(500, 'x'.repeat(2000)).message).toHaveLength(500);
  });

  it('says so when the body is empty', () => {
    const error = mapOpenAiError(503, '');
    expect(error.message).toBe('The upstream answered 503 with no body.');
  });

  it('scrubs a key from the message', () => {
    const body = JSON.stringify({
      error: {
        message:
          'Incorrect API key provided: sk-proj-abcdefghijklmnop. You can find your API key in settings.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    const error = mapOpenAiError(401, body);
    expect(error.message).not.toContain('sk-proj-abc');
    expect(error.message).toContain('[redacted]');
    expect(error.message.startsWith('Incorrect API key provided: ')).toBe(true);
    expect(error.code).toBe('invalid_api_key');
  });

  it('scrubs a key from a text body too', () => {
    const error = mapOpenAiError(401, 'bad key sk-proj-abcdefghijklmnop');
    expect(error.message).toBe('bad key [redacted]');
  });
});
