import type { ServerResponse } from 'node:http';
import { ANTHROPIC_KEY, messagesProblem } from './fake-anthropic.ts';
import { sendJson, startFakeServer, type FakeServer, type SeenRequest } from './fake-server.ts';
import { VENDOR_KEY } from './gateway.ts';

/**
 * Fake vendors for agent CLIs (Claude Code, later Gemini CLI): the first turn of a task answers with
 * one shell-tool call running {@link AGENT_COMMAND}, the turn that carries its result answers with
 * text quoting the output. Every other call an agent makes (background titles, count_tokens, model
 * lists) gets a short, well-formed answer so the run never stalls on it.
 */

/** The command the fake asks the agent's shell tool to run, and what it prints. */
export const AGENT_COMMAND = 'echo switchboard-e2e-ok';
export const AGENT_OUTPUT = 'switchboard-e2e-ok';
/** The task to give the agent; its text is how the fake recognises the first turn. */
export const AGENT_PROMPT = `Run the shell command: ${AGENT_COMMAND}`;
/** The answer's opening words; it ends with the tool's output, so an agent's reply shows it ran. */
export const ANSWER_PREFIX = 'The command printed:';

/** The agents' shell tools: Claude Code's, and Gemini CLI's when the gateway translates its requests. */
const SHELL_TOOLS = ['Bash', 'run_shell_command', 'exec_command'];

/** A shell call's arguments as each tool names them (Codex's exec_command takes `cmd`). */
function shellInput(tool: string): Record<string, string> {
  return tool === 'exec_command'
    ? { cmd: AGENT_COMMAND }
    : { command: AGENT_COMMAND, description: 'Print the end-to-end marker' };
}
const TOOL_USE_ID = 'toolu_01SwitchboardE2E';
/** The thinking the fake Anthropic signs before its tool call when thinking is on, and its signature. */
export const AGENT_THINKING = 'The user wants the command run: I call the shell tool.';
export const AGENT_THINKING_SIGNATURE =
  'EqQBCkgIBxABGAIqQFakeSignatureOfTheSwitchboardE2EThinking0123456789abcdef';
const TOOL_CALL_ID = 'call_switchboard_e2e';

/** Usage the fakes report: a rough four-characters-a-token count, never 0 for a non-empty prompt. */
function estimateTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? '').length / 4));
}

/** Either the first line of a tool's output or an empty string. */
/** What the command printed: the first line, or the line after Codex's `Output:` header. */
function firstLine(text: string): string {
  const afterHeader = /(?:^|\n)Output:\n([^\n]*)/.exec(text)?.[1];
  return afterHeader ?? text.trim().split('\n')[0] ?? '';
}

type AgentTurn = { kind: 'call-tool'; tool: string } | { kind: 'quote'; output: string } | { kind: 'other' };

// ---------------------------------------------------------------- Anthropic Messages

type AnthropicBlock = { type: string; text?: string; content?: unknown };
type AnthropicMessage = { role: string; content: string | AnthropicBlock[] };

