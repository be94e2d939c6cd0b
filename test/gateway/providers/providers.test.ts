import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import { formatFor } from '../../../gateway/formats/index.ts';
import { anthropicProvider } from '../../../gateway/providers/anthropic.ts';
import { geminiProvider, modelFromGeminiPath } from '../../../gateway/providers/gemini.ts';
import { providerFor } from '../../../gateway/providers/index.ts';
import { VENDOR_IDS } from '../../../gateway/domain.ts';

const chat = (model: string, stream = false) => ({ operation: 'chat' as const, model, stream });

describe('providers', () => {
  it('exist for every vendor id, each speaking a format the gateway has', () => {
    for (const id of VENDOR_IDS) {
      const provider = providerFor(id);
      expect(provider?.id).toBe(id);
      expect(formatFor(provider!.format).id).toBe(provider!.format);
    }
  });

  it('sign OpenAI-style calls with a bearer, and send no header without a key', async () => {
    for (const id of ['openai', 'openai-compatible', 'ollama'] as const) {
      const provider = providerFor(id)!;
      expect(await provider.authorize('sk-1')).toEqual({ authorization: 'Bearer sk-1' });
      expect(await provider.authorize(null)).toEqual({});
      expect(provider.path(chat('m'))).toBe('chat/completions');
      expect(provider.path({ operation: 'embeddings', model: 'e', stream: false })).toBe('embeddings');
      expect(provider.path({ operation: 'models', model: '', stream: false })).toBe('models');
      // The Responses API's calls are read as what they are, on /proxy too.
      expect(provider.readPath('responses')).toEqual({
        model: null,
        stream: false,
        chat: true,
        format: 'openai-responses',
      });
      expect(provider.alsoSpeaks['openai-responses']?.always).toBe(id === 'openai');
    }
  });

  it('call Anthropic with x-api-key and its version header', async () => {
    expect(await anthropicProvider.authorize('sk-ant')).toEqual({ 'x-api-key': 'sk-ant' });
    expect(await anthropicProvider.authorize(null)).toEqual({});
    expect(anthropicProvider.defaultHeaders).toEqual({ 'anthropic-version': '2023-06-01' });
    expect(anthropicProvider.path(chat('claude-sonnet-4-5', true))).toBe('v1/messages');
    expect(anthropicProvider.path({ operation: 'models', model: '', stream: false })).toBe(
      'v1/models?limit=1000',
    );
    expect(anthropicProvider.readPath('v1/messages')).toEqual({ model: null, stream: false, chat: true });
  });

  it('call Gemini with x-goog-api-key at the model’s own methods', async () => {
    expect(await geminiProvider.authorize('AIza')).toEqual({ 'x-goog-api-key': 'AIza' });
    expect(await geminiProvider.authorize(null)).toEqual({});
    expect(await geminiProvider.authorize('')).toEqual({});
    expect(geminiProvider.defaultHeaders).toEqual({});
    expect(geminiProvider.path(chat('gemini-2.5-flash'))).toBe(
      'v1beta/models/gemini-2.5-flash:generateContent',
    );
    expect(geminiProvider.path(chat('gemini-2.5-flash', true))).toBe(
      'v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    expect(geminiProvider.path(chat('models/gemini-2.0-flash'))).toBe(
      'v1beta/models/gemini-2.0-flash:generateContent',
    );
    expect(geminiProvider.path(chat('tunedModels/my-model-7'))).toBe(
      'v1beta/tunedModels/my-model-7:generateContent',
    );
    expect(
      geminiProvider.path({ operation: 'embeddings', model: 'gemini-embedding-001', stream: false }),
    ).toBe('v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(geminiProvider.path({ operation: 'models', model: '', stream: false })).toBe(
      'v1beta/models?pageSize=1000',
    );
  });

  it('refuse a Gemini model id that could steer the path elsewhere', () => {
    for (const model of ['../files', 'gemini:generateContent?x=1', 'a/b/c', '', 'x y']) {
      let thrown: unknown;
      try {
        geminiProvider.path(chat(model));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GatewayError);
      const error = thrown as GatewayError;
      expect([error.status, error.code, error.param]).toEqual([400, 'invalid_request', 'model']);
    }
  });

  it('find the model in a native Gemini path', () => {
    expect(modelFromGeminiPath('v1beta/models/gemini-2.5-flash:generateContent')).toBe('gemini-2.5-flash');
    expect(modelFromGeminiPath('v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')).toBe(
      'gemini-2.5-flash',
    );
    expect(modelFromGeminiPath('v1/models/gemini-2.0-flash:countTokens')).toBe('gemini-2.0-flash');
    expect(modelFromGeminiPath('/v1alpha/models/gemini-3-pro-preview:generateContent')).toBe(
      'gemini-3-pro-preview',
    );
    expect(modelFromGeminiPath('v1beta/models/gemini-2.5-flash')).toBe('gemini-2.5-flash');
    expect(modelFromGeminiPath('v1beta/models')).toBeNull();
    expect(modelFromGeminiPath('v1beta/files/abc')).toBeNull();
    expect(modelFromGeminiPath('chat/completions')).toBeNull();
    expect(geminiProvider.readPath('v1beta/models/gemini-2.5-flash:streamGenerateContent')).toEqual({
      model: 'gemini-2.5-flash',
      stream: true,
      chat: true,
    });
  });
});
