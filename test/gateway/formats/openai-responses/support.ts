import OpenAI from 'openai';
import { openAiChatFormat } from '../../../../gateway/formats/openai-chat/index.ts';
import { openAiResponsesFormat } from '../../../../gateway/formats/openai-responses/index.ts';
import type {
  HubPart,
  InboundDirection,
  JsonObject,
  StreamEvent,
} from '../../../../gateway/formats/types.ts';
import { FIXTURES_DIR, fixtureChunks } from '../../../support/fixtures.ts';

export { FIXTURES_DIR };

export const inbound = openAiResponsesFormat.inbound as InboundDirection;
export const MODEL = 'gpt-5-codex';

/** Hub parts → the encoder's events, as the pipeline relays a translated stream. */
export function encode(
  parts: readonly HubPart[],
  usage: Parameters<InboundDirection['stream']['end']>[1],
  complete = true,
): StreamEvent[] {
  const state = inbound.stream.init({ model: MODEL, estimatedInputTokens: 12 });
  return [
    ...parts.flatMap((part) => inbound.stream.next(state, part)),
    ...inbound.stream.end(state, usage, complete),
  ];
}

/** A recorded OpenAI-format stream (one JSON chunk a line) through the hub reducer and the encoder. */
export function relayChat(path: string, options: { done?: boolean } = {}): StreamEvent[] {
  const hub = openAiChatFormat.chat.stream;
  const hubState = hub.init({ model: 'upstream', created: 1, clientWantsUsage: true });
  const lines = fixtureChunks(path);
  const data = options.done === false ? lines : [...lines, '[DONE]'];
  const parts = data.flatMap((line) => hub.next(hubState, { event: undefined, data: line, id: undefined }));
  return encode(parts, hub.usage(hubState), hub.end(hubState).complete);
}

/** The events' data, each checked to name its own type. */
export function payloads(events: readonly StreamEvent[]): JsonObject[] {
  return events.map((event) => {
    const data = JSON.parse(event.data) as JsonObject;
    if (event.event !== data['type']) throw new Error(`event ${event.event} carries ${String(data['type'])}`);
    return data;
  });
}

export const sse = (events: readonly StreamEvent[]): string =>
  events
    .map((event) => `${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${event.data}\n\n`)
    .join('');

/** What the `openai` SDK's Responses stream helper puts together from the events. */
export async function sdkFinalResponse(events: readonly StreamEvent[]): Promise<OpenAI.Responses.Response> {
  const client = new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.test/v1',
    fetch: async () => new Response(sse(events), { headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.responses.stream({ model: MODEL, input: 'x' }).finalResponse();
}
