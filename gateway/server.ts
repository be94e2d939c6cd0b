import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

/** Start-up failed for a reason the user can fix; the message is the one line to print. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export async function listen(
  app: Koa<never>,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, app.callback());
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
  return { server, port: (server.address() as AddressInfo).port };
}

/** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left. */
export async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  // Connections that finish a request while we wait become idle: close them as they do.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  await closed;
  clearTimeout(timer);
  clearInterval(sweep);
}
