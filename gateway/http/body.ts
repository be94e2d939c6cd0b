import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.ts';
import type { JsonObject } from '../formats/types.ts';

/**
 * How deeply a request body may nest objects and arrays. Deep enough for any real request (a
 * tool's JSON schema a few dozen levels deep is already rare); shallow enough that every later
 * step that recurses (JSON.stringify, filters, translation) stays far from the stack's end.
 */
export const MAX_JSON_DEPTH = 256;

function tooLarge(limit: number): GatewayError {
  const mb = Math.round((limit / 1024 / 1024) * 100) / 100;
  return new GatewayError(
    413,
    'request_too_large',
    `The request body is larger than the limit of ${mb} MiB.`,
  );
}

/**
 * How much of a body that will not be used is still read, and thrown away, after its answer is
 * decided: the larger of `bytes` and twice the body limit, for at most `ms`. A client that
 * writes its whole body before it reads the answer (node:http, curl, most SDKs) must find the
 * connection still open when it is done writing, or it sees EPIPE/ECONNRESET instead of the
 * answer. A body longer than this, or slower, is cut: past the bound the client is sending more
 * than any real request, and reading it on costs the gateway more than the client's error does.
 */
export const DISCARD_BOUNDS = { bytes: 256 * 1024 * 1024, ms: 30_000 };

/** How a discarded body ended: read to its end (the connection can go on), or cut at the bound. */
export type DiscardEnd = 'read' | 'cut';

const discarding = new WeakMap<IncomingMessage, Promise<DiscardEnd>>();

/**
 * Reads and throws away the rest of a request's body, up to DISCARD_BOUNDS (or twice `limit`),
 * so that the answer sent meanwhile reaches a client still writing. Settles once the body is read
 * to its end, cut at the bound, or the client is gone; undefined when nothing is left to read
 * (the whole body has arrived: Node drops what is buffered). Called twice, it returns the first
 * promise. The response must not end before it settles (see writeError): with `Connection: close`
 * Node closes the socket as soon as the response ends, and unread bytes turn that close into a
 * reset.
 */
export function discardBody(request: IncomingMessage, limit = 0): Promise<DiscardEnd> | undefined {
  const pending = discarding.get(request);
  if (pending !== undefined) return pending;
  if (request.complete || request.destroyed) {
    request.resume();
    return undefined;
  }
  const maxBytes = Math.max(DISCARD_BOUNDS.bytes, 2 * limit);
  const discarded = new Promise<DiscardEnd>((resolve) => {
    let bytes = 0;
    const settle = (end: DiscardEnd) => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      request.off('error', onClose);
      // Left paused: the connection is closed once the answer is out (writeError).
      if (end === 'cut') request.pause();
      resolve(end);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) settle('cut');
    };
    const onEnd = () => settle('read');
    const onClose = () => settle(request.complete ? 'read' : 'cut');
    const timer = setTimeout(() => settle('cut'), DISCARD_BOUNDS.ms);
    timer.unref();
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('close', onClose);
    request.once('error', onClose);
    request.resume();
  });
  discarding.set(request, discarded);
  return discarded;
}

/** The rest of the body is discarded (so that the 413 reaches the client) and the 413 returned to throw. */
function refuse(request: IncomingMessage, limit: number): GatewayError {
  void discardBody(request, limit);
  return tooLarge(limit);
}

/**
 * Reads the whole body, refusing it with 413 as soon as it passes `limit` bytes. The rest of a
 * refused body is still read and discarded (discardBody), so the client can finish writing and
 * read its 413; the request is never destroyed here.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(refuse(request, limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(refuse(request, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    // Closed before its end with no error event (the client left): what a for-await loop reports.
    const onClose = () =>
      onError(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    request.once('close', onClose);
  });
}

/** The body as a JSON object: 413 past `limit`, 400 when it is not a JSON object. */
export async function readJsonObject(request: IncomingMessage, limit: number): Promise<JsonObject> {
  return parseJsonObject(await readBody(request, limit));
}

/**
 * The body as a JSON object: 400 when it is not valid JSON, not an object, or outside the limits
 * of `checkJsonLimits`.
 */
