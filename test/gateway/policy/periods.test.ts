import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { periodEnd, periodStart } from '../../../gateway/policy/periods.ts';
import type { Period } from '../../../gateway/policy/periods.ts';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const DAY = 86_400_000;

/** Any instant from 1990 to 2100, in milliseconds. */
const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) });
const period = fc.constantFrom<Period>('day', 'week', 'month');

describe('periodStart and periodEnd (UTC calendar periods)', () => {
  it.each<[Period, string, string, string]>([
    ['day', '2025-03-14T15:09:26.535Z', '2025-03-14T00:00:00.000Z', '2025-03-15T00:00:00.000Z'],
    ['day', '2025-03-14T00:00:00.000Z', '2025-03-14T00:00:00.000Z', '2025-03-15T00:00:00.000Z'],
    ['day', '2025-03-14T23:59:59.999Z', '2025-03-14T00:00:00.000Z', '2025-03-15T00:00:00.000Z'],
    ['day', '2025-12-31T23:59:59.999Z', '2025-12-31T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['day', '2024-02-28T12:00:00.000Z', '2024-02-28T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    ['day', '2024-02-29T12:00:00.000Z', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['day', '2025-02-28T12:00:00.000Z', '2025-02-28T00:00:00.000Z', '2025-03-01T00:00:00.000Z'],
    // Weeks start on Monday 00:00 UTC; 2025-03-10 is a Monday.
    ['week', '2025-03-10T00:00:00.000Z', '2025-03-10T00:00:00.000Z', '2025-03-17T00:00:00.000Z'],
    ['week', '2025-03-12T08:30:00.000Z', '2025-03-10T00:00:00.000Z', '2025-03-17T00:00:00.000Z'],
    // Sunday late at night is still the week that began the Monday before.
    ['week', '2025-03-16T23:59:59.999Z', '2025-03-10T00:00:00.000Z', '2025-03-17T00:00:00.000Z'],
    ['week', '2025-03-17T00:00:00.000Z', '2025-03-17T00:00:00.000Z', '2025-03-24T00:00:00.000Z'],
    // Weeks that span a month end, a year end and a leap day.
    ['week', '2025-03-02T22:00:00.000Z', '2025-02-24T00:00:00.000Z', '2025-03-03T00:00:00.000Z'],
    ['week', '2025-01-01T10:00:00.000Z', '2024-12-30T00:00:00.000Z', '2025-01-06T00:00:00.000Z'],
    ['week', '2024-03-03T23:30:00.000Z', '2024-02-26T00:00:00.000Z', '2024-03-04T00:00:00.000Z'],
    ['week', '2026-01-04T23:59:59.999Z', '2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
    ['month', '2025-03-14T15:09:26.535Z', '2025-03-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z'],
    ['month', '2025-01-31T23:59:59.999Z', '2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z'],
    ['month', '2025-02-28T23:59:59.999Z', '2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z'],
    ['month', '2024-02-29T23:59:59.999Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['month', '2000-02-29T12:00:00.000Z', '2000-02-01T00:00:00.000Z', '2000-03-01T00:00:00.000Z'],
    ['month', '2025-04-30T23:59:59.999Z', '2025-04-01T00:00:00.000Z', '2025-05-01T00:00:00.000Z'],
    ['month', '2025-12-31T23:59:59.999Z', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['month', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
  ])('%s of %s starts at %s and ends at %s', (kind, now, start, end) => {
    expect(iso(periodStart(kind, at(now)))).toBe(start);
    expect(iso(periodEnd(kind, at(now)))).toBe(end);
  });

  it('gives February 29 days in leap years and 28 otherwise (1900 and 2100 are not leap years)', () => {
    const february = (year: number) =>
      (periodEnd('month', Date.UTC(year, 1, 10)) - periodStart('month', Date.UTC(year, 1, 10))) / DAY;
    expect(february(2024)).toBe(29);
    expect(february(2000)).toBe(29);
    expect(february(2025)).toBe(28);
    expect(february(1900)).toBe(28);
    expect(february(2100)).toBe(28);
  });

  it('does not depend on the local time zone: Sunday 23:30 UTC is Monday in Tokyo but still last week here', () => {
    const sundayNight = at('2025-06-15T23:30:00.000Z');
    expect(new Date(sundayNight).getUTCDay()).toBe(0);
    expect(iso(periodStart('week', sundayNight))).toBe('2025-06-09T00:00:00.000Z');
    expect(iso(periodStart('day', sundayNight))).toBe('2025-06-15T00:00:00.000Z');
  });

  it('property: start ≤ now < end, both at midnight UTC, and the period is the right length', () => {
    fc.assert(
      fc.property(period, instant, (kind, now) => {
        const start = periodStart(kind, now);
        const end = periodEnd(kind, now);
        expect(start).toBeLessThanOrEqual(now);
        expect(end).toBeGreaterThan(now);
        expect(start % DAY).toBe(0);
        expect(end % DAY).toBe(0);
        const days = (end - start) / DAY;
        if (kind === 'day') expect(days).toBe(1);
        if (kind === 'week') {
          expect(days).toBe(7);
          expect(new Date(start).getUTCDay()).toBe(1);
        }
        if (kind === 'month') {
          expect(new Date(start).getUTCDate()).toBe(1);
          expect(new Date(end).getUTCDate()).toBe(1);
          expect([28, 29, 30, 31]).toContain(days);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: every instant of a period maps to the same period, and the end starts the next one', () => {
    fc.assert(
      fc.property(period, instant, fc.double({ min: 0, max: 1, noNaN: true }), (kind, now, fraction) => {
        const start = periodStart(kind, now);
        const end = periodEnd(kind, now);
        const inside = start + Math.floor((end - start - 1) * fraction);
        expect(periodStart(kind, inside)).toBe(start);
        expect(periodEnd(kind, inside)).toBe(end);
        expect(periodStart(kind, end - 1)).toBe(start);
        expect(periodStart(kind, end)).toBe(end);
      }),
      { numRuns: 300 },
    );
  });
});
