import type { StreamEvent } from '../formats/types.ts';
import { formatSse } from '../protocol/sse.ts';

/**
 * How a stream's events are written for the client: SSE (every format's usual form), or the JSON
 * array Google streams when a client does not ask for `alt=sse` (`[{…}\r\n,{…}\r\n]`). One
 * framing belongs to one stream.
 */
export interface Framing {
  contentType: string;
  /** Events as text for the client. */
  frame(events: readonly StreamEvent[]): string;
  /** What ends the stream after its last event. */
  close(): string;
}

export const SSE_FRAMING: Framing = {
  contentType: 'text/event-stream; charset=utf-8',
  frame(events) {
    let text = '';
    for (const { data, event } of events) text += formatSse(data, event);
    return text;
  },
  close: () => '',
};

/** Google's JSON-array stream: each event's data an element, the array closed at the end. */
export function jsonArrayFraming(): Framing {
  let opened = false;
  return {
    contentType: 'application/json; charset=utf-8',
    frame(events) {
      let text = '';
      for (const { data } of events) {
        text += `${opened ? ',\r\n' : '['}${data}`;
        opened = true;
      }
      return text;
    },
    close: () => (opened ? '\r\n]' : '[]'),
  };
}
