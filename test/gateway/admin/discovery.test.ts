import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookAtPorts, offersFor, type FoundServer } from '../../../gateway/admin/discovery.ts';

// Local servers as the ports of this machine answer them: the well-behaved ones are found with their
// models, the hostile ones cost the look no more than its deadline and a few kilobytes.

interface Fake {
  port: number;
  seen: IncomingMessage['headers'][];
  close(): Promise<void>;
}

async function fake(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<Fake> {
  const seen: IncomingMessage['headers'][] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request.headers);
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const modelList = (ids: string[], owner = 'organization_owner') => ({
  object: 'list',
  data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: owner })),
});

const servers: Record<string, Fake> = {};
/** A port that was free a moment ago: nothing listens there. */
let closedPort = 0;

beforeAll(async () => {
  const entries = await Promise.all([
    fake((request, response) => {
      if (request.url === '/') return void response.end('Ollama is running');
      if (request.url === '/v1/models')
        return json(response, 200, modelList(['llama3.2:latest', 'qwen3:8b'], 'library'));
      json(response, 404, { error: 'not found' });
    }).then((server) => ['ollama', server] as const),
    // An Ollama old enough to have no OpenAI-compatible list: its own names its models.
    fake((request, response) => {
      if (request.url === '/') return void response.end('Ollama is running');
      if (request.url === '/api/tags') return json(response, 200, { models: [{ name: 'mistral:7b' }] });
      json(response, 404, { error: 'not found' });
    }).then((server) => ['oldOllama', server] as const),
    fake((request, response) => {
      if (request.url === '/v1/models')
        return json(response, 200, modelList(['qwen2.5-7b-instruct', 'qwen2.5-7b-instruct', ' ']));
      json(response, 200, { error: 'Unexpected endpoint or method. (GET /)' });
    }).then((server) => ['compatible', server] as const),
    fake((request, response) => {
      if (request.url === '/v1/models')
        return json(response, 200, modelList(['meta-llama/Llama-3.1-8B'], 'vllm'));
      json(response, 404, { detail: 'Not Found' });
    }).then((server) => ['vllm', server] as const),
    // Accepts the connection and never answers.
    fake(() => {}).then((server) => ['hangs', server] as const),
    fake((_request, response) => {
      response.writeHead(302, { location: 'http://example.com/v1/models' });
      response.end();
    }).then((server) => ['redirects', server] as const),
    // Sends megabytes that look like the start of a model list, as fast as the socket takes them.
    fake((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":[');
      const chunk = `${'{"id":"x"},'.repeat(10_000)}`;
      let sent = 0;
      const more = () => {
        while (sent < 200 && response.write(chunk)) sent++;
        if (sent < 200) response.once('drain', more);
        else response.end('{"id":"y"}]}');
      };
      more();
    }).then((server) => ['huge', server] as const),
    // A body that drips a byte at a time, forever.
    fake((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
    }).then((server) => ['drips', server] as const),
    fake((_request, response) => json(response, 401, { error: 'Invalid API key' })).then(
      (server) => ['needsKey', server] as const,
    ),
    fake((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>a web app</html>');
    }).then((server) => ['webApp', server] as const),
  ]);
  for (const [name, server] of entries) servers[name] = server;
  // Something that is not HTTP at all, such as a database: it greets every connection in its own way.
  const tcp = createTcpServer((socket) => socket.resume().end('-ERR unknown command\r\n'));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  servers['notHttp'] = {
    port: (tcp.address() as AddressInfo).port,
    seen: [],
    close: () => new Promise<void>((resolve) => tcp.close(() => resolve())),
  };
  const spare = await fake(() => {});
  closedPort = spare.port;
  await spare.close();
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

const port = (name: string) => servers[name]!.port;

describe('looking at local ports', () => {
  it('finds Ollama and an OpenAI-compatible server with their models, telling them apart', async () => {
    const looks = await lookAtPorts([port('ollama'), port('oldOllama'), port('compatible'), port('vllm')]);
    expect(looks).toEqual([
      {
        port: port('ollama'),
        found: { port: port('ollama'), kind: 'ollama', models: ['llama3.2:latest', 'qwen3:8b'] },
      },
      { port: port('oldOllama'), found: { port: port('oldOllama'), kind: 'ollama', models: ['mistral:7b'] } },
      {
        port: port('compatible'),
        found: { port: port('compatible'), kind: 'openai-compatible', models: ['qwen2.5-7b-instruct'] },
      },
      {
        port: port('vllm'),
        found: { port: port('vllm'), kind: 'vllm', models: ['meta-llama/Llama-3.1-8B'] },
      },
    ]);
  });

  it('sends no key and follows no redirect', async () => {
    const redirects = servers['redirects']!;
    const before = redirects.seen.length;
    expect(await lookAtPorts([redirects.port, port('ollama')])).toContainEqual({
      port: redirects.port,
      miss: 'redirect',
    });
    // The root and the model list, nothing at the redirect's target.
    expect(redirects.seen.length - before).toBe(2);
    for (const headers of [...redirects.seen, ...servers['ollama']!.seen]) {
      expect(headers['authorization']).toBeUndefined();
      expect(headers['x-api-key']).toBeUndefined();
    }
  });

  it('says why nothing was offered on each other port, within the deadline', async () => {
    const started = performance.now();
    const looks = await lookAtPorts([
      port('hangs'),
      port('huge'),
      port('drips'),
      port('needsKey'),
      port('webApp'),
      port('notHttp'),
      closedPort,
    ]);
    const elapsed = performance.now() - started;
    expect(looks).toEqual([
      { port: port('hangs'), miss: 'timeout' },
      { port: port('huge'), miss: 'too-large' },
      { port: port('drips'), miss: 'timeout' },
      { port: port('needsKey'), miss: 'needs-key' },
      { port: port('webApp'), miss: 'not-compatible' },
      { port: port('notHttp'), miss: 'not-compatible' },
      { port: closedPort, miss: 'nothing' },
    ]);
    expect(elapsed).toBeLessThan(1500);
  });

  it('looks at a port named twice once', async () => {
    const looks = await lookAtPorts([port('compatible'), port('compatible')]);
    expect(looks).toHaveLength(1);
  });
});

describe('offers', () => {
  const ollama: FoundServer = { port: 11434, kind: 'ollama', models: ['llama3.2:latest', 'qwen3:8b'] };
  const studio: FoundServer = { port: 1234, kind: 'lm-studio', models: [] };
  const other: FoundServer = { port: 9000, kind: 'openai-compatible', models: ['m'] };

  it('offers each server found as a route draft: Ollama as ollama, the others as openai-compatible', () => {
    expect(offersFor([ollama, studio, other], [])).toEqual([
      {
        port: 11434,
        kind: 'ollama',
        name: 'Ollama',
        baseUrl: 'http://127.0.0.1:11434/v1',
        models: ['llama3.2:latest', 'qwen3:8b'],
        configuredAs: [],
        route: {
          id: 'ollama',
          vendor: 'ollama',
          baseUrl: 'http://127.0.0.1:11434/v1',
          defaultModel: 'llama3.2:latest',
        },
      },
      {
        port: 1234,
        kind: 'lm-studio',
        name: 'LM Studio',
        baseUrl: 'http://127.0.0.1:1234/v1',
        models: [],
        configuredAs: [],
        route: {
          id: 'lm-studio',
          vendor: 'openai-compatible',
          baseUrl: 'http://127.0.0.1:1234/v1',
        },
      },
      {
        port: 9000,
        kind: 'openai-compatible',
        name: 'OpenAI-compatible server',
        baseUrl: 'http://127.0.0.1:9000/v1',
        models: ['m'],
        configuredAs: [],
        route: {
          id: 'local-9000',
          vendor: 'openai-compatible',
          baseUrl: 'http://127.0.0.1:9000/v1',
          defaultModel: 'm',
        },
      },
    ]);
  });

  it('shows a server some route already points at as that route, whatever the loopback name', () => {
    const [offer] = offersFor(
      [ollama],
      [
        { id: 'my-ollama', baseUrl: 'http://localhost:11434/v1' },
        { id: 'remote', baseUrl: 'https://ollama.example.com:11434/v1' },
      ],
    );
    expect(offer).toMatchObject({ configuredAs: ['my-ollama'], route: null });
  });

  it('suggests ids that clash with no route and no other offer', () => {
    const second: FoundServer = { port: 11500, kind: 'ollama', models: [] };
    const offers = offersFor(
      [ollama, second],
      [
        { id: 'ollama', baseUrl: 'https://api.openai.com/v1' },
        { id: 'ollama-11434', baseUrl: 'https://api.openai.com/v1' },
      ],
    );
    expect(offers.map((offer) => offer.route?.id)).toEqual(['ollama-11434-2', 'ollama-11500']);
  });
});
