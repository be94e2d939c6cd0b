import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import {
  fromGeminiEmbeddingsResponse,
  toGeminiEmbeddingsRequest,
} from '../../../../gateway/formats/gemini-generate/embeddings.ts';
import { parseGeminiModelList } from '../../../../gateway/formats/gemini-generate/models.ts';
import { geminiFixtureJson } from './own-fixtures.ts';

describe('models', () => {
  it('gives the ids without models/, leaving out models the gateway cannot call', () => {
    expect(parseGeminiModelList(geminiFixtureJson('gemini-models.json'))).toEqual([
      'gemini-2.5-flash',
      'gemini-3-pro-preview',
      'gemini-embedding-001',
    ]);
  });

  it('keeps a model that does not list its methods, and reads nonsense as no models', () => {
    expect(parseGeminiModelList({ models: [{ name: 'models/x' }, { displayName: 'no name' }, 5] })).toEqual([
      'x',
    ]);
    expect(parseGeminiModelList(null)).toEqual([]);
    expect(parseGeminiModelList({ models: 'x' })).toEqual([]);
  });
});

describe('toGeminiEmbeddingsRequest', () => {
  it('asks batchEmbedContents for one embedding per input, with outputDimensionality', () => {
    expect(
      toGeminiEmbeddingsRequest(
        {
          model: 'gemini-embedding-001',
          input: ['first', 'second'],
          dimensions: 768,
          encoding_format: 'float',
          user: 'u',
        },
        { model: 'gemini-embedding-001' },
      ),
    ).toEqual({
      requests: [
        {
          model: 'models/gemini-embedding-001',
          content: { parts: [{ text: 'first' }] },
          outputDimensionality: 768,
        },
        {
          model: 'models/gemini-embedding-001',
          content: { parts: [{ text: 'second' }] },
          outputDimensionality: 768,
        },
      ],
    });
  });

  it('takes a single string', () => {
    expect(toGeminiEmbeddingsRequest({ input: 'one' }, { model: 'text-embedding-004' })).toEqual({
      requests: [{ model: 'models/text-embedding-004', content: { parts: [{ text: 'one' }] } }],
    });
  });

  it('refuses token arrays, unknown parameters and bad values', () => {
    const refused = (body: Record<string, unknown>) => {
      try {
        toGeminiEmbeddingsRequest(body, { model: 'gemini-embedding-001' });
      } catch (error) {
        return error as GatewayError;
      }
      throw new Error('expected a refusal');
    };
    expect(refused({ input: [1, 2, 3] })).toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
      param: 'input',
    });
    expect(refused({ input: [[1, 2]] }).code).toBe('unsupported_parameter');
    expect(refused({ input: 'x', task: 'search' })).toMatchObject({
      code: 'unsupported_parameter',
      param: 'task',
    });
    expect(refused({ input: 'x', encoding_format: 'int8' }).param).toBe('encoding_format');
    expect(refused({ input: 'x', dimensions: 0 }).param).toBe('dimensions');
    expect(refused({ input: 5 }).code).toBe('invalid_request');
  });
});

describe('fromGeminiEmbeddingsResponse', () => {
  const context = { model: 'gemini-embedding-001', created: 1 };
  const recording = geminiFixtureJson('gemini-batch-embed-contents.json');

  it("gives OpenAI's list, in order, with usage unknown because Gemini reports none", () => {
    const result = fromGeminiEmbeddingsResponse(recording, context);
    expect(result.body).toEqual({
      object: 'list',
      data: [
        {
          object: 'embedding',
          index: 0,
          embedding: [0.013168517, -0.008711135, -0.046782099, 0.00069968298],
        },
        { object: 'embedding', index: 1, embedding: [-0.021584332, 0.0088001438, 0.0102541, -0.06321846] },
      ],
      model: 'gemini-embedding-001',
      usage: { prompt_tokens: null, total_tokens: null },
    });
    expect(result.usage).toEqual({
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      reasoningTokens: null,
    });
  });

  it('encodes base64 as OpenAI does (little-endian float32), which the OpenAI SDKs ask for by default', () => {
    const result = fromGeminiEmbeddingsResponse(recording, { ...context, encodingFormat: 'base64' });
    const data = (result.body!['data'] as { embedding: string }[])[0]!.embedding;
    const bytes = Buffer.from(data, 'base64');
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    expect(decoded).toEqual([0.013168517, -0.008711135, -0.046782099, 0.00069968298].map(Math.fround));
  });

  it('reads a usageMetadata when one is there', () => {
    const result = fromGeminiEmbeddingsResponse(
      { ...recording, usageMetadata: { promptTokenCount: 9 } },
      context,
    );
    expect(result.usage).toEqual({
      inputTokens: 9,
      outputTokens: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    expect(result.body!['usage']).toEqual({ prompt_tokens: 9, total_tokens: 9 });
  });

  it('is a 502 for an answer without embeddings', () => {
    expect(() => fromGeminiEmbeddingsResponse({ candidates: [] }, context)).toThrow(GatewayError);
  });
});