function anthropicBlocks(message: AnthropicMessage | undefined): AnthropicBlock[] {
  if (!message) return [];
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

function anthropicToolResultText(block: AnthropicBlock): string {
  if (typeof block.content === 'string') return block.content;
  if (!Array.isArray(block.content)) return '';
  return (block.content as AnthropicBlock[]).map((part) => part.text ?? '').join('');
}

/** Which turn of the task a Messages request is, judged from its last user message (Claude Code may put a `system` one after it). */
export function anthropicTurn(body: Record<string, unknown>): AgentTurn {
  const messages = (Array.isArray(body['messages']) ? body['messages'] : []) as AnthropicMessage[];
  const lastUser = messages.findLast((message) => message.role === 'user');
  const blocks = anthropicBlocks(lastUser);
  const result = blocks.find((block) => block.type === 'tool_result');
  if (result) return { kind: 'quote', output: firstLine(anthropicToolResultText(result)) };
  const tools = (Array.isArray(body['tools']) ? body['tools'] : []) as { name?: string }[];
  const asked = blocks.some((block) => block.type === 'text' && block.text?.includes(AGENT_PROMPT));
  const shell = tools.find((tool) => SHELL_TOOLS.includes(tool.name ?? ''))?.name;
  return asked && shell ? { kind: 'call-tool', tool: shell } : { kind: 'other' };
}

function anthropicError(response: ServerResponse, status: number, type: string, message: string) {
  sendJson(response, status, { type: 'error', error: { type, message } });
}

const thinkingOn = (body: Record<string, unknown>): boolean => {
  const thinking = body['thinking'] as { type?: unknown } | undefined;
  return thinking?.type === 'enabled' || thinking?.type === 'adaptive';
};

/**
 * The real API's rule with thinking on: the assistant turn of the current tool loop starts with
 * its thinking block, exactly as given (the signature is checked). Its words, where it refuses.
 */
function thinkingProblem(body: Record<string, unknown>): string | null {
  if (!thinkingOn(body)) return null;
  const messages = (Array.isArray(body['messages']) ? body['messages'] : []) as AnthropicMessage[];
  const last = messages.at(-1);
  if (!anthropicBlocks(last).some((block) => block.type === 'tool_result')) return null;
  const index = messages.length - 2;
  const first = anthropicBlocks(messages[index])[0] as AnthropicBlock & {
    thinking?: string;
    signature?: string;
  };
  if (first?.type !== 'thinking' && first?.type !== 'redacted_thinking')
    return `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first?.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`;
  if (first.signature !== AGENT_THINKING_SIGNATURE || first.thinking !== AGENT_THINKING)
    return `messages.${index}.content.0: Invalid \`signature\` in \`thinking\` block`;
  return null;
}

function anthropicContent(turn: AgentTurn, thinking: boolean): Record<string, unknown>[] {
  if (turn.kind === 'call-tool') {
    return [
      ...(thinking
        ? [{ type: 'thinking', thinking: AGENT_THINKING, signature: AGENT_THINKING_SIGNATURE }]
        : []),
      {
        type: 'tool_use',
        id: TOOL_USE_ID,
        name: turn.tool,
        input: shellInput(turn.tool),
      },
    ];
  }
  return [{ type: 'text', text: turn.kind === 'quote' ? `${ANSWER_PREFIX} ${turn.output}` : 'ok' }];
}

function writeAnthropicStream(
  response: ServerResponse,
  message: Record<string, unknown>,
  content: Record<string, unknown>[],
  usage: { input_tokens: number; output_tokens: number },
) {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  const send = (event: Record<string, unknown>) =>
    response.write(`event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`);
  send({
    type: 'message_start',
    message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });
  send({ type: 'ping' });
  for (const [index, block] of content.entries()) {
    if (block['type'] === 'thinking') {
      send({
        type: 'content_block_start',
        index,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      });
      send({
        type: 'content_block_delta',
        index,
        delta: { type: 'thinking_delta', thinking: block['thinking'] },
      });
      send({
        type: 'content_block_delta',
        index,
        delta: { type: 'signature_delta', signature: block['signature'] },
      });
    } else if (block['type'] === 'tool_use') {
      send({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      // Arguments arrive in pieces on the real API; a client must join them.
      const json = JSON.stringify(block['input']);
      const middle = Math.floor(json.length / 2);
      for (const partial_json of [json.slice(0, middle), json.slice(middle)]) {
        send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
      }
    } else {
      send({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block['text'] } });
    }
    send({ type: 'content_block_stop', index });
  }
  send({
    type: 'message_delta',
    delta: { stop_reason: message['stop_reason'], stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  send({ type: 'message_stop' });
  response.end();
}

function answerAnthropicMessages(request: SeenRequest, response: ServerResponse) {
  const body = request.body ?? {};
  const messages = (Array.isArray(body['messages']) ? body['messages'] : []) as AnthropicMessage[];
  // The real API's words: Claude Code looks for them to resend without its mid-conversation system message.
  if (messages.some((message) => message.role === 'system')) {
    return anthropicError(
      response,
      400,
      'invalid_request_error',
      'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
    );
  }
  const problem = messagesProblem(body) ?? thinkingProblem(body);
  if (problem) return anthropicError(response, 400, 'invalid_request_error', problem);
  const turn = anthropicTurn(body);
  const content = anthropicContent(turn, thinkingOn(body));
  const usage = {
    input_tokens: estimateTokens([body['system'], body['messages'], body['tools']]),
    output_tokens: estimateTokens(content),
  };
  const message = {
    id: `msg_e2e_${Date.now()}`,
    type: 'message',
    role: 'assistant',
    model: body['model'],
    content,
    stop_reason: turn.kind === 'call-tool' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage,
  };
  if (body['stream'] === true) return writeAnthropicStream(response, message, content, usage);
  sendJson(response, 200, message);
}

/**
 * A fake Anthropic API (at its host root) for agent runs: `POST /v1/messages` (any query, such as
 * Claude Code's `?beta=true`), `POST /v1/messages/count_tokens`, `GET /v1/models`; the key
 * (`x-api-key` or `authorization: Bearer`) must be {@link ANTHROPIC_KEY}. A `system`-role message is refused as the real API refuses it.
 */
export function startAgentAnthropic(): Promise<FakeServer> {
  return startFakeServer((request, response) => {
    const path = request.url.split('?')[0];
    // The API takes the key either way; SDK 1.x sends it as a bearer token.
    const key = request.headers['x-api-key'] ?? request.headers['authorization']?.replace(/^Bearer /, '');
    if (key !== ANTHROPIC_KEY)
      return anthropicError(response, 401, 'authentication_error', 'invalid x-api-key');
    if (request.method === 'POST' && path === '/v1/messages')
      return answerAnthropicMessages(request, response);
    if (request.method === 'POST' && path === '/v1/messages/count_tokens') {
      const body = request.body ?? {};
      return sendJson(response, 200, {
        input_tokens: estimateTokens([body['system'], body['messages'], body['tools']]),
      });
    }
    if (request.method === 'GET' && path === '/v1/models') {
      const ids = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'];
      return sendJson(response, 200, {
        data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' })),
        has_more: false,
        first_id: ids[0],
        last_id: ids.at(-1),
      });
    }
    anthropicError(response, 404, 'not_found_error', `Not found: ${request.method} ${path}`);
  });
}

// ---------------------------------------------------------------- OpenAI Chat Completions

type ChatMessage = { role: string; content?: unknown; tool_call_id?: string };
type ChatTool = { type?: string; function?: { name?: string } };

function chatText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as { text?: string }[]).map((part) => part.text ?? '').join('');
}

/** Which turn of the task a chat request is: a `tool` message after the last user message carries the result. */
export function chatTurn(body: Record<string, unknown>): AgentTurn {
  const messages = (Array.isArray(body['messages']) ? body['messages'] : []) as ChatMessage[];
  const lastUserIndex = messages.findLastIndex((message) => message.role === 'user');
  const result = messages.slice(lastUserIndex + 1).find((message) => message.role === 'tool');
  if (result) return { kind: 'quote', output: firstLine(chatText(result.content)) };
  const tools = (Array.isArray(body['tools']) ? body['tools'] : []) as ChatTool[];
  const asked = chatText(messages[lastUserIndex]?.content).includes(AGENT_PROMPT);
  const shell = tools.find((tool) => SHELL_TOOLS.includes(tool.function?.name ?? ''))?.function?.name;
  return asked && shell ? { kind: 'call-tool', tool: shell } : { kind: 'other' };
}

function openAiError(response: ServerResponse, status: number, message: string, type: string) {
  sendJson(response, status, { error: { message, type, param: null, code: null } });
}

function answerChat(request: SeenRequest, response: ServerResponse) {
  const body = request.body ?? {};
  const turn = chatTurn(body);
  const id = `chatcmpl-e2e-${Date.now()}`;
  const model = body['model'];
  const toolArguments = JSON.stringify(turn.kind === 'call-tool' ? shellInput(turn.tool) : {});
  const text = turn.kind === 'quote' ? `${ANSWER_PREFIX} ${turn.output}` : 'ok';
  const promptTokens = estimateTokens([body['messages'], body['tools']]);
  const completionTokens = estimateTokens(turn.kind === 'call-tool' ? toolArguments : text);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const finishReason = turn.kind === 'call-tool' ? 'tool_calls' : 'stop';
  if (body['stream'] !== true) {
    const message =
      turn.kind === 'call-tool'
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: TOOL_CALL_ID,
                type: 'function',
                function: { name: turn.tool, arguments: toolArguments },
              },
            ],
          }
        : { role: 'assistant', content: text };
    return sendJson(response, 200, {
      id,
      object: 'chat.completion',
      created: 1770000000,
      model,
      choices: [{ index: 0, message, finish_reason: finishReason }],
      usage,
    });
  }
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id, object: 'chat.completion.chunk', created: 1770000000, model, choices, ...extra });
  const deltas: Record<string, unknown>[] =
    turn.kind === 'call-tool'
      ? [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { index: 0, id: TOOL_CALL_ID, type: 'function', function: { name: turn.tool, arguments: '' } },
            ],
          },
          // Arguments arrive in pieces, as they do from the real API.
          ...[toolArguments.slice(0, 12), toolArguments.slice(12)].map((piece) => ({
            tool_calls: [{ index: 0, function: { arguments: piece } }],
          })),
        ]
      : [{ role: 'assistant', content: '' }, { content: text }];
  const payloads = [
    ...deltas.map((delta) => chunk([{ index: 0, delta, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, finish_reason: finishReason }]),
  ];
  const wantsUsage =
    (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
  if (wantsUsage) payloads.push(chunk([], { usage }));
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const payload of payloads) response.write(`data: ${payload}\n\n`);
  response.write('data: [DONE]\n\n');
  response.end();
}

