import type { ServerResponse } from 'node:http';
import { AGENT_COMMAND, AGENT_PROMPT, ANSWER_PREFIX } from './fake-agent-upstreams.ts';
import { contentsProblem, GEMINI_KEY } from './fake-gemini.ts';
import { sendJson, startFakeServer, type FakeServer, type SeenRequest } from './fake-server.ts';

/**
 * A fake Generative Language API (v1beta) for Gemini CLI runs: the first turn of the task answers
 * with one call of Gemini CLI's shell tool running {@link AGENT_COMMAND}, the turn that carries its
 * functionResponse answers with text quoting the output. The CLI's other calls (the auto router's
 * complexity classifier, the next-speaker check, countTokens, the model list) get short,
 * well-formed answers so a run never stalls on them. See test/agents/GEMINI_CLI_WIRE.md.
 */

/** Gemini CLI's shell tool: `{command, description?, dir_path?, is_background?}`. */
export const GEMINI_SHELL_TOOL = 'run_shell_command';

/** The shell tools it answers to: Gemini CLI's, and Claude Code's when the gateway translates its requests. */
const SHELL_TOOLS = [GEMINI_SHELL_TOOL, 'Bash', 'exec_command'];

/** Signature the fake puts on its function call; Gemini 3 refuses the next turn when it does not come back. */
export const FAKE_THOUGHT_SIGNATURE = 'c3dpdGNoYm9hcmQtZTJlLXNpZ25hdHVyZQ==';

type Part = {
  text?: string;
  thought?: boolean;
  functionCall?: { name: string; args?: Record<string, unknown> };
  functionResponse?: { name: string; response?: Record<string, unknown> };
  thoughtSignature?: string;
};
type Content = { role?: string; parts?: Part[] };
type Schema = { type?: string; properties?: Record<string, Schema>; enum?: string[] };

type GeminiAgentTurn =
  | { kind: 'call-tool'; tool: string }
  | { kind: 'quote'; output: string }
  | { kind: 'json'; schema: Schema }
  | { kind: 'other' };

/** Usage the fake reports: a rough four-characters-a-token count, never 0 for a non-empty prompt. */
function estimateTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? '').length / 4));
}

/**
 * What the shell printed, from the functionResponse Gemini CLI sends back: `{"output":
 * "<untrusted_context>\nOutput: …\nProcess Group PGID: …\n</untrusted_context>"}`.
 */
export function shellOutput(response: Record<string, unknown> | undefined): string {
  // Gemini CLI's `output`; a translated tool result's text under whatever name the gateway gave it.
  const named = Object.values(response ?? {}).find((value) => typeof value === 'string');
  const text =
    typeof response?.['output'] === 'string' ? response['output'] : (named ?? JSON.stringify(response ?? {}));
  const lines = text.split('\n');
  const output = lines.find((line) => line.startsWith('Output: '));
  if (output) return output.slice('Output: '.length).trim();
  // Codex heads its output with the exit code and timing; what the command printed follows `Output:`.
  const header = lines.indexOf('Output:');
  if (header !== -1) return lines[header + 1]?.trim() ?? '';
  return lines.find((line) => line.trim() !== '') ?? '';
}

/** Which turn of the task a generateContent request is. */
function geminiTurn(body: Record<string, unknown>): GeminiAgentTurn {
  const contents = (Array.isArray(body['contents']) ? body['contents'] : []) as Content[];
  const last = contents.at(-1);
  const response = (last?.parts ?? []).find((part) =>
    SHELL_TOOLS.includes(part.functionResponse?.name ?? ''),
  );
  if (response) return { kind: 'quote', output: shellOutput(response.functionResponse?.response) };
  const config = (body['generationConfig'] ?? {}) as {
    responseMimeType?: string;
    responseJsonSchema?: Schema;
  };
  // The router's classifier and the next-speaker check ask for JSON and offer no tools.
  if (config.responseMimeType === 'application/json') {
    return { kind: 'json', schema: config.responseJsonSchema ?? {} };
  }
  const tools = (Array.isArray(body['tools']) ? body['tools'] : []) as {
    functionDeclarations?: { name?: string }[];
  }[];
  const shell = tools
    .flatMap((tool) => tool.functionDeclarations ?? [])
    .find((declaration) => SHELL_TOOLS.includes(declaration.name ?? ''))?.name;
  const asked = (last?.parts ?? []).some((part) => part.text?.includes(AGENT_PROMPT));
  return shell && asked ? { kind: 'call-tool', tool: shell } : { kind: 'other' };
}

/** An object matching the schema Gemini CLI asked for: a trivial task, and the user speaks next. */
function jsonAnswer(schema: Schema): Record<string, unknown> {
  const known: Record<string, unknown> = {
    complexity_score: 10,
    next_speaker: 'user',
    model_choice: 'flash',
  };
  const answer: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const type = property.type?.toLowerCase();
    answer[name] =
      known[name] ??
      property.enum?.[0] ??
      (type === 'integer' || type === 'number' ? 1 : type === 'boolean' ? false : 'A one-step task.');
  }
  return answer;
}

