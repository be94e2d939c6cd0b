import { describe, expect, it } from 'vitest';
import { formatSse, SseParser } from '../../../gateway/protocol/sse.ts';
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
