import { describe, expect, it } from 'vitest';
import { endpointOfPath, routeOfPath } from '../../../gateway/http/recorded.ts';

// A request refused while the gateway shuts down is recorded under the endpoint its path is mounted as.

describe('endpointOfPath', () => {
  it('names every proxy endpoint as endpoints.ts records it', () => {
    expect(endpointOfPath('/v1/chat/completions')).toBe('chat.completions');
    expect(endpointOfPath('/openai/r/v1/chat/completions')).toBe('chat.completions');
    expect(endpointOfPath('/openai/r/v1/embeddings')).toBe('embeddings');
    expect(endpointOfPath('/v1/models')).toBe('models');
    expect(endpointOfPath('/openai/r/v1/responses')).toBe('responses');
    expect(endpointOfPath('/openai/r/v1/responses/resp_1')).toBe('responses');
    expect(endpointOfPath('/openai/r/v1/unknown')).toBe('chat.completions');
    expect(endpointOfPath('/v1/messages')).toBe('messages');
    expect(endpointOfPath('/v1/messages/count_tokens')).toBe('messages');
    expect(endpointOfPath('/anthropic/r/v1/messages')).toBe('messages');
    expect(endpointOfPath('/anthropic/r/v1/models')).toBe('models');
    expect(endpointOfPath('/gemini/r/v1beta/models/g:generateContent')).toBe('chat.completions');
    expect(endpointOfPath('/gemini/r/v1beta/models')).toBe('models');
    expect(endpointOfPath('/proxy/r/anything')).toBe('proxy');
  });

  it('gives no row to what is not the proxy’s', () => {
    for (const path of ['/healthz', '/ui/', '/admin/api/requests', '/v1/unknown', '/']) {
      expect(endpointOfPath(path)).toBeNull();
    }
  });
});

describe('routeOfPath', () => {
  it('reads the route a path names, decoded, and nothing at the root or from a broken escape', () => {
    expect(routeOfPath('/openai/my%20route/v1/chat/completions')).toBe('my route');
    expect(routeOfPath('/proxy/local/v1/models')).toBe('local');
    expect(routeOfPath('/v1/chat/completions')).toBeUndefined();
    expect(routeOfPath('/gemini/%E0%A4%A/v1beta/models')).toBeUndefined();
  });
});
