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

/**
 * The format a logged body is in. The row's endpoint says it where one path speaks one format;
 * Gemini's calls are recorded as chat completions and `/proxy` bodies are the route's vendor's
 * own, so there the body's shape decides (Gemini's `contents`, Responses' `input`).
 */
export function formatOfLogged(
  row: Pick<RequestRecord, 'endpoint' | 'vendor'>,
  body: JsonObject,
): ReplayFormat {
  switch (row.endpoint) {
    case 'messages':
      return 'anthropic-messages';
    case 'responses':
      return 'openai-responses';
    case 'embeddings':
    case 'models':
      return refuse('Only chat requests can be replayed: this one asked for embeddings or a model list.');
  }
  if (Array.isArray(body['contents'])) return 'gemini';
  if (Array.isArray(body['messages']))
    return row.endpoint === 'proxy' && row.vendor === 'anthropic' ? 'anthropic-messages' : 'openai-chat';
  if (row.endpoint === 'proxy' && body['input'] !== undefined) return 'openai-responses';
  return refuse(
    'The logged body is not a chat request in a format Switchboard reads, so it cannot be sent again.',
  );
}

/**
 * The logged request, as the client sent it (after filters), made into one call to another route
 * and model through the gateway's own endpoint for its format: not streamed (the answer is shown
 * whole), its session marker left out (a replay is not a turn of the agent's session). Refused with
 * a reason where sending it again could not mean the same.
 */
export function replayCall(
  row: Pick<RequestRecord, 'endpoint' | 'vendor'>,
  logged: string,
  target: { route: string; model: string },
): GatewayCall {
  let parsed: unknown;
  try {
    parsed = JSON.parse(logged);
  } catch {
    // Logged bodies over 1 MiB are cut, and a cut one is no longer JSON.
    refuse(
      'The logged request is not whole JSON (bodies over 1 MiB are cut when logged), so it cannot be sent again.',
    );
  }
  if (!isObject(parsed)) refuse('The logged request is not a JSON object, so it cannot be sent again.');
  const body: JsonObject = { ...parsed };
  const format = formatOfLogged(row, body);
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
      if (body['max_tokens'] === undefined)
        refuse('The logged request has no max_tokens: it counted tokens rather than asking for an answer.');
      if (isObject(body['metadata'])) {
        const { user_id: _session, ...metadata } = body['metadata'];
        body['metadata'] = metadata;
      }
      return { format, path: `/anthropic/${route}/v1/messages`, body: withModel(body, target.model) };
    case 'openai-responses':
      if (typeof body['previous_response_id'] === 'string')
        refuse(
          'The logged request continues an earlier response (previous_response_id), kept for the app that made it: a replay would miss that conversation.',
        );
      return { format, path: `/openai/${route}/v1/responses`, body: withModel(body, target.model) };
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
