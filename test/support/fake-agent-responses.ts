import type { ServerResponse } from 'node:http';
import { AGENT_COMMAND, AGENT_PROMPT, ANSWER_PREFIX } from './fake-agent-upstreams.ts';
import { sendJson, startFakeServer, type FakeServer, type SeenRequest } from './fake-server.ts';
import { VENDOR_KEY } from './gateway.ts';

/**
 * A fake OpenAI Responses API for Codex runs (what Codex sends: test/agents/CODEX_WIRE.md): the first
 * turn of a task answers with a reasoning item and one call of Codex's shell tool running
 * {@link AGENT_COMMAND}; the turn carrying its `function_call_output` answers with text quoting the
 * output. Streams follow the real API's event sequence (`../shared/fixtures/openai/responses/`).
 */

/** Codex's shell tools and how each takes its command: `exec_command` (0.171), `shell_command` (earlier releases). */
const SHELL_ARGUMENTS: Record<string, (command: string) => Record<string, unknown>> = {
  exec_command: (command) => ({ cmd: command, yield_time_ms: 10_000 }),
  shell_command: (command) => ({ command }),
};

const CALL_ID = 'call_switchboard_e2e';

/**
 * The reasoning item's opaque state. The fake refuses a request that sends a reasoning item back
 * with anything else, as the real API refuses content it did not seal: a gateway must return it untouched.
 */
export const REASONING_CONTENT = Buffer.from('switchboard-e2e-reasoning').toString('base64');

type InputItem = {
  type?: string;
  role?: string;
  content?: unknown;
  output?: unknown;
  encrypted_content?: unknown;
  id?: string;
};
type ResponsesTool = { type?: string; name?: string };

export type ResponsesTurn =
  { kind: 'call-tool'; tool: string } | { kind: 'quote'; output: string } | { kind: 'other' };

function inputItems(body: Record<string, unknown>): InputItem[] {
  const input = body['input'];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? (input as InputItem[]) : [];
}

/** The text of a message's content or of a function call's output: a string, or parts with `text`. */
function itemText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as { text?: string }[]).map((part) => part.text ?? '').join('');
}

/**
 * What the command printed, from a `function_call_output`: Codex puts a header (chunk id, wall
 * time, exit code) before an `Output:` line; the first line after it is the command's.
 */
function shellOutput(output: unknown): string {
  const text = itemText(output);
  const marker = text.indexOf('Output:\n');
  const printed = marker === -1 ? text : text.slice(marker + 'Output:\n'.length);
  return printed.trim().split('\n')[0] ?? '';
}

/** Which turn of the task a request is: a `function_call_output` after the last user message carries the result. */
export function responsesTurn(body: Record<string, unknown>): ResponsesTurn {
  const items = inputItems(body);
  const lastUserIndex = items.findLastIndex((item) => item.role === 'user');
  const result = items.slice(lastUserIndex + 1).find((item) => item.type === 'function_call_output');
  if (result) return { kind: 'quote', output: shellOutput(result.output) };
  const tools = (Array.isArray(body['tools']) ? body['tools'] : []) as ResponsesTool[];
  const asked = itemText(items[lastUserIndex]?.content).includes(AGENT_PROMPT);
  const shell = tools.find((tool) => tool.type === 'function' && (tool.name ?? '') in SHELL_ARGUMENTS)?.name;
  return asked && shell ? { kind: 'call-tool', tool: shell } : { kind: 'other' };
}

/** Usage the fake reports: a rough four-characters-a-token count, never 0 for a non-empty prompt. */
function estimateTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? '').length / 4));
}

function openAiError(response: ServerResponse, status: number, message: string, param: string | null = null) {
  sendJson(response, status, { error: { message, type: 'invalid_request_error', param, code: null } });
}

/** The request's problem as the real API words it, or null. */
function requestProblem(body: Record<string, unknown>): { message: string; param: string } | null {
  if (typeof body['model'] !== 'string')
    return { message: "Missing required parameter: 'model'.", param: 'model' };
  if (body['previous_response_id'] && body['store'] === false) {
    // Nothing is kept with store false, so there is nothing to continue from.
    const id = String(body['previous_response_id']);
    return { message: `Previous response with id '${id}' not found.`, param: 'previous_response_id' };
  }
  const forged = inputItems(body).find(
    (item) => item.type === 'reasoning' && item.encrypted_content !== REASONING_CONTENT,
  );
  if (forged) {
    return {
      message: `The encrypted content for item ${forged.id ?? 'rs'} could not be verified.`,
      param: 'input',
    };
  }
  return null;
}

/** The output items of a turn: reasoning (when asked for) and a shell call, or a text message. */
function outputItems(turn: ResponsesTurn, stamp: string, wantsReasoning: boolean): Record<string, unknown>[] {
  if (turn.kind === 'call-tool') {
    const call = {
      id: `fc_e2e_${stamp}`,
      type: 'function_call',
      status: 'completed',
      arguments: JSON.stringify(SHELL_ARGUMENTS[turn.tool]!(AGENT_COMMAND)),
      call_id: CALL_ID,
      name: turn.tool,
    };
    if (!wantsReasoning) return [call];
    return [
      { id: `rs_e2e_${stamp}`, type: 'reasoning', encrypted_content: REASONING_CONTENT, summary: [] },
      call,
    ];
  }
  const text = turn.kind === 'quote' ? `${ANSWER_PREFIX} ${turn.output}` : 'ok';
  return [
    {
      id: `msg_e2e_${stamp}`,
      type: 'message',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
      role: 'assistant',
    },
  ];
}

