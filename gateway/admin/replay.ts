import { GatewayError } from '../errors.ts';
import type { JsonObject } from '../formats/types.ts';
import type { RequestRecord } from '../store/types.ts';

/** The wire formats a replay (or a playground prompt) is sent in: the one the logged body is in. */
export type ReplayFormat = 'openai-chat' | 'anthropic-messages' | 'openai-responses' | 'gemini';

/** What to send to the gateway's own endpoint: the path (route and, for Gemini, model in it) and the body. */
export interface GatewayCall {
  format: ReplayFormat;
  path: string;
  body: JsonObject;
}

function refuse(message: string): never {
  throw new GatewayError(400, 'not_replayable', message);
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a logged path called, by its end: the chat calls a replay can send again, or why not. */
const CALLS: [RegExp, ReplayFormat | string][] = [
  [/\/messages\/count_tokens$/, 'it counted tokens rather than asking for an answer'],
  [/:countTokens$/, 'it counted tokens rather than asking for an answer'],
  [/\/chat\/completions$/, 'openai-chat'],
  [/\/messages$/, 'anthropic-messages'],
  [/\/responses$/, 'openai-responses'],
  [/:(?:stream)?[gG]enerateContent$/, 'gemini'],
];
const FORMATS: readonly string[] = ['openai-chat', 'anthropic-messages', 'openai-responses', 'gemini'];

/** The format of a call by the path it was sent to; refused for anything but a chat call. */
export function formatOfPath(path: string): ReplayFormat {
  const call = CALLS.find(([pattern]) => pattern.test(path))?.[1];
  if (call === undefined) refuse('Only chat requests can be replayed: this one called another API.');
  if (!FORMATS.includes(call)) refuse(`This request cannot be replayed: ${call}.`);
  return call as ReplayFormat;
}

/**
 * The format of a body logged before its path was (older rows): the row's endpoint where one path
 * speaks one format, else the body's shape (Gemini's `contents`, Responses' `input` on /proxy);
 * a logged answer that is a token count says the call was one.
 */
export function formatOfLogged(
  row: Pick<RequestRecord, 'endpoint' | 'vendor'>,
  body: JsonObject,
  response = '',
): ReplayFormat {
  if (
    /^\s*\{\s*"(?:input_tokens|totalTokens)"\s*:\s*\d+\s*[,}]/.test(response) &&
    !/"(?:content|candidates)"/.test(response)
  )
    refuse('This request cannot be replayed: it counted tokens rather than asking for an answer.');
  switch (row.endpoint) {
    case 'messages':
      return 'anthropic-messages';
    case 'responses':
      return 'openai-responses';
  }
  if (Array.isArray(body['contents'])) return 'gemini';
  if (Array.isArray(body['messages']))
    return row.endpoint === 'proxy' && row.vendor === 'anthropic' ? 'anthropic-messages' : 'openai-chat';
  if (row.endpoint === 'proxy' && body['input'] !== undefined) return 'openai-responses';
  return refuse(
    'The logged body is not a chat request in a format Switchboard reads, so it cannot be sent again.',
  );
}

/** A logged request: its body as the client sent it (after filters), the answer, and where it went. */
export interface LoggedRequest {
  request: string;
  response: string;
  /** The path it was sent to (no query); absent on rows logged before it was kept. */
  path?: string | undefined;
}

/**
 * The logged request, as the client sent it (after filters), made into one call to another route
 * and model through the gateway's own endpoint for its format: not streamed (the answer is shown
 * whole), not kept by the vendor (Responses' `store`), its agent-session marker left out (a replay
 * is not a turn of the agent's session). Refused with a reason where sending it again could not
 * mean the same: another API than chat, a token count, a body cut when logged, a conversation the
 * vendor or the gateway keeps for the app that made it.
 */
export function replayCall(
  row: Pick<RequestRecord, 'endpoint' | 'vendor'>,
  logged: LoggedRequest,
  target: { route: string; model: string },
): GatewayCall {
  if (row.endpoint === 'embeddings' || row.endpoint === 'models')
    refuse('Only chat requests can be replayed: this one asked for embeddings or a model list.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(logged.request);
  } catch {
    // Logged bodies over 1 MiB are cut, and a cut one is no longer JSON.
    refuse(
      'The logged request is not whole JSON (bodies over 1 MiB are cut when logged), so it cannot be sent again.',
    );
  }
  if (!isObject(parsed)) refuse('The logged request is not a JSON object, so it cannot be sent again.');
  const body: JsonObject = { ...parsed };
  const format =
    logged.path === undefined ? formatOfLogged(row, body, logged.response) : formatOfPath(logged.path);
  // Claude Code's session id rides in metadata.user_id, which the gateway reads from any body.
  if (isObject(body['metadata']) && 'user_id' in body['metadata']) {
    const { user_id: _session, ...metadata } = body['metadata'];
    body['metadata'] = metadata;
  }
  const route = encodeURIComponent(target.route);
  switch (format) {
    case 'gemini':
      // Gemini names the model and whether to stream in the path, never in the body.
      return {
        format,
        path: `/gemini/${route}/v1beta/models/${encodeURIComponent(target.model)}:generateContent`,
        body,
      };
    case 'anthropic-messages':
      return { format, path: `/anthropic/${route}/v1/messages`, body: withModel(body, target.model) };
    case 'openai-responses':
      if (typeof body['previous_response_id'] === 'string' || body['conversation'] !== undefined)
        refuse(
          'The logged request continues an earlier conversation (previous_response_id or conversation), kept for the app that made it: a replay would miss it.',
        );
      return {
        format,
        path: `/openai/${route}/v1/responses`,
        body: { ...withModel(body, target.model), store: false },
      };
    case 'openai-chat': {
      const chat = withModel(body, target.model);
      // A usage chunk is a streaming option: with no stream, OpenAI refuses it.
      delete chat['stream_options'];
      return { format, path: `/openai/${route}/v1/chat/completions`, body: chat };
    }
  }
}

function withModel(body: JsonObject, model: string): JsonObject {
  return { ...body, model, stream: false };
}