export function parseJsonObject(raw: Buffer): JsonObject {
  checkJsonLimits(raw);
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** A literal shorter than this, with no exponent or a smaller one, stays far below Number.MAX_VALUE (about 1.8e308). */
const SAFE_LITERAL_LENGTH = 300;
const INLINE_SCAN = 24;

/**
 * Refuses (400 `invalid_request`) a JSON text that nests objects and arrays deeper than
 * MAX_JSON_DEPTH, or holds a number literal too large for a double (`1e400`, which JSON.parse
 * turns into Infinity and JSON.stringify later into `null`). Call it on the raw bytes before
 * JSON.parse: parsing millions of nested arrays costs seconds and gigabytes before any check on
 * the parsed value could run. It says nothing about whether the text is valid JSON; JSON.parse
 * does that.
 *
 * One pass over the bytes, no recursion: outside strings it counts brackets and reads number
 * literals; a string's contents are skipped with Buffer#indexOf. Neither `"` nor `\` can occur
 * inside a multi-byte UTF-8 sequence, so a byte scan is exact.
 */
export function checkJsonLimits(raw: Buffer): void {
  const length = raw.length;
  let depth = 0;
  for (let index = 0; index < length; index++) {
    const byte = raw[index]!;
    if (byte === QUOTE) {
      index = closingQuote(raw, index);
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new GatewayError(
          400,
          'invalid_request',
          `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`,
        );
      }
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    } else if (byte === MINUS || (byte >= DIGIT_0 && byte <= DIGIT_9)) {
      const start = index;
      // The exponent's value (capped), -1 before an `e`: only a literal whose digits plus positive
      // exponent reach hundreds can overflow, so the common ones are never converted.
      let exponent = -1;
      let negativeExponent = false;
      let next = raw[index + 1];
      while (
        next !== undefined &&
        ((next >= DIGIT_0 && next <= DIGIT_9) ||
          next === DOT ||
          next === MINUS ||
          next === PLUS ||
          next === LOWER_E ||
          next === UPPER_E)
      ) {
        if (exponent >= 0) {
          if (next >= DIGIT_0 && next <= DIGIT_9) exponent = Math.min(exponent * 10 + next - DIGIT_0, 1e6);
          else if (next === MINUS) negativeExponent = true;
        } else if (next === LOWER_E || next === UPPER_E) exponent = 0;
        index++;
        next = raw[index + 1];
      }
      const digits = index + 1 - start;
      if (digits >= SAFE_LITERAL_LENGTH || (!negativeExponent && exponent + digits >= SAFE_LITERAL_LENGTH)) {
        // NaN (a malformed literal) is left for JSON.parse to refuse as invalid JSON.
        const value = Number(raw.toString('latin1', start, index + 1));
        if (value === Infinity || value === -Infinity) throw notFinite(raw);
      }
    }
  }
}

/** The index of the quote that closes the string opened at `open`, or the text's length when none does. */
function closingQuote(raw: Buffer, open: number): number {
  // Most strings are short (keys, roles): a few bytes in JS beat the cost of a native call.
  const inline = Math.min(open + 1 + INLINE_SCAN, raw.length);
  for (let index = open + 1; index < inline; index++) {
    const byte = raw[index];
    if (byte === QUOTE) return index;
    // The escaped byte is skipped; if it lies just past `inline`, the backslash count below sees it.
    if (byte === BACKSLASH) index++;
  }
  return closingQuoteFrom(raw, inline);
}

function closingQuoteFrom(raw: Buffer, from: number): number {
  let quote = raw.indexOf(QUOTE, from);
  while (quote !== -1) {
    // Escaped when an odd number of backslashes precede it. Each run of backslashes is counted
    // once (by the quote right after it), so this stays linear.
    let backslashes = 0;
    while (raw[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = raw.indexOf(QUOTE, quote + 1);
  }
  return raw.length;
}

/** The 400 for a number too large for a double, naming where it is when the text parses (only on this error path). */
function notFinite(raw: Buffer): GatewayError {
  let param: string | null = null;
  try {
    param = pathOfNonFinite(JSON.parse(raw.toString('utf8')) as unknown);
  } catch {
    // Not valid JSON either: the message alone says what is wrong.
  }
  return new GatewayError(
    400,
    'invalid_request',
    `The request body holds a number too large to represent${param === null ? '' : ` at ${param}`}.`,
    { param },
  );
}

/** Where the first non-finite number in `value` is (`messages[0].max_tokens`), iteratively. */
function pathOfNonFinite(value: unknown): string | null {
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const current = item.value;
    if (typeof current === 'number' && !Number.isFinite(current)) return item.path || null;
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--)
        pending.push({ value: current[index] as unknown, path: `${item.path}[${index}]` });
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index]!;
        pending.push({ value: child, path: item.path === '' ? key : `${item.path}.${key}` });
      }
    }
  }
  return null;
}
