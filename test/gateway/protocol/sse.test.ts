import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_EVENT_BYTES,
  formatSse,
  SseEventTooLargeError,
  SseParser,
} from '../../../gateway/protocol/sse.ts';
import type { SseEvent } from '../../../gateway/protocol/sse.ts';
import { fixtureChunks } from '../../support/fixtures.ts';

/** Feeds `pieces` to a new parser, then ends it, and returns the events in order. */
function parse(pieces: readonly string[], end = true): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const piece of pieces) parser.push(piece);
  if (end) parser.end();
  return events;
}

/** A small seeded generator, so that a failing split can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomSplit(text: string, seed: number): string[] {
  const next = random(seed);
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    const length = 1 + Math.floor(next() * 12);
    pieces.push(text.slice(start, start + length));
    start += length;
  }
  return pieces;
}

const STREAM = [
  ': keep-alive comment\n',
  'event: message_start\n',
  'id: 1\n',
  'data: {"type":"message_start"}\n',
  '\n',
  'data: first line\n',
  'data: second line\n',
  '\n',
  ':another comment\n',
  'data:no space\n',
  '\n',
  'event: ping\r\n',
  'data: crlf\r\n',
  '\r\n',
  'data: cr only\r',
  '\r',
  'data:  two spaces\n',
  '\n',
  'data\n',
  '\n',
  'data: [DONE]\n\n',
].join('');

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"type":"message_start"}', id: '1' },
  { event: undefined, data: 'first line\nsecond line', id: '1' },
  { event: undefined, data: 'no space', id: '1' },
  { event: 'ping', data: 'crlf', id: '1' },
  { event: undefined, data: 'cr only', id: '1' },
  { event: undefined, data: ' two spaces', id: '1' },
  { event: undefined, data: '', id: '1' },
  { event: undefined, data: '[DONE]', id: '1' },
];

describe('SseParser', () => {
  it('parses a stream given in one piece', () => {
    expect(parse([STREAM])).toEqual(EXPECTED);
  });

  it('delivers complete events without waiting for end()', () => {
    expect(parse([STREAM], false)).toEqual(EXPECTED);
  });

  it('gives the same events when fed one character at a time', () => {
    expect(parse(STREAM.split(''))).toEqual(EXPECTED);
  });

  it('gives the same events when split in two at every possible position', () => {
    for (let index = 0; index <= STREAM.length; index++) {
      expect(parse([STREAM.slice(0, index), STREAM.slice(index)]), `split at ${index}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events for random splits', () => {
    for (let seed = 1; seed <= 200; seed++) {
      expect(parse(randomSplit(STREAM, seed)), `seed ${seed}`).toEqual(EXPECTED);
    }
  });

  it('waits for the next piece when a piece ends in \\r, and takes \\r\\n as one line end', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    parser.push('data: a\r');
    parser.push('\n\r');
    expect(events).toEqual([]);
    parser.push('\ndata: b\r\n\r\n');
    expect(events.map((event) => event.data)).toEqual(['a', 'b']);
  });

  it('takes a lone \\r at the end of a piece as a line end once more text arrives', () => {
    const pieces = ['data: a\r', '\r', 'data: b\r', '\r'];
    // The very last \r might still be followed by \n, so `b` waits for more text or for end().
    expect(parse(pieces, false).map((event) => event.data)).toEqual(['a']);
    expect(parse([...pieces, 'data: c\n\n'], false).map((event) => event.data)).toEqual(['a', 'b', 'c']);
    expect(parse(pieces).map((event) => event.data)).toEqual(['a', 'b']);
  });

  it('ignores comments, also between the data lines of one event', () => {
    expect(parse([': hello\ndata: a\n: in the middle\ndata: b\n\n'])).toEqual([
      { event: undefined, data: 'a\nb', id: undefined },
    ]);
  });

  it('does not dispatch an event that has no data, and forgets its event name', () => {
    expect(parse(['event: lonely\n\ndata: x\n\n'])).toEqual([{ event: undefined, data: 'x', id: undefined }]);
  });

  it('ignores unknown fields', () => {
    expect(parse(['retry: 1000\nfoo: bar\ndata: x\n\n'])).toEqual([
      { event: undefined, data: 'x', id: undefined },
    ]);
  });

  it('keeps colons inside the value', () => {
    expect(parse(['data: {"a":"b:c"}\n\n'])[0]!.data).toBe('{"a":"b:c"}');
  });

  it('flushes a last event without its blank line on end()', () => {
    expect(parse(['data: one\n\ndata: last'], false).map((event) => event.data)).toEqual(['one']);
    expect(parse(['data: one\n\ndata: last']).map((event) => event.data)).toEqual(['one', 'last']);
    expect(parse(['event: e\ndata: last\n']).map((event) => [event.event, event.data])).toEqual([
      ['e', 'last'],
    ]);
    expect(parse(['data: last\r']).map((event) => event.data)).toEqual(['last']);
  });

  it('delivers nothing more on end() after a complete stream', () => {
    expect(parse(['data: x\n\n', ''])).toHaveLength(1);
    expect(parse([])).toEqual([]);
  });

  it('replays a recorded OpenAI stream, payload for payload', () => {
    const lines = fixtureChunks('openai/openai-text.chunks.txt');
    expect(lines.length).toBeGreaterThan(100);
    const wire = lines.map((line) => `data: ${line}\n\n`).join('') + 'data: [DONE]\n\n';
    const expected = [...lines, '[DONE]'];
    expect(parse([wire]).map((event) => event.data)).toEqual(expected);
    expect(parse(randomSplit(wire, 42)).map((event) => event.data)).toEqual(expected);
    expect(parse(wire.split('')).map((event) => event.data)).toEqual(expected);
  });
});

describe('formatSse', () => {
  it('frames one data line', () => {
    expect(formatSse('{"a":1}')).toBe('data: {"a":1}\n\n');
  });

  it('adds an event line', () => {
    expect(formatSse('{}', 'ping')).toBe('event: ping\ndata: {}\n\n');
  });

  it('puts each line of multi-line data on its own data line', () => {
    expect(formatSse('a\nb\n\nc')).toBe('data: a\ndata: b\ndata: \ndata: c\n\n');
  });

  it('round-trips through the parser', () => {
    const samples: [string, string | undefined][] = [
      ['{"x":"y"}', undefined],
      ['line one\nline two', 'multi'],
      ['', undefined],
      ['[DONE]', undefined],
      [' leading space', 'e'],
    ];
    const wire = samples.map(([data, event]) => formatSse(data, event)).join('');
    expect(parse([wire]).map((event) => [event.data, event.event])).toEqual(samples);
  });
});

/** The fastest of three runs of `run`, in ms (stopping early once one is clearly too slow). */
function fastest(run: () => void): number {
  let best = Infinity;
  for (let round = 0; round < 3 && (round === 0 || best < 5000); round++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Feeds one event of `bytes` of data to a parser in pieces of `piece` characters. */
function feedOneEvent(bytes: number, piece: number): void {
  const wire = `data: ${'x'.repeat(bytes)}\n\n`;
  let received = 0;
  const parser = new SseParser((event) => (received += event.data.length), {
    maxEventBytes: 64 * 1024 * 1024,
  });
  for (let start = 0; start < wire.length; start += piece) parser.push(wire.slice(start, start + piece));
  parser.end();
  expect(received).toBe(bytes);
}

describe('SseParser on hostile streams', () => {
  it('parses a 16 MiB event in 1 KiB pieces in linear time (2 MiB took 4 s before)', () => {
    const mib = 1024 * 1024;
    const small = fastest(() => feedOneEvent(2 * mib, 1024));
    expect(small).toBeLessThan(1000);
    const large = fastest(() => feedOneEvent(16 * mib, 1024));
    expect(large).toBeLessThan(2000);
    // Eight times the input, not much more than eight times the time (quadratic would be 64 times).
    expect(large).toBeLessThan(24 * small + 50);
  });

  it('throws SseEventTooLargeError, naming the limit and nothing of the content, when one event holds more data than the limit', () => {
    const parser = new SseParser(() => {}, { maxEventBytes: 1024 });
    parser.push(`data: ${'secret'.repeat(100)}\n`);
    let thrown: unknown;
    try {
      parser.push(`data: ${'secret'.repeat(100)}\n`);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SseEventTooLargeError);
    expect((thrown as SseEventTooLargeError).limitBytes).toBe(1024);
    expect((thrown as Error).message).toMatch(/MiB limit/);
    expect((thrown as Error).message).not.toContain('secret');
  });

  it('counts the limit in UTF-8 bytes, lets an event of exactly the limit through, and starts again at each event', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event), { maxEventBytes: 1024 });
    for (let index = 0; index < 50; index++)
      parser.push(`data: ${'a'.repeat(1000)}\ndata: ${'b'.repeat(23)}\n\n`);
    expect(events).toHaveLength(50);
    expect(events[0]!.data).toHaveLength(1024);
    expect(() => parser.push(`data: ${'é'.repeat(600)}\n`)).toThrow(SseEventTooLargeError);
  });

  it('throws as soon as a line with no end yet passes the limit, without waiting for its end', () => {
    const parser = new SseParser(() => {}, { maxEventBytes: 1024 });
    parser.push(': a comment, then a data line that never ends\n');
    parser.push(`data: ${'y'.repeat(900)}`);
    expect(() => parser.push('y'.repeat(200))).toThrow(SseEventTooLargeError);
    // A line that ends in time is forgotten once ended: many of them, in small pieces, are fine.
    const events: SseEvent[] = [];
    const other = new SseParser((event) => events.push(event), { maxEventBytes: 1024 });
    const wire = `: ${'c'.repeat(900)}\ndata: ${'d'.repeat(900)}\n\n`.repeat(20);
    for (let start = 0; start < wire.length; start += 100) other.push(wire.slice(start, start + 100));
    expect(events).toHaveLength(20);
  });

  it('stays stopped after the limit: push throws again, end() delivers nothing', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event), { maxEventBytes: 16 });
    expect(() => parser.push('data: 0123456789abcdefXYZ')).toThrow(SseEventTooLargeError);
    expect(() => parser.push('\n\ndata: small\n\n')).toThrow(SseEventTooLargeError);
    parser.end();
    expect(events).toEqual([]);
  });

  it('has a default limit of 16 MiB', () => {
    const mib = 1024 * 1024;
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    parser.push(`data: ${'z'.repeat(16 * mib - 10)}\n\n`);
    expect(events).toHaveLength(1);
    let thrown: unknown;
    try {
      parser.push(`data: ${'z'.repeat(16 * mib + 1)}\n\n`);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SseEventTooLargeError);
    expect((thrown as Error).message).toBe(
      'The upstream sent a server-sent event larger than the 16 MiB limit.',
    );
    expect(DEFAULT_MAX_EVENT_BYTES).toBe(16 * mib);
  });

  it('property: any events, written with any line ends and comments and cut anywhere, parse back the same', () => {
    // Field values cannot hold a line end; data can hold \n (one `data:` line each), never a bare \r.
    const value = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ':', 'é', '😀', '\u2028', '\t') });
    const arbitraryEvent = fc.record({
      event: fc.option(value, { nil: undefined }),
      id: fc.option(value, { nil: undefined }),
      data: fc.array(value, { minLength: 1, maxLength: 3 }),
      comment: fc.option(value, { nil: undefined }),
      ends: fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 8, maxLength: 8 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryEvent, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (events, cuts, blankLineAtEnd) => {
          let wire = '';
          let id: string | undefined;
          const expected: SseEvent[] = [];
          events.forEach((item, index) => {
            let end = 0;
            const next = () => {
              const chosen = item.ends[end++ % item.ends.length]!;
              // A \r then a \n would read as one \r\n: the writer says \r\n for the second end.
              const written = wire.endsWith('\r') && chosen === '\n' ? '\r\n' : chosen;
              return written;
            };
            if (item.comment !== undefined) wire += `:${item.comment}${next()}`;
            if (item.event !== undefined) wire += `event: ${item.event}${next()}`;
            if (item.id !== undefined) wire += `id: ${item.id}${next()}`;
            for (const line of item.data) wire += `data: ${line}${next()}`;
            // The last event may end with the stream instead of a blank line: end() delivers it.
            if (index < events.length - 1 || blankLineAtEnd) wire += next();
            if (item.id !== undefined) id = item.id;
            expected.push({ event: item.event, data: item.data.join('\n'), id });
          });
          const points = [...new Set(cuts.map((cut) => cut % (wire.length + 1)))].sort((a, b) => a - b);
          const pieces = [0, ...points].map((start, index) =>
            wire.slice(start, [...points, wire.length][index]),
          );
          expect(parse(pieces)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
