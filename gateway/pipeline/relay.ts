import type { Context } from 'koa';
import { GatewayError } from '../errors.ts';
import { upstreamFailure, type UpstreamResponse } from '../forward.ts';
import type { Usage, WireFormat } from '../formats/types.ts';
import { errorMessageOf } from '../http/recorded.ts';
import { CompleteEvents } from '../protocol/complete-events.ts';
import { SseParser, type SseEvent } from '../protocol/sse.ts';
import { SSE_FRAMING, type Framing } from './framing.ts';
import { appendLoggedBody, endUpstream, type RecordDraft } from '../recorder.ts';
import { KeyScrubber, scrubKeyBytes } from '../scrub.ts';
import { streamProblem } from './upstream.ts';

/**
 * What the relay needs from whoever understands the stream: a reader of the upstream's events.
 * With `passBytes` the upstream's bytes go to the client as they came (in whole events) and
 * `event` only reads them; without it, what `event` returns is sent in their place.
 */
export interface StreamReader {
  passBytes: boolean;
  /** One upstream event: the SSE text to send for it (ignored with `passBytes`). */
  event(event: SseEvent): string;
  /** The upstream closed: the text still owed, and whether the answer was complete. */
  end(): { text: string; complete: boolean };
  usage(): Usage;
  upstreamModel(): string | null;
  /** Set once the vendor reported an error inside the stream. */
  errorCode(): string | null;
}

export interface RelayOptions {
  /** The wire format the client reads: where its last event begins, and how an error is said in it. */
  clientFormat: WireFormat;
  /** The status the stream goes out with (the upstream's own on `/proxy`). */
  status: number;
  /** The route's key: never relayed to the client, even if the upstream echoes it. */
  key: string | null;
  /** The largest single event accepted from the upstream. */
  maxEventBytes: number;
  /** How the client's events are framed (SSE unless it asked for Gemini's JSON array). */
  framing?: Framing;
}

/** The headers of a stream the gateway writes itself. */
export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/**
 * Relays an upstream SSE stream to the client event by event, without buffering, the route's key
 * scrubbed. Whole events only: a stream cut inside an event ends with an error event in the
 * client's format, never half an event. The last event (the client's sign that its answer is
 * over) and the end of the response wait until the request's row is written. Resolves when the
 * stream is over — complete, failed, or cut by either side — with the draft updated.
 * Headers set on `ctx` beforehand go out with the first event.
 */
