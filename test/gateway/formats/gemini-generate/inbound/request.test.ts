import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../../gateway/errors.ts';
import { geminiInbound } from '../../../../../gateway/formats/gemini-generate/inbound/index.ts';
import { markSignature } from '../../../../../gateway/formats/gemini-generate/inbound/signature.ts';
import type { JsonObject } from '../../../../../gateway/formats/types.ts';

const model = 'gpt-5';
const toHub = (body: JsonObject) => geminiInbound.request(body, { model });
const ask = (text: string) => ({ role: 'user', parts: [{ text }] });

function refusal(body: JsonObject): GatewayError {
  try {
    toHub(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('geminiInbound.request: contents', () => {
  it('turns the system instruction, text turns and the model from the URL into a hub request', () => {
    expect(
      toHub({
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [ask('Hi'), { role: 'model', parts: [{ text: 'Hello.' }] }, ask('Weather?')],
      }),
    ).toEqual({
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Weather?' },
      ],
    });
  });

  it('reads snake_case field names, a bare-string system instruction and contents without a role', () => {
    const hub = toHub({
      system_instruction: 'Be brief.',
      contents: [{ parts: [{ inline_data: { mime_type: 'image/png', data: 'AAAA' } }] }],
      generation_config: { max_output_tokens: 50 },
    });
    expect(hub['messages']).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
    ]);
    expect(hub['max_completion_tokens']).toBe(50);
  });

  it('keeps several parts of a turn as content parts, and media as images, audio and files', () => {
    const hub = toHub({
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Compare:' },
            { inlineData: { mimeType: 'image/jpeg', data: 'IMG' } },
            { inlineData: { mimeType: 'application/pdf', data: 'PDF' } },
            { inlineData: { mimeType: 'audio/mpeg', data: 'MP3' } },
            { fileData: { fileUri: 'https://example.com/cat.png', mimeType: 'image/png' } },
            { text: '' },
          ],
        },
      ],
    });
    expect(hub['messages']).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare:' },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,IMG' } },
          { type: 'file', file: { filename: 'document.pdf', file_data: 'data:application/pdf;base64,PDF' } },
          { type: 'input_audio', input_audio: { data: 'MP3', format: 'mp3' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        ],
      },
    ]);
  });

  it('refuses files by URL that another vendor cannot fetch', () => {
    for (const fileData of [
      { fileUri: 'https://example.com/report.pdf', mimeType: 'application/pdf' },
      { fileUri: 'gs://bucket/cat.png', mimeType: 'image/png' },
      { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc', mimeType: 'image/png' },
    ]) {
      const error = refusal({ contents: [{ role: 'user', parts: [{ fileData }] }] });
      expect(error.status).toBe(400);
      expect(error.param).toBe('contents[0].parts[0].fileData');
    }
  });

  it('drops thought parts, and a model turn left with nothing', () => {
    const hub = toHub({
      contents: [
        ask('Hi'),
        { role: 'model', parts: [{ text: 'Thinking about it', thought: true }] },
        { role: 'model', parts: [{ text: 'Pondering', thought: true }, { text: 'Hello.' }] },
        ask('Bye'),
      ],
    });
    expect(hub['messages']).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Bye' },
    ]);
  });
});

