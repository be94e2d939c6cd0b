import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompleteEvents } from '../../../gateway/protocol/complete-events.ts';

describe('CompleteEvents', () => {
  it('passes whole events at once and holds a cut one', () => {
    const events = new CompleteEvents();
    expect(events.push('data: {"a":1}\n\ndata: {"b"')).toBe('data: {"a":1}\n\n');
    expect(events.midEvent).toBe(true);
    expect(events.push(':2}\n')).toBe('');
    expect(events.push('\nevent: x\r\ndata: y\r\n\r\n')).toBe('data: {"b":2}\n\nevent: x\r\ndata: y\r\n\r\n');
    expect(events.midEvent).toBe(false);
  });

  it('does not take a \\r\\n split across two pieces for a blank line', () => {
    const events = new CompleteEvents();
    expect(events.push('data: a\r')).toBe('');
    expect(events.push('\ndata: b')).toBe('');
    expect(events.push('\r\n\r\n')).toBe('data: a\r\ndata: b\r\n\r\n');
  });

  it('emits, for any pieces, exactly the text up to the last blank line, and the rest at the end', () => {
    const unit = fc.constantFrom('data: x', '\n', '\r', '\r\n', ':', 'y', 'event: e');
    fc.assert(
      fc.property(fc.array(fc.string({ unit, maxLength: 6 }), { maxLength: 10 }), (pieces) => {
        const events = new CompleteEvents();
        let out = '';
        for (const piece of pieces) {
          out += events.push(piece);
          // Never half an event out: what went out ends with a blank line (or nothing went out).
          if (out !== '') expect(/(\r\n|\r|\n)(\r\n|\r|\n)$/.test(out)).toBe(true);
        }
        expect(out + events.rest()).toBe(pieces.join(''));
      }),
      { numRuns: 2000 },
    );
  });

  it('is linear: a 16 MiB event in 1 KiB pieces is held once and joined once', () => {
    const events = new CompleteEvents();
    const piece = 'z'.repeat(1024);
    const started = performance.now();
    expect(events.push('data: ')).toBe('');
    for (let index = 0; index < 16 * 1024; index++) events.push(piece);
    const out = events.push('\n\n');
    expect(out.length).toBe(6 + 16 * 1024 * 1024 + 2);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