export function relayStream(
  ctx: Context,
  upstream: UpstreamResponse,
  reader: StreamReader,
  draft: RecordDraft,
  options: RelayOptions,
): Promise<void> {
  const { clientFormat } = options;
  const response = ctx.res;
  const body = upstream.body;
  ctx.respond = false;
  // No flushHeaders(): the headers leave with the first event, in one write instead of two.
  response.writeHead(options.status);
  draft.stream = true;
  const decoder = new TextDecoder();
  const scrubber = new KeyScrubber(options.key);
  const events = reader.passBytes ? new CompleteEvents() : null;
  // From the last event on, everything waits for the row.
  let held: string[] | null = null;
  const emit = (text: string) => {
    if (text === '') return;
    if (draft.firstByteAt === null) draft.firstByteAt = performance.now();
    appendLoggedBody(draft, text);
    if (!response.write(text)) body.pause();
  };
  const send = (text: string) => {
    if (text === '') return;
    if (held !== null) return void held.push(text);
    const last = clientFormat.terminalEventStart(text);
    if (last === -1) return emit(text);
    emit(text.slice(0, last));
    held = [text.slice(last)];
  };
  response.on('drain', () => body.resume());
  const parser = new SseParser(
    (event) => {
      const text = reader.event(event);
      // The vendor's own words for an error inside the stream, for the request log.
      if (draft.errorMessage === null && reader.errorCode() !== null)
        draft.errorMessage = errorMessageOf(event.data);
      if (events === null) send(scrubber.push(text));
    },
    { maxEventBytes: options.maxEventBytes },
  );

  return new Promise<void>((resolve) => {
    let failure: GatewayError | null = null;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      endUpstream(draft);
      try {
        parser.end();
      } catch (error) {
        failure ??= new GatewayError(502, 'upstream_error', streamProblem(error));
      }
      draft.usage = reader.usage();
      draft.upstreamModel = reader.upstreamModel();
      draft.status = options.status;
      if (response.destroyed) {
        draft.partial = true;
        draft.errorCode ??= 'client_closed';
        return resolve();
      }
      const tail = reader.end();
      const cut = failure !== null || !tail.complete;
      // A last event without its blank line goes on when the stream ended well; half of one never does.
      if (events !== null && !cut) send(scrubber.push(events.rest()));
      send(scrubber.push(tail.text));
      send(scrubber.end());
      const reported = reader.errorCode();
      const framing = options.framing ?? SSE_FRAMING;
      if (cut && failure === null && reported !== null) {
        // The vendor's own error event already went out: no second one.
        draft.partial = true;
        draft.errorCode = reported;
        emit(framing.close());
      } else if (cut) {
        const error =
          failure ??
          new GatewayError(
            502,
            'upstream_error',
            'The upstream stream ended before the answer was complete.',
          );
        // The client learns at once, in its own format's words, before any held last event.
        const data = JSON.stringify(clientFormat.errorBody(error));
        emit(framing.frame([{ event: clientFormat.errorEvent, data }]) + framing.close());
        draft.partial = true;
        draft.errorCode = error.code;
        draft.errorMessage = error.message;
      } else if (options.status < 400) {
        draft.errorCode = reported;
      }
      void draft.commit().then(() => {
        if (held !== null) for (const text of held) emit(text);
        response.end();
        resolve();
      });
    };
    // undici's body ignores setEncoding: decoded here, a character split across chunks kept whole.
    body.on('data', (chunk: Buffer) => {
      if (finished) return;
      const text = decoder.decode(chunk, { stream: true });
      if (events !== null) send(scrubber.push(events.push(text)));
      try {
        parser.push(text);
      } catch (error) {
        // An event over the cap, or one no reader could read: the stream ends here, with an error event.
        failure =
          error instanceof GatewayError
            ? error
            : new GatewayError(502, 'upstream_error', streamProblem(error));
        body.destroy();
        finish();
      }
    });
    body.once('end', finish);
    body.once('error', (error) => {
      failure ??= upstreamFailure(error);
      finish();
    });
    // Destroyed without an error or an end (the client left and the call was aborted).
    body.once('close', finish);
    // A body primed for its first byte (primeBody) waits paused for its reader.
    body.resume();
  });
}

/**
 * A body that is not text (audio, images, files), streamed through: the route's key is replaced
 * wherever its bytes occur (the last key-length bytes of each piece wait for the next), and the
 * response ends only once the row is written. A cut upstream cuts the client too: bytes have no
 * error event.
 */
export function relayBytes(
  ctx: Context,
  upstream: UpstreamResponse,
  draft: RecordDraft,
  key: string | null,
): Promise<void> {
  const response = ctx.res;
  ctx.respond = false;
  response.writeHead(upstream.statusCode);
  const keep = key && key.length >= 8 ? Buffer.byteLength(key) - 1 : 0;
  let tail: Buffer = Buffer.alloc(0);
  let finished = false;
  response.on('drain', () => upstream.body.resume());
  return new Promise<void>((resolve) => {
    const finish = (failure: unknown) => {
      if (finished) return;
      finished = true;
      endUpstream(draft);
      draft.status = upstream.statusCode;
      if (failure !== null || response.destroyed) {
        draft.partial = true;
        draft.errorCode ??= response.destroyed ? 'client_closed' : upstreamFailure(failure).code;
        if (!response.destroyed) void draft.commit().then(() => response.destroy());
        resolve();
        return;
      }
      void draft.commit().then(() => {
        response.end(tail);
        resolve();
      });
    };
    upstream.body.on('data', (chunk: Buffer) => {
      if (draft.firstByteAt === null) draft.firstByteAt = performance.now();
      const data = scrubKeyBytes(tail.length === 0 ? chunk : Buffer.concat([tail, chunk]), key);
      const cut = Math.max(0, data.length - keep);
      tail = data.subarray(cut);
      if (!response.write(data.subarray(0, cut))) upstream.body.pause();
    });
    upstream.body.once('end', () => finish(null));
    upstream.body.once('error', (error) => finish(error));
    upstream.body.once('close', () => finish(null));
    upstream.body.resume();
  });
}
