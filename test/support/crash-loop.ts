import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `kill -9` in a loop while clients keep the gateway busy, then the accounting is checked: every
 * answer a client received whole has its row, the database is intact, and the budget ledger
 * agrees with the request log to the last fraction of a cent. Used by `npm test` (a few rounds)
 * and `npm run crashtest` (many).
 */

const BIN = fileURLToPath(new URL('../../bin/switchboard.mjs', import.meta.url));
const APP_KEY = 'sbk_crash_0123456789abcdef0123';
const READY = /Switchboard listening on http:\/\/127\.0\.0\.1:(\d+)/;

export interface CrashLoopOptions {
  rounds: number;
  clients: number;
  /** How long the clients run before the kill, at random within this range. */
  killAfterMs: [number, number];
  log?: (line: string) => void;
}

export interface CrashLoopResult {
  rounds: number;
  /** Answers the clients received whole (status line to the last byte). */
  received: number;
  /** Of those, how many have no row. */
  lostRows: number;
  rows: number;
  integrity: string;
  ledgerUsd: number;
  loggedUsd: number;
  reservedUsd: number;
}

/** A fake OpenAI upstream with a price override: every request costs something, some stream. */
async function startUpstream(): Promise<{ server: Server; url: string }> {
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      let stream = false;
      try {
        stream = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean }).stream === true;
      } catch {
        // Not JSON: answered as not streamed.
      }
      const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
      const delay = 1 + Math.floor(Math.random() * 15);
      setTimeout(() => {
        if (response.destroyed) return;
        if (!stream) {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              id: 'chatcmpl-crash',
              object: 'chat.completion',
              created: 1,
              model: 'crash-model',
              choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
              usage,
            }),
          );
          return;
        }
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'crash-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        response.write(chunk({ role: 'assistant', content: 'o' }, null));
        setTimeout(() => {
          if (response.destroyed) return;
          response.write(chunk({ content: 'k' }, 'stop'));
          response.write(
            `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'crash-model', choices: [], usage })}\n\n`,
          );
          response.end('data: [DONE]\n\n');
        }, delay);
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

function serve(dataDir: string, config: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--config', config],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SWITCHBOARD_ADMIN_TOKEN: 'crash-admin-token-0123456789' },
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in 30 s:\n${out}\n${err}`));
    }, 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = READY.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before it was ready:\n${out}\n${err}`));
    });
  });
}

/** One request; resolves with its row id when the whole answer arrived, null when it was cut. */
function call(port: number, agent: Agent, stream: boolean): Promise<string | null> {
  return new Promise((resolve) => {
    const body = JSON.stringify({
      model: 'crash-model',
      stream,
      messages: [{ role: 'user', content: 'Say ok.' }],
    });
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path: '/openai/up/v1/chat/completions',
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${APP_KEY}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response: IncomingMessage) => {
        const id = response.headers['x-switchboard-request-id'];
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (piece: string) => (text += piece));
        response.on('end', () => {
          // Whole: the status was 200 and the body is what a complete answer ends with.
          const whole =
            response.statusCode === 200 && (stream ? text.includes('data: [DONE]') : text.endsWith('}'));
          resolve(whole && typeof id === 'string' ? id : null);
        });
        response.on('error', () => resolve(null));
        response.on('aborted', () => resolve(null));
      },
    );
    outgoing.on('error', () => resolve(null));
    outgoing.end(body);
  });
}

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const log = options.log ?? (() => undefined);
  const upstream = await startUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
  const dataDir = join(dir, 'data');
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      routes: [
        {
          id: 'up',
          vendor: 'openai-compatible',
          baseUrl: upstream.url,
          apiKey: 'sk-crash-upstream-key-0123456789',
          budget: { usd: 100000, period: 'month' },
        },
      ],
      apps: [{ name: 'crash', key: APP_KEY, budget: { usd: 100000, period: 'month' } }],
      // Above the library's prices so that every request's cost is known and visible in the ledger.
      prices: [{ model: 'crash-model', inputPerMTok: 1000, outputPerMTok: 2000 }],
    }),
  );
  const received: string[] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      const { child, port } = await serve(dataDir, config);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
      let running = true;
      const clients = Array.from({ length: options.clients }, async (_, index) => {
        let turn = index;
        while (running) {
          const id = await call(port, agent, turn++ % 2 === 0);
          if (id !== null) received.push(id);
          else if (!running) break;
        }
      });
      const [low, high] = options.killAfterMs;
      await new Promise((resolve) => setTimeout(resolve, low + Math.random() * (high - low)));
      child.kill('SIGKILL');
      await exited;
      running = false;
      await Promise.all(clients);
      agent.destroy();
      log(`round ${round + 1}: ${received.length} whole answers so far`);
    }
    // A clean start (which sweeps what the crashes left reserved) and a clean stop.
    const { child } = await serve(dataDir, config);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;

    const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true });
    try {
      const integrity = String(db.pragma('integrity_check', { simple: true }));
      const has = db.prepare<[string], { id: string }>('SELECT id FROM requests WHERE id = ?');
      const lostRows = received.filter((id) => has.get(id) === undefined).length;
      const rows = (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
      const ledger = db
        .prepare(
          "SELECT SUM(spent_usd) AS spent, SUM(reserved_usd) AS reserved FROM budget_usage WHERE scope = 'app'",
        )
        .get() as { spent: number | null; reserved: number | null };
      const logged = db.prepare("SELECT SUM(cost_usd) AS total FROM requests WHERE app = 'crash'").get() as {
        total: number | null;
      };
      return {
        rounds: options.rounds,
        received: received.length,
        lostRows,
        rows,
        integrity,
        ledgerUsd: ledger.spent ?? 0,
        loggedUsd: logged.total ?? 0,
        reservedUsd: ledger.reserved ?? 0,
      };
    } finally {
      db.close();
    }
  } finally {
    upstream.server.closeAllConnections();
    upstream.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
