import { formatSse } from '../../protocol/sse.ts';
import type { HubPart } from '../types.ts';

/** A hub part's event data: the upstream's own text where the chunk is unchanged. */
export function hubPartData(part: HubPart): string {
  if (part.type === 'done') return '[DONE]';
  if (part.type === 'raw') return part.data;
  return part.text ?? JSON.stringify(part.chunk);
}

/** A hub part as the OpenAI SSE frame a client reads: `data: {…}\n\n`, `data: [DONE]\n\n`. */
export function encodeHubPart(part: HubPart): string {
  return formatSse(hubPartData(part));
}
