import { encodeHubPart, type HubStreamRedactor } from '../formats/openai-chat/index.ts';
import type {
  ChatStream,
  HubPart,
  InboundDirection,
  InboundStreamContext,
  StreamContext,
  StreamEvent,
  StreamRedactor,
  Usage,
} from '../formats/types.ts';
import { SSE_FRAMING, type Framing } from './framing.ts';
import type { StreamReader } from './relay.ts';

/** Writes hub parts in the client's format, as SSE text. */
export interface PartEncoder {
  next(part: HubPart): string;
  /** The upstream ended: what is still owed, given the usage and whether the answer was whole. */
  end(usage: Usage, complete: boolean): string;
}

/** The hub's own clients: parts go out as OpenAI chunks, nothing owed at the end. */
export const HUB_ENCODER: PartEncoder = { next: encodeHubPart, end: () => '' };

/** A client of another format: its inbound direction's stream encoder, one state per stream. */
export function inboundEncoder(
  direction: InboundDirection,
  context: InboundStreamContext,
  framing: Framing,
  /** Sees the closing events (the final answer, where the format sends it whole). */
  onEnd?: (events: readonly StreamEvent[]) => void,
): PartEncoder {
  const state = direction.stream.init(context);
  return {
    next: (part) => framing.frame(direction.stream.next(state, part)),
    end(usage, complete) {
      const events = direction.stream.end(state, usage, complete);
      if (complete) onEnd?.(events);
      return framing.frame(events) + (complete ? framing.close() : '');
    },
  };
}

/**
 * A vendor's stream translated to the client's: the format's reducer turns each event into hub
 * parts, the redactor (if any filter redacts answers) rewrites them once, `encode` writes them in
 * the client's format.
 */
export function hubStreamReader<State>(
  reducer: ChatStream<State>,
  context: StreamContext,
  redactor: HubStreamRedactor | null,
  encoder: PartEncoder,
): StreamReader {
  const state = reducer.init(context);
  const encode = (parts: HubPart[]) =>
    parts.length === 1 ? encoder.next(parts[0] as HubPart) : parts.map(encoder.next).join('');
  const write = (parts: HubPart[]) =>
    parts.length === 0 ? '' : encode(redactor ? redactor.next(parts) : parts);
  return {
    passBytes: false,
    event: (event) => write(reducer.next(state, event)),
    end() {
      const tail = reducer.end(state);
      const text =
        write(tail.parts) +
        (redactor ? encode(redactor.end()) : '') +
        encoder.end(reducer.usage(state), tail.complete);
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
  /** Re-frames the events for the client (Gemini's JSON array); null: the bytes go on as SSE. */
  framing: Framing | null = null,
): StreamReader {
  const state = reducer.init(context);
  const out = framing ?? SSE_FRAMING;
  return {
    passBytes: redactor === null && framing === null,
    event(event) {
      reducer.next(state, event);
      if (redactor) return out.frame(redactor.next(event));
      return framing ? framing.frame([{ event: event.event, data: event.data }]) : '';
    },
    end() {
      const complete = reducer.end(state).complete || !chat;
      const rest = redactor ? out.frame(redactor.end()) : '';
      return { text: rest + (complete ? out.close() : ''), complete };
    },
    usage: () => reducer.usage(state),
    upstreamModel: () => reducer.upstreamModel(state),
    errorCode: () => reducer.errorCode(state),
  };
}
