import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import { toGeminiChatRequest } from '../../../../gateway/formats/gemini-generate/request.ts';
import type { JsonObject } from '../../../../gateway/formats/types.ts';

const user = { role: 'user', content: 'Hello' };

function translate(body: JsonObject, model = 'gemini-2.5-flash', stream = false) {
  return toGeminiChatRequest({ model, messages: [user], ...body }, { model, stream, defaultMaxTokens: 4096 });
}

function refusal(body: JsonObject, model?: string): GatewayError {
  try {
    translate(body, model);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('toGeminiChatRequest: path and basics', () => {
  it('sends only contents for a plain request', () => {
    expect(translate({})).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
  });

  it('refuses a request with nothing but system messages', () => {
    const error = refusal({ messages: [{ role: 'system', content: 'Be brief.' }] });
    expect([error.status, error.code, error.param]).toEqual([400, 'invalid_request', 'messages']);
  });
});

describe('toGeminiChatRequest: generationConfig', () => {
  it('carries the sampling and output parameters', () => {
    const body = translate({
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      seed: 7,
      max_completion_tokens: 500,
      max_tokens: 100,
      n: 2,
      stop: ['END', '###'],
      presence_penalty: 0.5,
      frequency_penalty: -0.25,
      logprobs: true,
      top_logprobs: 3,
    });
    expect(body['generationConfig']).toEqual({
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      seed: 7,
      maxOutputTokens: 500,
      candidateCount: 2,
      stopSequences: ['END', '###'],
      presencePenalty: 0.5,
      frequencyPenalty: -0.25,
      responseLogprobs: true,
      logprobs: 3,
    });
  });

  it('takes max_tokens when max_completion_tokens is absent, and a single stop string', () => {
    expect(translate({ max_tokens: 100, stop: 'END' })['generationConfig']).toEqual({
      maxOutputTokens: 100,
      stopSequences: ['END'],
    });
  });

  it('leaves out values that ask for the default: n 1, zero penalties, logprobs false, no stops', () => {
    const body = translate({
      n: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      logprobs: false,
      top_logprobs: 2,
      stop: [],
    });
    expect(body['generationConfig']).toBeUndefined();
  });

  it('treats null parameters as absent', () => {
    const body = translate({
      temperature: null,
      stop: null,
      tools: null,
      tool_choice: null,
      response_format: null,
      user: null,
    });
    expect(body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
  });

  it('refuses values of the wrong type with invalid_request', () => {
    for (const [key, value] of [
      ['temperature', 'hot'],
      ['max_tokens', 1.5],
      ['n', 0],
      ['stop', [1]],
      ['logprobs', 'yes'],
    ] as const) {
      const error = refusal({ [key]: value });
      expect([error.status, error.code, error.param]).toEqual([400, 'invalid_request', key]);
    }
  });

  it('maps response_format', () => {
    expect(translate({ response_format: { type: 'text' } })['generationConfig']).toBeUndefined();
    expect(translate({ response_format: { type: 'json_object' } })['generationConfig']).toEqual({
      responseMimeType: 'application/json',
    });
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { city: { $ref: '#/$defs/City' } },
      required: ['city'],
      additionalProperties: false,
      $defs: { City: { type: 'string', description: 'A city name' } },
    };
    expect(
      translate({
        response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema } },
      })['generationConfig'],
    ).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: {
        type: 'object',
        properties: { city: { type: 'string', description: 'A city name' } },
        required: ['city'],
        additionalProperties: false,
      },
    });
    const error = refusal({ response_format: { type: 'grammar' } });
    expect([error.code, error.param]).toEqual(['unsupported_parameter', 'response_format']);
  });
});

