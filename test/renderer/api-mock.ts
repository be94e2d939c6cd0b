import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

interface Reply {
  __reply: true;
  status: number;
  body?: unknown;
}

export type Handler = (call: Call) => object | Promise<object>;

/** A status and body, as opposed to a plain body answered with 200. */
export const reply = (status: number, body?: unknown): Reply => ({ __reply: true, status, body });

const isReply = (answer: unknown): answer is Reply =>
  typeof answer === 'object' && answer !== null && '__reply' in answer;

/**
 * Replaces fetch with answers keyed by "METHOD /path" (the part after /admin/api), and records every
 * call. An unknown path answers 404 in the gateway's error shape, so a missing handler shows up in the UI.
 */
export function mockApi(handlers: Record<string, Handler | object>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost:3000');
    const method = (init.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/admin\/api/, '');
    let body: unknown = init.body;
    if (typeof init.body === 'string') {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = init.body;
      }
    }
    const call = { method, path, query: url.searchParams, body };
    calls.push(call);
    const handler = handlers[`${method} ${path}`];
    if (handler === undefined) {
      return new Response(
        JSON.stringify({ error: { message: `No mock for ${method} ${path}`, code: 'not_found' } }),
        {
          status: 404,
        },
      );
    }
    const answer = typeof handler === 'function' ? await (handler as Handler)(call) : handler;
    if (isReply(answer)) {
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status: answer.status,
      });
    }
    return new Response(JSON.stringify(answer), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}
