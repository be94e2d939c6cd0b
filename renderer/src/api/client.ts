/**
 * The dashboard's only way to the gateway: its admin HTTP API. In a browser against `serve` that is
 * the same origin, authenticated by the session cookie the one-time login link set; in the desktop
 * window the preload hands over the gateway's URL and the admin token instead.
 */

export interface DesktopBridge {
  baseUrl: string;
  adminToken: string;
}

declare global {
  interface Window {
    switchboard?: DesktopBridge;
  }
}

/** An error the gateway answered, carrying its user-facing message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The whole answer, where it says more than its message (e.g. which keys an import would drop). */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, body?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

const bridge = (): DesktopBridge | undefined =>
  typeof window !== 'undefined' && window.switchboard?.baseUrl ? window.switchboard : undefined;

/** The gateway's origin, e.g. http://127.0.0.1:4141: what apps and tools are pointed at. */
export function gatewayOrigin(): string {
  return (bridge()?.baseUrl ?? window.location.origin).replace(/\/+$/, '');
}

function request(path: string, init: RequestInit = {}): Promise<Response> {
  const desktop = bridge();
  const headers = new Headers(init.headers);
  if (desktop) headers.set('authorization', `Bearer ${desktop.adminToken}`);
  return fetch(`${desktop ? desktop.baseUrl.replace(/\/+$/, '') : ''}/admin/api${path}`, {
    ...init,
    headers,
    credentials: desktop ? 'omit' : 'same-origin',
  });
}

async function failure(response: Response): Promise<ApiError> {
  let code = 'http_error';
  let message = `The gateway answered ${response.status} ${response.statusText}.`.replace(' .', '.');
  let body: { error?: { message?: unknown; code?: unknown } } | undefined;
  try {
    body = (await response.json()) as { error?: { message?: unknown; code?: unknown } };
    if (typeof body.error?.message === 'string') message = body.error.message;
    if (typeof body.error?.code === 'string') code = body.error.code;
  } catch {
    // Not JSON (a proxy in between, or the gateway gone): the status line is all there is.
  }
  return new ApiError(response.status, code, message, body);
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await request(path, init);
  } catch {
    if (init.signal?.aborted) throw new ApiError(0, 'aborted', 'Stopped before the answer came.');
    throw new ApiError(0, 'unreachable', 'Switchboard is not answering. Is it still running?');
  }
  if (!response.ok) {
    const error = await failure(response);
    if (error.status === 401) window.dispatchEvent(new CustomEvent('switchboard:signed-out'));
    throw error;
  }
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await send(path)).json()) as T;
}

export async function getText(path: string): Promise<string> {
  return (await send(path)).text();
}

export async function getBlob(path: string): Promise<Blob> {
  return (await send(path)).blob();
}

/** A write with a JSON body (or none); answers the parsed body, or undefined for 204. */
export async function sendJson<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  /** Stops waiting (the gateway sees the request end, as it would any client's). */
  signal?: AbortSignal,
): Promise<T> {
  const response = await send(path, {
    method,
    signal,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function postText<T>(path: string, text: string, type: string): Promise<T> {
  const response = await send(path, { method: 'POST', body: text, headers: { 'content-type': type } });
  return (await response.json()) as T;
}

/** A query string from the set values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : 'Something went wrong.';