/** The `response` object, its fields in the real API's order; `output` and `usage` filled when completed. */
function responseObject(
  body: Record<string, unknown>,
  id: string,
  status: 'in_progress' | 'completed',
  output: Record<string, unknown>[],
  usage: Record<string, unknown> | null,
) {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body['instructions'] ?? null,
    max_output_tokens: body['max_output_tokens'] ?? null,
    max_tool_calls: null,
    model: body['model'],
    output,
    parallel_tool_calls: body['parallel_tool_calls'] ?? true,
    previous_response_id: null,
    prompt_cache_key: body['prompt_cache_key'] ?? null,
    reasoning: { effort: 'medium', summary: null, ...(body['reasoning'] as object | undefined) },
    service_tier: 'default',
    store: body['store'] ?? true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body['tool_choice'] ?? 'auto',
    tools: body['tools'] ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  };
}

/** The events between `response.in_progress` and `response.completed` that build one output item. */
function itemEvents(item: Record<string, unknown>, outputIndex: number): Record<string, unknown>[] {
  const itemId = item['id'];
  if (item['type'] === 'function_call') {
    const json = String(item['arguments']);
    const middle = Math.floor(json.length / 2);
    return [
      {
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      },
      // Arguments arrive in pieces on the real API; a client must join them.
      ...[json.slice(0, middle), json.slice(middle)].map((delta) => ({
        type: 'response.function_call_arguments.delta',
        item_id: itemId,
        output_index: outputIndex,
        delta,
      })),
      {
        type: 'response.function_call_arguments.done',
        item_id: itemId,
        output_index: outputIndex,
        arguments: json,
      },
      { type: 'response.output_item.done', output_index: outputIndex, item },
    ];
  }
  if (item['type'] === 'message') {
    const part = (item['content'] as Record<string, unknown>[])[0]!;
    const text = String(part['text']);
    const at = { item_id: itemId, output_index: outputIndex, content_index: 0 };
    return [
      {
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', content: [] },
      },
      { type: 'response.content_part.added', ...at, part: { ...part, text: '' } },
      { type: 'response.output_text.delta', ...at, delta: text, logprobs: [] },
      { type: 'response.output_text.done', ...at, text, logprobs: [] },
      { type: 'response.content_part.done', ...at, part },
      { type: 'response.output_item.done', output_index: outputIndex, item },
    ];
  }
  return [
    { type: 'response.output_item.added', output_index: outputIndex, item },
    { type: 'response.output_item.done', output_index: outputIndex, item },
  ];
}

function answerResponses(request: SeenRequest, response: ServerResponse) {
  const body = request.body ?? {};
  const problem = requestProblem(body);
  if (problem) return openAiError(response, 400, problem.message, problem.param);
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const include = Array.isArray(body['include']) ? (body['include'] as unknown[]) : [];
  const output = outputItems(responsesTurn(body), stamp, include.includes('reasoning.encrypted_content'));
  const inputTokens = estimateTokens([body['instructions'], body['input'], body['tools']]);
  const outputTokens = estimateTokens(output);
  const reasoningTokens = output.some((item) => item['type'] === 'reasoning') ? 1 : 0;
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: inputTokens + outputTokens,
  };
  const id = `resp_e2e_${stamp}`;
  const completed = responseObject(body, id, 'completed', output, usage);
  if (body['stream'] !== true) return sendJson(response, 200, completed);
  const inProgress = responseObject(body, id, 'in_progress', [], null);
  const events = [
    { type: 'response.created', response: inProgress },
    { type: 'response.in_progress', response: inProgress },
    ...output.flatMap((item, index) => itemEvents(item, index)),
    { type: 'response.completed', response: completed },
  ];
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  for (const [sequence_number, event] of events.entries()) {
    response.write(
      `event: ${String(event['type'])}\ndata: ${JSON.stringify({ ...event, sequence_number })}\n\n`,
    );
  }
  response.end();
}

export interface FakeAgentResponses extends FakeServer {
  /** The base URL an OpenAI route (or Codex's `base_url`) takes: http://127.0.0.1:PORT/v1. */
  url: string;
}

/**
 * A fake OpenAI Responses API: `POST /v1/responses`, streamed or not; `authorization` must be
 * `Bearer` {@link VENDOR_KEY}. Codex 0.171 calls nothing else on a custom provider.
 */
export async function startAgentResponses(): Promise<FakeAgentResponses> {
  const server = await startFakeServer((request, response) => {
    const path = request.url.split('?')[0];
    if (request.headers['authorization'] !== `Bearer ${VENDOR_KEY}`) {
      return openAiError(response, 401, 'Incorrect API key provided.');
    }
    if (request.method === 'POST' && path === '/v1/responses') return answerResponses(request, response);
    openAiError(response, 404, `Invalid URL (${request.method} ${path})`);
  });
  return Object.assign(server, { url: `${server.origin}/v1` });
}