describe('geminiInbound.request: function calls and responses', () => {
  const declarations = [{ functionDeclarations: [{ name: 'read_file' }, { name: 'run_shell' }] }];

  it('pairs calls without ids with their responses by name and order, with stable ids', () => {
    const body = {
      contents: [
        ask('Read a and b, then run ls'),
        {
          role: 'model',
          parts: [
            { text: 'Reading.' },
            { functionCall: { name: 'read_file', args: { path: 'a' } } },
            { functionCall: { name: 'read_file', args: { path: 'b' } } },
            { functionCall: { name: 'run_shell', args: { command: 'ls' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            // Gemini CLI answers calls that came without an id under ids of its own.
            { functionResponse: { id: 'run_shell-1-x', name: 'run_shell', response: { output: 'a b' } } },
            { functionResponse: { name: 'read_file', response: { output: 'A' } } },
            { functionResponse: { name: 'read_file', response: { output: 'B' } } },
            { text: 'Done?' },
          ],
        },
      ],
      tools: declarations,
    };
    const hub = toHub(body);
    expect(hub['messages']).toEqual([
      { role: 'user', content: 'Read a and b, then run ls' },
      {
        role: 'assistant',
        content: 'Reading.',
        tool_calls: [
          { id: 'call_1_0', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
          { id: 'call_1_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"b"}' } },
          {
            id: 'call_1_2',
            type: 'function',
            function: { name: 'run_shell', arguments: '{"command":"ls"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1_2', content: '{"output":"a b"}' },
      { role: 'tool', tool_call_id: 'call_1_0', content: '{"output":"A"}' },
      { role: 'tool', tool_call_id: 'call_1_1', content: '{"output":"B"}' },
      { role: 'user', content: 'Done?' },
    ]);
    expect(toHub(body)).toEqual(hub);
  });

  it("keeps Gemini's ids and pairs by id first", () => {
    const hub = toHub({
      contents: [
        ask('Read a and b'),
        {
          role: 'model',
          parts: [
            { functionCall: { id: 'first', name: 'read_file', args: { path: 'a' } } },
            { functionCall: { id: 'second', name: 'read_file', args: { path: 'b' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'second', name: 'read_file', response: { output: 'B' } } },
            { functionResponse: { id: 'first', name: 'read_file', response: { output: 'A' } } },
          ],
        },
      ],
    });
    const messages = hub['messages'] as JsonObject[];
    expect(messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'second', content: '{"output":"B"}' },
      { role: 'tool', tool_call_id: 'first', content: '{"output":"A"}' },
    ]);
  });

  it('refuses a functionResponse that answers no call of the model turn before it', () => {
    const error = refusal({
      contents: [
        ask('Hi'),
        { role: 'user', parts: [{ functionResponse: { name: 'run_shell', response: {} } }] },
      ],
    });
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe('contents[1].parts[0].functionResponse');
  });

  it('sends back only the thought signatures our own answers gave', () => {
    const ours = markSignature('SIGNED/by+the/target==');
    const hub = toHub({
      contents: [
        ask('Weather?'),
        {
          role: 'model',
          parts: [{ functionCall: { id: 'c1', name: 'weather', args: {} }, thoughtSignature: ours }],
        },
        { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'weather', response: { t: 18 } } }] },
        // Gemini's own signature and Gemini CLI's stand-in mean nothing to another vendor.
        {
          role: 'model',
          parts: [
            {
              functionCall: { name: 'weather', args: {} },
              thoughtSignature: 'skip_thought_signature_validator',
            },
          ],
        },
        { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { t: 19 } } }] },
        { role: 'model', parts: [{ text: 'Sunny.', thoughtSignature: 'EtoFCtcFAb4+9vtfe4MX' }] },
        { role: 'model', parts: [{ text: 'Warm.', thoughtSignature: ours }] },
      ],
    });
    const messages = hub['messages'] as JsonObject[];
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: { name: 'weather', arguments: '{}' },
          extra_content: { google: { thought_signature: 'SIGNED/by+the/target==' } },
        },
      ],
    });
    expect(JSON.stringify(messages.slice(3, 6))).not.toContain('signature');
    expect(messages[6]).toEqual({
      role: 'assistant',
      content: 'Warm.',
      extra_content: { google: { thought_signature: 'SIGNED/by+the/target==' } },
    });
  });

  it('refuses malformed calls and responses with 400 naming the part', () => {
    expect(
      refusal({ contents: [{ role: 'model', parts: [{ functionCall: { name: 'x', args: 'a' } }] }] }).param,
    ).toBe('contents[0].parts[0].functionCall.args');
    expect(refusal({ contents: [{ role: 'model', parts: [{ functionCall: { args: {} } }] }] }).param).toBe(
      'contents[0].parts[0].functionCall',
    );
    expect(refusal({ contents: [{ role: 'system', parts: [{ text: 'x' }] }] }).param).toBe(
      'contents[0].role',
    );
    expect(refusal({ contents: [] }).param).toBe('contents');
    expect(refusal({}).param).toBe('contents');
  });
});

