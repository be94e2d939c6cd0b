import type { ServerResponse } from 'node:http';
import { fixtureChunks, fixtureJson } from './fixtures.ts';
import { sendJson, startFakeServer, type FakeServer, type SeenRequest } from './fake-server.ts';

export const ANTHROPIC_KEY = 'sk-ant-test-vendor-key-0a1b2c3d4e';

type Block = { type: string; id?: string; tool_use_id?: string; text?: string };
type Message = { role: string; content: string | Block[] };

function anthropicError(response: ServerResponse, status: number, type: string, message: string) {
  sendJson(response, status, { type: 'error', error: { type, message } });
}

/**
 * What the real Messages API refuses, checked the way it checks: strict alternation starting with
 * user, no empty content, max_tokens set, every tool_result answering a tool_use of the turn before.
 */
export function messagesProblem(body: Record<string, unknown>): string | null {
  if (typeof body['model'] !== 'string') return 'model: Field required';
  if (!Number.isInteger(body['max_tokens']) || (body['max_tokens'] as number) < 1)
    return 'max_tokens: Field required';
  const messages = body['messages'] as Message[] | undefined;
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required';
  let previous: Message | undefined;
  for (const [index, message] of messages.entries()) {
    const expected = index % 2 === 0 ? 'user' : 'assistant';
    if (message.role !== expected)
      return `messages: roles must alternate between "user" and "assistant" (messages.${index})`;
    const blocks =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (!Array.isArray(blocks) || blocks.length === 0) return `messages.${index}: content must not be empty`;
    for (const block of blocks) {
      if (block.type === 'text' && !block.text)
        return `messages.${index}: text content blocks must be non-empty`;
      if (block.type === 'tool_result') {
        const previousBlocks = previous && typeof previous.content !== 'string' ? previous.content : [];
        if (
          !previousBlocks.some(
            (candidate) => candidate.type === 'tool_use' && candidate.id === block.tool_use_id,
          )
        ) {
          return `messages.${index}: tool_result block(s) provided when previous message does not have a matching tool_use (${block.tool_use_id})`;
        }
      }
    }
    previous = message;
  }
  return null;
}

function streamEvents(response: ServerResponse, lines: string[]) {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  for (const line of lines) {
    const type = (JSON.parse(line) as { type: string }).type;
    response.write(`event: ${type}\ndata: ${line}\n\n`);
  }
  response.end();
}

function lastTurnHasToolResult(messages: Message[]): boolean {
  const last = messages.at(-1);
  return Array.isArray(last?.content) && last.content.some((block) => block.type === 'tool_result');
}

/**
 * A fake Anthropic Messages API that answers with the real recordings: a tool call when tools are
 * offered and no result is back yet, the text answer otherwise; streamed or not.
 */
export function startFakeAnthropic(): Promise<FakeServer> {
  return startFakeServer((request: SeenRequest, response) => {
    const path = request.url.split('?')[0];
    if (request.headers['x-api-key'] !== ANTHROPIC_KEY) {
      return anthropicError(response, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (typeof request.headers['anthropic-version'] !== 'string') {
      return anthropicError(response, 400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (request.method === 'GET' && path === '/v1/models') {
      return sendJson(response, 200, {
        data: ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805'].map(
          (id) => ({
            type: 'model',
            id,
            display_name: id,
            created_at: '2025-09-29T00:00:00Z',
          }),
        ),
        has_more: false,
        first_id: 'claude-sonnet-4-5-20250929',
        last_id: 'claude-opus-4-1-20250805',
      });
    }
    if (request.method === 'POST' && path === '/v1/messages/count_tokens') {
      // Anthropic's own count: a stand-in of a token per four characters of the messages.
      return sendJson(response, 200, {
        input_tokens: Math.ceil(JSON.stringify(request.body?.['messages'] ?? []).length / 4),
      });
    }
    if (request.method !== 'POST' || path !== '/v1/messages') {
      return anthropicError(response, 404, 'not_found_error', `Not found: ${path}`);
    }
    const body = request.body ?? {};
    const problem = messagesProblem(body);
    if (problem) return anthropicError(response, 400, 'invalid_request_error', problem);
    const messages = body['messages'] as Message[];
    const wantsTool = Array.isArray(body['tools']) && !lastTurnHasToolResult(messages);
    if (body['stream'] === true) {
      return streamEvents(
        response,
        fixtureChunks(
          wantsTool
            ? 'anthropic/anthropic-json-other-tool.1.chunks.txt'
            : 'anthropic/anthropic-text.chunks.txt',
        ),
      );
    }
    sendJson(
      response,
      200,
      fixtureJson(wantsTool ? 'anthropic/anthropic-json-other-tool.1.json' : 'anthropic/anthropic-text.json'),
    );
  });
}
