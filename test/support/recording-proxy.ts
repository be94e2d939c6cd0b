import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request an agent CLI made, as the recording proxy saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query as the client sent them, with the base URL's path removed. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | null;
  /** The status the base URL answered with. */
  status: number;
}

/**
 * A proxy on 127.0.0.1 in front of `target` that hands every request through and records it with
 * its answer's status; streams pass through as they come. The agent harnesses point their CLI at it.
 */
export async function startRecordingProxy(target: URL, requests: RecordedRequest[]) {
  const basePath = target.pathname.replace(/\/$/, '');
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const payload = Buffer.concat(chunks);
    let body: Record<string, unknown> | null = null;
    try {
      body = payload.length ? (JSON.parse(payload.toString('utf8')) as Record<string, unknown>) : null;
    } catch {
      // Not JSON: recorded without a body.
    }
    const entry: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      body,
      status: 0,
    };
    requests.push(entry);
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: entry.method,
        path: `${basePath}${entry.path}`,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        outgoing.writeHead(entry.status, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      entry.status = 502;
      outgoing.destroy(error);
    });
    upstream.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
