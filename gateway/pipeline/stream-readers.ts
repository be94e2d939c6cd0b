import type { ChatStream, HubPart, StreamContext, StreamRedactor } from '../formats/types.ts';
import { formatSse } from '../protocol/sse.ts';
import type { StreamReader } from './relay.ts';

/** Redacts hub parts as they pass, holding text only as long as a pattern may need it. */
export interface HubRedactor {
  next(parts: HubPart[]): HubPart[];
  end(): HubPart[];
}

/**
 * A vendor's stream translated to the client's: the format's reducer turns each event into hub
 * parts, the redactor (if any filter redacts answers) rewrites them once, `encode` writes them in
 * the client's format.
 */
export function hubStreamReader<State>(
  reducer: ChatStream<State>,
  context: StreamContext,
  redactor: HubRedactor | null,
  encode: (part: HubPart) => string,
): StreamReader {
  const state = reducer.init(context);
  const write = (parts: HubPart[]) => {
    if (parts.length === 0) return '';
    const out = redactor ? redactor.next(parts) : parts;
    return out.length === 1 ? encode(out[0] as HubPart) : out.map(encode).join('');
  };
  return {
    passBytes: false,
    event: (event) => write(reducer.next(state, event)),
    end() {
      const tail = reducer.end(state);
      const text = write(tail.parts) + (redactor ? redactor.end().map(encode).join('') : '');
      return { text, complete: tail.complete };
    },
    usage: () => reducer.usage(state),
    upstreamModel: () => reducer.upstreamModel(state),
    errorCode: () => reducer.errorCode(state),
  };
}

/**
 * A vendor's stream passed through in its own format: the reducer only reads it for usage. Without
 * a redactor the bytes go on as they came; with one, each event is re-emitted as it passes.
 * `chat`: the path is a chat call, the only kind whose stream the reducer can tell is incomplete;
 * another stream (Responses, say) that ended cleanly is whole.
 */
export function nativeStreamReader<State>(
  reducer: ChatStream<State>,
  context: StreamContext,
  redactor: StreamRedactor | null,
  chat: boolean,
): StreamReader {
  const state = reducer.init(context);
  const encode = (items: { event: string | undefined; data: string }[]) =>
    items.map((item) => formatSse(item.data, item.event)).join('');
  return {
    passBytes: redactor === null,
    event(event) {
      reducer.next(state, event);
      return redactor ? encode(redactor.next(event)) : '';
    },
    end() {
      const complete = reducer.end(state).complete || !chat;
      return { text: redactor ? encode(redactor.end()) : '', complete };
    },
    usage: () => reducer.usage(state),
    upstreamModel: () => reducer.upstreamModel(state),
    errorCode: () => reducer.errorCode(state),
  };
}
