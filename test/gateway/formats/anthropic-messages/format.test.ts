import { describe, expect, it } from 'vitest';
import { anthropicMessagesFormat } from '../../../../gateway/formats/anthropic-messages/index.ts';
import {
  anthropicModelTraits,
  claudeVersion,
} from '../../../../gateway/formats/anthropic-messages/model-traits.ts';

describe('anthropicMessagesFormat', () => {
  it('has no embeddings; its stream errors are `error` events', () => {
    expect(anthropicMessagesFormat.id).toBe('anthropic-messages');
    expect(anthropicMessagesFormat.embeddings).toBeNull();
    expect(anthropicMessagesFormat.errorEvent).toBe('error');
  });

  it('writes a chat request with the model and a max_tokens', () => {
    const body = anthropicMessagesFormat.chat.request(
      { messages: [{ role: 'user', content: 'Hi' }] },
      { model: 'claude-sonnet-4-5', stream: false, defaultMaxTokens: 1000 },
    );
    expect(body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 1000 });
  });

  it('reads a model list', () => {
    const body = {
      data: [
        {
          type: 'model',
          id: 'claude-opus-4-7',
          display_name: 'Claude Opus 4.7',
          created_at: '2026-04-16T00:00:00Z',
        },
        {
          type: 'model',
          id: 'claude-haiku-4-5-20251001',
          display_name: 'Claude Haiku 4.5',
          created_at: '2025-10-01T00:00:00Z',
        },
      ],
      has_more: false,
      first_id: 'claude-opus-4-7',
      last_id: 'claude-haiku-4-5-20251001',
    };
    const parse = anthropicMessagesFormat.parseModelList;
    expect(parse(body)).toEqual(['claude-opus-4-7', 'claude-haiku-4-5-20251001']);
    expect(parse({})).toEqual([]);
    expect(parse(null)).toEqual([]);
    expect(parse({ data: [{ id: 'x', type: 'something-else' }, { id: 'y' }] })).toEqual(['y']);
  });
});

describe('model traits', () => {
  it('reads the version from every naming scheme, dates not taken for minors', () => {
    const versions: [string, number | null][] = [
      ['claude-3-haiku-20240307', 300],
      ['claude-3-5-sonnet-20241022', 305],
      ['claude-3-7-sonnet-latest', 307],
      ['claude-2.1', 201],
      ['claude-instant-1.2', 102],
      ['claude-sonnet-4-20250514', 400],
      ['claude-opus-4-1-20250805', 401],
      ['claude-haiku-4-5', 405],
      ['claude-sonnet-4-5-20250929', 405],
      ['claude-opus-4-6', 406],
      ['claude-opus-4-7', 407],
      ['claude-sonnet-5', 500],
      ['claude-fable-5-2', 502],
      ['claude-haiku-4-5@20251001', 405],
      ['claude-mythos-preview', null],
      ['deepseek-chat', null],
    ];
    for (const [model, version] of versions) expect([model, claudeVersion(model)]).toEqual([model, version]);
  });

  it('knows how each generation thinks and what it takes', () => {
    expect(anthropicModelTraits('claude-3-5-haiku-latest')).toMatchObject({
      thinking: 'none',
      structuredOutputs: false,
    });
    expect(anthropicModelTraits('claude-3-7-sonnet-latest')).toMatchObject({
      thinking: 'budget',
      temperatureWithTopP: true,
    });
    expect(anthropicModelTraits('claude-opus-4-1')).toMatchObject({
      thinking: 'budget',
      temperatureWithTopP: false,
      structuredOutputs: false,
    });
    expect(anthropicModelTraits('claude-sonnet-4-5')).toMatchObject({
      thinking: 'budget',
      structuredOutputs: true,
      samplingParameters: true,
    });
    expect(anthropicModelTraits('claude-sonnet-4-6')).toMatchObject({
      thinking: 'adaptive',
      thinkingHiddenByDefault: false,
    });
    expect(anthropicModelTraits('claude-opus-4-7')).toEqual({
      thinking: 'adaptive',
      thinkingHiddenByDefault: true,
      xhighEffort: true,
      structuredOutputs: true,
      samplingParameters: false,
      temperatureWithTopP: false,
    });
    // A Claude id we cannot read is a new model; another vendor's id keeps the long-standing surface.
    expect(anthropicModelTraits('claude-mythos-preview')).toMatchObject({
      thinking: 'adaptive',
      samplingParameters: false,
    });
    expect(anthropicModelTraits('kimi-k2')).toMatchObject({
      thinking: 'budget',
      samplingParameters: true,
      structuredOutputs: false,
    });
  });
});
