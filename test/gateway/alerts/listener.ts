import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One POST the listener received. */
export interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * What the listener does with each request, in order (the last one repeats): answer a status,
 * hang without answering, or redirect elsewhere.
 */
export type Behaviour = { status: number } | { hang: true } | { redirect: string };

export interface AlertListener {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The POSTs it answered with a 2xx: what was delivered. */
  received: Received[];
  /** Every POST, whatever the answer (a hanging one's too): each attempt, retries included. */
  posted: Received[];
  /** Requests seen, hanging ones included. */
  hits: number;
  behave(...behaviours: Behaviour[]): void;
  /** Resolves once `count` bodies were received. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A local HTTP receiver on port 0 standing in for a chat's incoming webhook. */
export async function startAlertListener(): Promise<AlertListener> {
  let plan: Behaviour[] = [{ status: 204 }];
  const sockets = new Set<Socket>();
  const listener: AlertListener = {
    origin: '',
    received: [],
    posted: [],
    hits: 0,
    behave: (...behaviours) => {
      plan = behaviours;
    },
    waitFor: async (count, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (listener.received.length < count) {
        if (Date.now() > deadline) throw new Error(`received ${listener.received.length} of ${count} alerts`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return listener.received;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const answer = (response: ServerResponse, behaviour: Behaviour) => {
    if ('hang' in behaviour) return;
    if ('redirect' in behaviour) response.writeHead(307, { location: behaviour.redirect }).end();
    else response.writeHead(behaviour.status).end();
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const behaviour = plan.length > 1 ? plan.shift()! : plan[0]!;
      listener.hits++;
      const received: Received = {
        url: request.url ?? '',
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      };
      listener.posted.push(received);
      if (!('hang' in behaviour) && !('redirect' in behaviour) && behaviour.status < 300) {
        listener.received.push(received);
      }
      answer(response, behaviour);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  listener.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return listener;
}