export interface FakeAgentOpenAi extends FakeServer {
  /** The base URL an OpenAI route takes: http://127.0.0.1:PORT/v1. */
  url: string;
}

/**
 * A fake OpenAI Chat Completions API for agent runs translated by the gateway: `POST
 * /v1/chat/completions` (streamed with the usage chunk when `stream_options.include_usage` asks for
 * it, or not) and `GET /v1/models`; `authorization` must be `Bearer` {@link VENDOR_KEY}.
 */
export async function startAgentOpenAi(): Promise<FakeAgentOpenAi> {
  const server = await startFakeServer((request, response) => {
    const path = request.url.split('?')[0];
    if (request.headers['authorization'] !== `Bearer ${VENDOR_KEY}`) {
      return openAiError(response, 401, 'Incorrect API key provided.', 'invalid_request_error');
    }
    if (request.method === 'POST' && path === '/v1/chat/completions') return answerChat(request, response);
    if (request.method === 'GET' && path === '/v1/models') {
      return sendJson(response, 200, {
        object: 'list',
        data: ['gpt-5', 'gpt-5-mini', 'gpt-4.1-nano'].map((id) => ({
          id,
          object: 'model',
          created: 1700000000,
          owned_by: 'openai',
        })),
      });
    }
    openAiError(response, 404, `Unknown path ${path}`, 'invalid_request_error');
  });
  return Object.assign(server, { url: `${server.origin}/v1` });
}
