import { Buffer } from 'node:buffer';

/** One server-sent event as the SSE spec defines it. */
export interface SseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

export interface SseParserOptions {
  /**
   * The most UTF-8 bytes one event may hold: its data, and any one line still waiting for its end.
   * Default 16 MiB.
   */
  maxEventBytes?: number;
}

/**
 * Ample for any real event (the largest are whole answers at the end of a Responses stream and
 * base64 images, a few MiB), while one upstream can no longer make the gateway hold, join and parse
 * an unbounded event (JSON.parse of 16 MiB takes ~100 ms).
 */
export const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

/** An upstream sent an event over the size limit: the stream cannot be read on, it is a 502. */
export class SseEventTooLargeError extends Error {
  override readonly name = 'SseEventTooLargeError';

  constructor(readonly limitBytes: number) {
    const mib = Number((limitBytes / (1024 * 1024)).toPrecision(3));
    super(`The upstream sent a server-sent event larger than the ${mib} MiB limit.`);
  }
}

/**
 * An incremental SSE parser: feed it text as it arrives (in pieces split anywhere, even inside
 * a line or between `\r` and `\n`) and it calls `onEvent` once per complete event, in order.
 *
 * Linear in its input: each piece is scanned once, and a line that spans pieces is kept as a list
 * of its parts, joined once when its end arrives. An event or an unfinished line over
 * `maxEventBytes` makes `push` throw `SseEventTooLargeError`; the parser then stays stopped.
 */
export class SseParser {
  /** The parts of the line whose end has not arrived yet. */
  private partial: string[] = [];
  private partialBytes = 0;
  /** The line in `partial` ended with a `\r` at the very end of a piece: a `\n` may follow. */
  private endedWithCr = false;
  private data: string[] = [];
  private dataBytes = 0;
  private event: string | undefined;
  private id: string | undefined;
  private failure: SseEventTooLargeError | undefined;
  private readonly maxEventBytes: number;
  /** Finds line ends from `lastIndex` on: one native scan of each piece. */
  private readonly lineEnd = /[\r\n]/g;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    options: SseParserOptions = {},
  ) {
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  push(text: string): void {
    if (this.failure) throw this.failure;
    if (text === '') return;
    let start = 0;
    if (this.endedWithCr) {
      this.endedWithCr = false;
      this.line(this.takePartial(''));
      if (text.charCodeAt(0) === 10) start = 1;
    }
    const length = text.length;
    const lineEnd = this.lineEnd;
    lineEnd.lastIndex = start;
    for (let match = lineEnd.exec(text); match; match = lineEnd.exec(text)) {
      const end = match.index;
      const isCr = text.charCodeAt(end) === 13;
      // A `\r` at the very end may be the first half of `\r\n`: the line waits for the next piece.
      if (isCr && end === length - 1) {
        this.keep(text, start, end);
        this.endedWithCr = true;
        return;
      }
      this.line(this.takePartial(text.slice(start, end)));
      start = end + 1;
      if (isCr && text.charCodeAt(start) === 10) start++;
      lineEnd.lastIndex = start;
    }
    this.keep(text, start, length);
  }

  /** The stream ended: a last event without its blank line is still delivered. */
  end(): void {
    if (this.failure) return;
    // Includes a line held for a last `\r` (an empty one would only dispatch, as below).
    if (this.partial.length > 0) this.line(this.takePartial(''));
    this.endedWithCr = false;
    this.dispatch();
  }

  /** Keeps `text[start, end)` as part of a line still waiting for its end. */
  private keep(text: string, start: number, end: number): void {
    if (start === end) return;
    const part = start === 0 && end === text.length ? text : text.slice(start, end);
    this.partialBytes += Buffer.byteLength(part, 'utf8');
    this.partial.push(part);
    if (this.partialBytes > this.maxEventBytes) this.fail();
  }

  /** The whole line waiting in `partial`, ended by `last`. */
  private takePartial(last: string): string {
    if (this.partial.length === 0) return last;
    this.partial.push(last);
    const line = this.partial.join('');
    this.partial = [];
    this.partialBytes = 0;
    return line;
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      // Joined with a newline to the line before.
      this.dataBytes += Buffer.byteLength(value, 'utf8') + (this.data.length > 0 ? 1 : 0);
      if (this.dataBytes > this.maxEventBytes) this.fail();
      this.data.push(value);
    } else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }

  private dispatch(): void {
    if (this.data.length > 0) {
      this.onEvent({ event: this.event, data: this.data.join('\n'), id: this.id });
    }
    this.data = [];
    this.dataBytes = 0;
    this.event = undefined;
  }

  private fail(): never {
    this.failure = new SseEventTooLargeError(this.maxEventBytes);
    this.partial = [];
    this.partialBytes = 0;
    this.data = [];
    this.dataBytes = 0;
    throw this.failure;
  }
}

/** One SSE event on the wire; `data` may hold newlines, each becomes its own `data:` line. */
export function formatSse(data: string, event?: string): string {
  const body = data.includes('\n') ? data.split('\n').join('\ndata: ') : data;
  return event === undefined ? `data: ${body}\n\n` : `event: ${event}\ndata: ${body}\n\n`;
}
