/** One logged request, as the request drawer and the playground's replay read it. */
import { ApiError, getJson } from './client.ts';
import type { RequestRow } from './types.ts';

/** A request's bodies as the client sent and got them. */
export interface RequestBodies {
  request: string;
  response: string;
}

const path = (id: string) => `/requests/${encodeURIComponent(id)}`;

/** `GET /requests/:id`: the request's row, or null when the log has no such request. */
export async function requestRow(id: string): Promise<RequestRow | null> {
  try {
    return await getJson<RequestRow>(path(id));
  } catch (thrown) {
    if (thrown instanceof ApiError && thrown.status === 404) return null;
    throw thrown;
  }
}

/** `GET /requests/:id/bodies`: its bodies, or null when its route did not log them. */
export async function requestBodies(id: string): Promise<RequestBodies | null> {
  const answer = await getJson<{ logged: boolean; request?: string; response?: string }>(
    `${path(id)}/bodies`,
  );
  return answer.logged ? { request: answer.request ?? '', response: answer.response ?? '' } : null;
}