describe('geminiInbound.request: tools and tool config', () => {
  const weather = {
    name: 'weather',
    description: 'The weather',
    parameters: {
      type: 'OBJECT',
      properties: {
        city: { type: 'STRING', description: 'City', nullable: true },
        days: { type: 'INTEGER', minimum: 1 },
        tags: { type: 'ARRAY', items: { type: 'STRING' }, max_items: '3' },
      },
      required: ['city'],
      propertyOrdering: ['city', 'days', 'tags'],
    },
  };
  const shell = {
    name: 'run_shell',
    parametersJsonSchema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { command: { type: 'string' } },
      additionalProperties: false,
    },
  };

  it('turns function declarations into function tools with JSON Schema parameters', () => {
    const hub = toHub({
      contents: [ask('Hi')],
      tools: [{ functionDeclarations: [weather, shell, { name: 'now' }] }],
    });
    expect(hub['tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'weather',
          description: 'The weather',
          parameters: {
            type: 'object',
            properties: {
              city: { type: ['string', 'null'], description: 'City' },
              days: { type: 'integer', minimum: 1 },
              tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
            },
            required: ['city'],
          },
        },
      },
      {
        type: 'function',
        function: {
          name: 'run_shell',
          parameters: {
            type: 'object',
            properties: { command: { type: 'string' } },
            additionalProperties: false,
          },
        },
      },
      { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(hub['tool_choice']).toBeUndefined();
  });

  it("refuses Gemini's built-in tools", () => {
    const error = refusal({ contents: [ask('News?')], tools: [{ googleSearch: {} }] });
    expect(error.status).toBe(400);
    expect(error.code).toBe('unsupported_parameter');
    expect(error.param).toBe('tools[0].googleSearch');
  });

  it('maps functionCallingConfig modes, and carries allowedFunctionNames by offering only those tools', () => {
    const choose = (functionCallingConfig: JsonObject) =>
      toHub({
        contents: [ask('Hi')],
        tools: [{ functionDeclarations: [weather, shell] }],
        toolConfig: { functionCallingConfig },
      });
    const names = (hub: JsonObject) =>
      (hub['tools'] as { function: { name: string } }[]).map((t) => t.function.name);
    expect(choose({ mode: 'AUTO' })['tool_choice']).toBe('auto');
    expect(choose({ mode: 'NONE' })['tool_choice']).toBe('none');
    expect(choose({ mode: 'ANY' })['tool_choice']).toBe('required');
    const one = choose({ mode: 'ANY', allowedFunctionNames: ['run_shell'] });
    expect(one['tool_choice']).toEqual({ type: 'function', function: { name: 'run_shell' } });
    expect(names(one)).toEqual(['run_shell']);
    const validated = choose({ mode: 'VALIDATED', allowedFunctionNames: ['weather'] });
    expect(validated['tool_choice']).toBe('auto');
    expect(names(validated)).toEqual(['weather']);
    expect(() => choose({ mode: 'ANY', allowedFunctionNames: ['missing'] })).toThrow(GatewayError);
    expect(() => choose({ mode: 'SOMETIMES' })).toThrow(GatewayError);
  });
});

describe('geminiInbound.request: generationConfig', () => {
  const withConfig = (generationConfig: JsonObject, extra: JsonObject = {}) => {
    const {
      model: _model,
      messages: _messages,
      ...parameters
    } = toHub({
      contents: [ask('Hi')],
      generationConfig,
      ...extra,
    });
    return parameters;
  };

  it('carries sampling and output settings, and drops what has no counterpart', () => {
    expect(
      withConfig(
        {
          temperature: 0.2,
          topP: 0.9,
          topK: 40,
          maxOutputTokens: 800,
          stopSequences: ['END'],
          candidateCount: 1,
          seed: 7,
          presencePenalty: 0.5,
          frequencyPenalty: -0.5,
          responseLogprobs: true,
          responseModalities: ['TEXT'],
        },
        {
          safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
          cachedContent: 'c/1',
        },
      ),
    ).toEqual({
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 800,
      stop: ['END'],
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
    });
  });

  it('refuses more than one candidate, and output other than text', () => {
    expect(refusal({ contents: [ask('Hi')], generationConfig: { candidateCount: 2 } }).param).toBe(
      'generationConfig.candidateCount',
    );
    expect(
      refusal({ contents: [ask('Hi')], generationConfig: { responseModalities: ['IMAGE'] } }).param,
    ).toBe('generationConfig.responseModalities');
    expect(refusal({ contents: [ask('Hi')], generationConfig: { temperature: 'hot' } }).param).toBe(
      'generationConfig.temperature',
    );
  });

  it('turns JSON output with or without a schema into response_format', () => {
    expect(withConfig({ responseMimeType: 'application/json' })).toEqual({
      response_format: { type: 'json_object' },
    });
    expect(
      withConfig({
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { n: { type: 'NUMBER' } } },
      }),
    ).toEqual({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'response', schema: { type: 'object', properties: { n: { type: 'number' } } } },
      },
    });
    expect(
      withConfig({
        responseMimeType: 'application/json',
        responseJsonSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array' },
      }),
    ).toEqual({
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'array' } } },
    });
    expect(withConfig({ responseMimeType: 'text/plain' })).toEqual({});
  });

  it('turns thinking budgets and levels into reasoning_effort', () => {
    const effort = (thinkingConfig: JsonObject) => withConfig({ thinkingConfig })['reasoning_effort'];
    expect(effort({ thinkingBudget: 0 })).toBe('none');
    expect(effort({ thinkingBudget: -1, includeThoughts: true })).toBeUndefined();
    expect(effort({ thinkingBudget: 1024 })).toBe('low');
    expect(effort({ thinkingBudget: 8192 })).toBe('medium');
    expect(effort({ thinkingBudget: 24576 })).toBe('high');
    expect(effort({ thinkingLevel: 'LOW' })).toBe('low');
    expect(effort({ thinkingLevel: 'high', thinkingBudget: 0 })).toBe('high');
    expect(effort({ includeThoughts: true })).toBeUndefined();
    expect(() => effort({ thinkingLevel: 'EXTREME' })).toThrow(GatewayError);
  });
});