function answerParts(turn: GeminiAgentTurn): Part[] {
  switch (turn.kind) {
    case 'call-tool':
      return [
        {
          functionCall: {
            name: turn.tool,
            // Codex's exec_command takes `cmd`; the others `command`.
            args:
              turn.tool === 'exec_command'
                ? { cmd: AGENT_COMMAND }
                : { command: AGENT_COMMAND, description: 'Print the end-to-end marker' },
          },
          thoughtSignature: FAKE_THOUGHT_SIGNATURE,
        },
      ];
    case 'quote':
      return [{ text: `${ANSWER_PREFIX} ${turn.output}` }];
    case 'json':
      return [{ text: JSON.stringify(jsonAnswer(turn.schema)) }];
    case 'other':
      return [{ text: 'ok' }];
  }
}

function googleError(response: ServerResponse, code: number, status: string, message: string) {
  sendJson(response, code, { error: { code, message, status } });
}

/**
 * Gemini CLI puts its session context and the prompt in two consecutive user turns for the router's
 * classifier, which the real API takes; merged here so the fake's refusals are only the API's.
 */
function mergeConsecutiveTurns(contents: Content[]): Content[] {
  const merged: Content[] = [];
  for (const content of contents) {
    const previous = merged.at(-1);
    if (previous && previous.role === content.role) {
      merged[merged.length - 1] = {
        ...previous,
        parts: [...(previous.parts ?? []), ...(content.parts ?? [])],
      };
    } else merged.push(content);
  }
  return merged;
}

function answerGenerate(
  request: SeenRequest,
  response: ServerResponse,
  model: string,
  stream: 'sse' | 'array' | null,
) {
  const body = request.body ?? {};
  const contents = (Array.isArray(body['contents']) ? body['contents'] : []) as Content[];
  const problem = contentsProblem({ ...body, contents: mergeConsecutiveTurns(contents) }, model);
  if (problem) return googleError(response, 400, 'INVALID_ARGUMENT', problem);
  const parts = answerParts(geminiTurn(body));
  const promptTokenCount = estimateTokens([body['systemInstruction'], body['contents'], body['tools']]);
  const candidatesTokenCount = estimateTokens(parts);
  const usageMetadata = {
    promptTokenCount,
    candidatesTokenCount,
    totalTokenCount: promptTokenCount + candidatesTokenCount,
  };
  const chunk = (chunkParts: Part[], last: boolean) => ({
    candidates: [
      {
        content: { role: 'model', parts: chunkParts },
        ...(last ? { finishReason: 'STOP' } : {}),
        index: 0,
      },
    ],
    // The real API puts the prompt's count on every chunk and the full usage on the last.
    usageMetadata: last ? usageMetadata : { promptTokenCount, totalTokenCount: promptTokenCount },
    modelVersion: model,
    responseId: `e2e-${Date.now()}`,
  });
  if (stream === null) return sendJson(response, 200, chunk(parts, true));
  const text = parts[0]?.text;
  // Text arrives in pieces, a function call whole, as from the real API.
  const chunks =
    text === undefined
      ? [chunk(parts, true)]
      : [chunk([{ text: text.slice(0, 8) }], false), chunk([{ text: text.slice(8) }], true)];
  if (stream === 'array') return sendJson(response, 200, chunks);
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  // Gemini frames its events with CRLF and sends no [DONE]: the stream just ends.
  for (const payload of chunks) response.write(`data: ${JSON.stringify(payload)}\r\n\r\n`);
  response.end();
}

const MODELS = [
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'gemini-3.1-pro-preview',
  'gemini-3.8-flash',
  'gemini-3.5-flash-lite',
];

/**
 * A fake Gemini API (at its host root) for Gemini CLI runs: `POST /v1beta/models/{model}:
 * generateContent`, `:streamGenerateContent` (`alt=sse`, or the JSON array without it),
 * `:countTokens`, and `GET /v1beta/models`; `x-goog-api-key` must be {@link GEMINI_KEY}.
 */
export function startAgentGemini(): Promise<FakeServer> {
  return startFakeServer((request, response) => {
    const url = new URL(request.url, 'http://fake');
    if (request.headers['x-goog-api-key'] !== GEMINI_KEY) {
      return googleError(
        response,
        400,
        'INVALID_ARGUMENT',
        'API key not valid. Please pass a valid API key.',
      );
    }
    if (request.method === 'GET' && url.pathname === '/v1beta/models') {
      return sendJson(response, 200, {
        models: MODELS.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          inputTokenLimit: 1048576,
          outputTokenLimit: 65536,
          supportedGenerationMethods: ['generateContent', 'countTokens'],
        })),
      });
    }
    const match = /^\/v1beta\/models\/([^:/]+):(generateContent|streamGenerateContent|countTokens)$/.exec(
      url.pathname,
    );
    if (request.method !== 'POST' || !match) {
      return googleError(response, 404, 'NOT_FOUND', `Not found: ${request.method} ${url.pathname}`);
    }
    const [, model = '', method] = match;
    if (method === 'countTokens') {
      const body = request.body ?? {};
      const counted = body['generateContentRequest'] ?? body['contents'];
      return sendJson(response, 200, { totalTokens: estimateTokens(counted) });
    }
    const stream =
      method === 'generateContent' ? null : url.searchParams.get('alt') === 'sse' ? 'sse' : 'array';
    answerGenerate(request, response, model, stream);
  });
}
