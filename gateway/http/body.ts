import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.ts';
import type { JsonObject } from '../vendors/types.ts';

function tooLarge(limit: number): GatewayError {
  const mb = Math.round((limit / 1024 / 1024) * 100) / 100;
  return new GatewayError(
    413,
    'request_too_large',
    `The request body is larger than the limit of ${mb} MiB.`,
  );
}

/** Reads the whole body, refusing it with 413 as soon as it passes `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** The body as a JSON object: 413 past `limit`, 400 when it is not a JSON object. */
export async function readJsonObject(request: IncomingMessage, limit: number): Promise<JsonObject> {
  return parseJsonObject(await readBody(request, limit));
}

export function parseJsonObject(raw: Buffer): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}