describe('toGeminiChatRequest: reasoning_effort', () => {
  const thinking = (effort: string, model: string) =>
    (translate({ reasoning_effort: effort }, model)['generationConfig'] as JsonObject)['thinkingConfig'];

  it('gives Gemini 2.5 a thinking budget, with the thoughts included', () => {
    expect(thinking('low', 'gemini-2.5-flash')).toEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(thinking('medium', 'gemini-2.5-pro')).toEqual({ thinkingBudget: 8192, includeThoughts: true });
    expect(thinking('high', 'gemini-2.5-flash-lite')).toEqual({
      thinkingBudget: 24576,
      includeThoughts: true,
    });
    expect(thinking('none', 'gemini-2.5-flash')).toEqual({ thinkingBudget: 0, includeThoughts: false });
  });

  it('gives Gemini 3 and later a thinking level', () => {
    expect(thinking('low', 'gemini-3-pro-preview')).toEqual({ thinkingLevel: 'LOW', includeThoughts: true });
    expect(thinking('minimal', 'gemini-3-flash-preview')).toEqual({
      thinkingLevel: 'MINIMAL',
      includeThoughts: true,
    });
    expect(thinking('xhigh', 'gemini-3.1-pro')).toEqual({ thinkingLevel: 'HIGH', includeThoughts: true });
    expect(thinking('none', 'gemini-3-flash-preview')).toEqual({
      thinkingLevel: 'MINIMAL',
      includeThoughts: false,
    });
  });

  it('gives a budget where the version is unknown: Gemini 3 still accepts budgets, 2.5 refuses levels', () => {
    expect(thinking('medium', 'gemini-flash-latest')).toEqual({
      thinkingBudget: 8192,
      includeThoughts: true,
    });
  });

  it('refuses an unknown effort', () => {
    expect(refusal({ reasoning_effort: 'extreme' }).param).toBe('reasoning_effort');
  });
});

