import type { PlaygroundResult as Sent } from '../../../gateway/admin/playground-routes.ts';
import { sendJson } from './client.ts';
import type { RequestRow } from './types.ts';

/** What a prompt or a replay answers: the gateway's answer as a client got it, and its recorded row. */
export type PlaygroundResult = Omit<Sent, 'request'> & { request: RequestRow | null };

export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Prompt {
  route: string;
  model: string;
  messages: PromptMessage[];
  maxTokens?: number;
}

/** `POST /playground`: the prompt sent through the route as the built-in app. */
export const sendPrompt = (prompt: Prompt, signal?: AbortSignal) =>
  sendJson<PlaygroundResult>('POST', '/playground', prompt, signal);

/** `POST /requests/:id/replay`: a logged request sent again to this route and model. */
export const replayRequest = (id: string, target: { route: string; model?: string }, signal?: AbortSignal) =>
  sendJson<PlaygroundResult>('POST', `/requests/${encodeURIComponent(id)}/replay`, target, signal);

/** The message an error answer carries, in any vendor's shape (`error.message`), or null. */
export function errorMessageOf(response: string): string | null {
  try {
    const body = JSON.parse(response) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : null;
  } catch {
    return null;
  }
}
