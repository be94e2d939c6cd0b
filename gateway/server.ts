import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { GatewayError, openAiErrorBody } from './errors.ts';
import { anthropicMessagesFormat, geminiGenerateFormat } from './formats/index.ts';
import { discardBody } from './http/body.ts';
import { cutAtShutdown, REQUEST_ID_HEADER, type Refusal, type RefusalRecorder } from './http/recorded.ts';

/** Start-up failed for a reason the user can fix; the message is the one line to print. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface Listener {
  server: Server;
  port: number;
  /**
   * Stops accepting, answers requests that still arrive (on kept-alive connections) with 503, lets
   * those in flight finish for up to `graceMs`, then cuts what is left.
   */
  close(graceMs: number): Promise<void>;
}

export async function listen(
  app: Koa<never>,
  host: string,
  port: number,
  recordRefusal: RefusalRecorder = () => ({ id: null }),
): Promise<Listener> {
  const handle = app.callback();
  let draining: { retryAfterSeconds: number } | null = null;
  // Answers not yet begun when the drain starts are told to close their connection.
  const open = new Set<ServerResponse>();
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (request, response) => {
    if (draining !== null)
      return refuseWhileDraining(request, response, draining.retryAfterSeconds, recordRefusal);
    open.add(response);
    response.once('close', () => open.delete(response));
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(new StartupError(`Port ${port} is already in use on ${host}; choose another with --port.`));
      else if (error.code === 'EACCES')
        reject(new StartupError(`No permission to listen on ${host}:${port}.`));
      else if (error.code === 'EADDRNOTAVAIL')
        reject(new StartupError(`Cannot listen on ${host}: no such address on this machine.`));
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: async (graceMs) => {
      // By then this gateway is gone: a restarted one may be listening.
      draining = { retryAfterSeconds: Math.max(1, Math.ceil(graceMs / 1000)) };
      for (const response of open) if (!response.headersSent) response.setHeader('connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const response of open) cutAtShutdown.add(response);
        server.closeAllConnections();
      }, graceMs);
      // Connections that finish a request while we wait become idle: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      await closed;
      clearTimeout(timer);
      clearInterval(sweep);
    },
  };
}

/** The 503 in the error shape the path's clients read (CONTRACT §3), as the app's own errors are (`/proxy`: see Refusal). */
function shutdownErrorBody(path: string, error: GatewayError): unknown {
  if (path.startsWith('/anthropic/') || path === '/v1/messages' || path.startsWith('/v1/messages/'))
    return anthropicMessagesFormat.errorBody(error);
  if (path.startsWith('/gemini/')) return geminiGenerateFormat.errorBody(error);
  return openAiErrorBody(error);
}

function refuseWhileDraining(
  request: IncomingMessage,
  response: ServerResponse,
  retryAfterSeconds: number,
  recordRefusal: RefusalRecorder,
): void {
  const retryAfter = String(retryAfterSeconds);
  const error = new GatewayError(
    503,
    'shutting_down',
    `Switchboard is shutting down; retry in ${retryAfter} s, once it has restarted.`,
    { type: 'api_error', headers: { 'retry-after': retryAfter } },
  );
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  let refusal: Refusal = { id: null };
  try {
    refusal = recordRefusal(request, error);
  } catch {
    // Recording must not take the answer down: the 503 goes out without its row.
  }
  const { id } = refusal;
  const text = JSON.stringify(refusal.errorBody?.(error) ?? shutdownErrorBody(path, error));
  response.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'retry-after': retryAfter,
    connection: 'close',
    ...(id === null ? {} : { [REQUEST_ID_HEADER]: id }),
  });
  response.write(text);
  // Ended only once the body is read: closing on unread bytes would reset the connection (see writeError).
  const discarded = discardBody(request);
  if (discarded === undefined) return void response.end();
  void discarded.then((end) => {
    response.end();
    if (end !== 'cut') return;
    if (response.writableFinished) request.socket.destroy();
    else response.once('finish', () => request.socket.destroy());
  });
}
