/** One server-sent event as the SSE spec defines it. */
export interface SseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

/**
 * An incremental SSE parser: feed it text as it arrives (in pieces split anywhere, even inside
 * a line or between `\r` and `\n`) and it calls `onEvent` once per complete event, in order.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(text: string): void {
    this.buffer += text;
    let start = 0;
    const buffer = this.buffer;
    const length = buffer.length;
    for (let index = 0; index < length; index++) {
      const char = buffer.charCodeAt(index);
      if (char !== 10 && char !== 13) continue;
      // A `\r` at the very end may be the first half of `\r\n`: wait for the next piece.
      if (char === 13 && index === length - 1) break;
      this.line(buffer.slice(start, index));
      if (char === 13 && buffer.charCodeAt(index + 1) === 10) index++;
      start = index + 1;
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
  }

  /** The stream ended: a last event without its blank line is still delivered. */
  end(): void {
    if (this.buffer !== '') {
      this.line(this.buffer.endsWith('\r') ? this.buffer.slice(0, -1) : this.buffer);
      this.buffer = '';
    }
    this.dispatch();
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }

  private dispatch(): void {
    if (this.data.length > 0) {
      this.onEvent({ event: this.event, data: this.data.join('\n'), id: this.id });
    }
    this.data = [];
    this.event = undefined;
  }
}

/** One SSE event on the wire; `data` may hold newlines, each becomes its own `data:` line. */
export function formatSse(data: string, event?: string): string {
  const body = data.includes('\n') ? data.split('\n').join('\ndata: ') : data;
  return event === undefined ? `data: ${body}\n\n` : `event: ${event}\ndata: ${body}\n\n`;
}