describe('toGeminiChatRequest: the parameter policy', () => {
  it('drops what changes nothing', () => {
    const body = translate({
      stream_options: { include_usage: true },
      parallel_tool_calls: false,
      user: 'u-1',
      safety_identifier: 's',
      store: true,
      metadata: { a: 'b' },
      service_tier: 'auto',
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      prediction: { type: 'content', content: 'x' },
      logit_bias: {},
      modalities: ['text'],
      verbosity: 'medium',
    });
    expect(body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
  });

  it('refuses with 400 unsupported_parameter what would change the meaning, naming the parameter', () => {
    for (const [key, value] of [
      ['logit_bias', { '50256': -100 }],
      ['audio', { voice: 'alloy', format: 'wav' }],
      ['modalities', ['text', 'audio']],
      ['verbosity', 'low'],
      ['web_search_options', {}],
      ['moderation', { model: 'x' }],
      ['functions', [{ name: 'f' }]],
      ['function_call', 'auto'],
    ] as const) {
      const error = refusal({ [key]: value });
      expect([error.status, error.code, error.param, error.type]).toEqual([
        400,
        'unsupported_parameter',
        key,
        'invalid_request_error',
      ]);
      expect(error.message).toContain(key);
    }
  });

  it('ignores a parameter it has no rule for, as every route does', () => {
    const body = translate({ reasoning: { effort: 'high' }, frobnicate: 1 });
    expect(body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
  });

  it("carries Google's extra_body.google extensions", () => {
    const body = translate(
      {
        reasoning_effort: 'low',
        extra_body: {
          google: {
            thinking_config: { thinking_budget: 2048, include_thoughts: false },
            cached_content: 'cachedContents/abc',
            safety_settings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
          },
        },
      },
      'gemini-2.5-flash',
    );
    expect(body['cachedContent']).toBe('cachedContents/abc');
    expect(body['safetySettings']).toEqual([
      { category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' },
    ]);
    expect(body['generationConfig']).toEqual({
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: false },
    });
    expect(refusal({ extra_body: { anthropic: {} } }).param).toBe('extra_body.anthropic');
    expect(refusal({ extra_body: { google: { labels: {} } } }).param).toBe('extra_body.google.labels');
  });
});

describe('toGeminiChatRequest: tools and tool_choice', () => {
  const weather = {
    type: 'function',
    function: {
      name: 'weather',
      description: 'Current weather',
      strict: true,
      parameters: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: {
          location: { type: 'string' },
          unit: { enum: ['c', 'f'], default: 'c' },
          kind: { const: 'current' },
        },
        required: ['location'],
        additionalProperties: false,
      },
    },
  };

  it('declares functions with their JSON Schema as parametersJsonSchema', () => {
    const body = translate({ tools: [weather, { type: 'function', function: { name: 'now' } }] });
    expect(body['tools']).toEqual([
      {
        functionDeclarations: [
          {
            name: 'weather',
            description: 'Current weather',
            parametersJsonSchema: {
              type: 'object',
              properties: {
                location: { type: 'string' },
                unit: { enum: ['c', 'f'], default: 'c' },
                kind: { enum: ['current'] },
              },
              required: ['location'],
              additionalProperties: false,
            },
          },
          { name: 'now' },
        ],
      },
    ]);
  });

  it('sends no tools for an empty list, and refuses tools that are not functions', () => {
    expect(translate({ tools: [] })['tools']).toBeUndefined();
    const error = refusal({ tools: [{ type: 'custom', custom: { name: 'grammar' } }] });
    expect([error.code, error.param]).toEqual(['unsupported_parameter', 'tools[0]']);
    expect(refusal({ tools: [{ type: 'function', function: {} }] }).code).toBe('invalid_request');
  });

  it('maps tool_choice to functionCallingConfig', () => {
    const config = (choice: unknown) =>
      (translate({ tools: [weather], tool_choice: choice })['toolConfig'] as JsonObject)[
        'functionCallingConfig'
      ];
    expect(config('auto')).toEqual({ mode: 'AUTO' });
    expect(config('none')).toEqual({ mode: 'NONE' });
    expect(config('required')).toEqual({ mode: 'ANY' });
    expect(config({ type: 'function', function: { name: 'weather' } })).toEqual({
      mode: 'ANY',
      allowedFunctionNames: ['weather'],
    });
    const allowed = (mode: string) => ({
      type: 'allowed_tools',
      allowed_tools: { mode, tools: [{ type: 'function', function: { name: 'weather' } }] },
    });
    expect(config(allowed('auto'))).toEqual({ mode: 'VALIDATED', allowedFunctionNames: ['weather'] });
    expect(config(allowed('required'))).toEqual({ mode: 'ANY', allowedFunctionNames: ['weather'] });
    expect(refusal({ tools: [weather], tool_choice: 'sometimes' }).param).toBe('tool_choice');
    expect(refusal({ tool_choice: { type: 'custom', custom: { name: 'x' } } }).code).toBe(
      'unsupported_parameter',
    );
  });

  it('sends no toolConfig without tools, and refuses a forced call without tools', () => {
    expect(translate({ tool_choice: 'auto' })['toolConfig']).toBeUndefined();
    expect(translate({ tools: [], tool_choice: 'none' })['toolConfig']).toBeUndefined();
    const error = refusal({ tool_choice: 'required' });
    expect([error.status, error.code, error.param]).toEqual([400, 'invalid_request', 'tool_choice']);
  });
});

describe('toGeminiChatRequest: content parts', () => {
  const parts = (content: unknown) =>
    (translate({ messages: [{ role: 'user', content }] })['contents'] as { parts: unknown[] }[])[0]!.parts;

  it('sends a data URL image inline', () => {
    expect(
      parts([
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
      ]),
    ).toEqual([{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }]);
  });

  it('base64-encodes a data URL that is not base64', () => {
    expect(parts([{ type: 'image_url', image_url: { url: 'data:image/svg+xml,%3Csvg%2F%3E' } }])).toEqual([
      { inlineData: { mimeType: 'image/svg+xml', data: Buffer.from('<svg/>').toString('base64') } },
    ]);
  });

  it('passes an http(s) image URL to Gemini as fileData, for Gemini to fetch; the gateway never fetches it', () => {
    expect(
      parts([{ type: 'image_url', image_url: { url: 'https://example.com/cat.JPG?size=large' } }]),
    ).toEqual([{ fileData: { fileUri: 'https://example.com/cat.JPG?size=large', mimeType: 'image/jpeg' } }]);
    expect(parts([{ type: 'image_url', image_url: { url: 'https://example.com/image' } }])).toEqual([
      { fileData: { fileUri: 'https://example.com/image' } },
    ]);
  });

  it('refuses other image URLs and data URLs without a MIME type', () => {
    expect(
      refusal({
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] },
        ],
      }).code,
    ).toBe('unsupported_parameter');
    expect(
      refusal({
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:;base64,AAAA' } }] },
        ],
      }).code,
    ).toBe('invalid_request');
  });

  it('sends audio and file data inline, and refuses OpenAI file ids', () => {
    expect(
      parts([
        { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
        { type: 'file', file: { file_data: 'JVBERi0=', filename: 'b.pdf' } },
      ]),
    ).toEqual([
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
    const error = refusal({
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }],
    });
    expect([error.code, error.param]).toEqual([
      'unsupported_parameter',
      'messages[0].content[0].file.file_id',
    ]);
  });

  it('refuses media in system messages and unknown part types', () => {
    expect(
      refusal({
        messages: [
          {
            role: 'system',
            content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }],
          },
          user,
        ],
      }).code,
    ).toBe('invalid_request');
    expect(refusal({ messages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] }).code).toBe(
      'unsupported_parameter',
    );
  });
});
