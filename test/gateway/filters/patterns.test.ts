import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_SETS,
  compilePatterns,
  DEFAULT_MAX_MATCH,
  findMatches,
  luhnValid,
} from '../../../gateway/filters/patterns.ts';
import {
  apiKeyShapes,
  cardDigits,
  email,
  EXAMPLES,
  invalidCard,
  ipAddress,
  luhnBreak,
  validCard,
} from './samples.ts';

const builtin = (set: string) => compilePatterns([`builtin:${set}`], 'unused');
/** The matched strings, in order. */
const found = (text: string, set: string) =>
  findMatches(text, builtin(set)).map((match) => text.slice(match.start, match.end));

describe('luhnValid', () => {
  it('accepts well-known test card numbers and refuses them with a wrong check digit', () => {
    for (const number of ['4111111111111111', '5500000000000004', '378282246310005', '6011111111111117']) {
      expect(luhnValid(number)).toBe(true);
      expect(luhnValid(luhnBreak(number))).toBe(false);
    }
    expect(luhnValid('4111 1111 1111 1111')).toBe(true);
    expect(luhnValid('4111-1111-1111-1111')).toBe(true);
  });

  it('refuses fewer than 13 or more than 19 digits', () => {
    expect(luhnValid('0')).toBe(false);
    expect(luhnValid('000000000000')).toBe(false);
    expect(luhnValid('0000000000000')).toBe(true);
    expect(luhnValid('0'.repeat(19))).toBe(true);
    expect(luhnValid('0'.repeat(20))).toBe(false);
  });

  it('property: exactly one check digit completes any body', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 12, maxLength: 18 }),
        (body) => {
          const valid = [...'0123456789'].filter((digit) => luhnValid(body + digit));
          expect(valid).toHaveLength(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('compilePatterns', () => {
  it('knows the four builtin sets', () => {
    expect(BUILTIN_SETS).toEqual([
      'builtin:api-keys',
      'builtin:emails',
      'builtin:credit-cards',
      'builtin:ip-addresses',
    ]);
  });

  it('refuses an unknown builtin set, listing the known ones', () => {
    expect(() => compilePatterns(['builtin:passwords'], 'f')).toThrow(
      'unknown pattern set "builtin:passwords"; known: builtin:api-keys, builtin:emails',
    );
  });

  it('labels builtin matches with the set, and user patterns with the filter name', () => {
    const patterns = compilePatterns(['builtin:emails', 'ticket-\\d+'], 'my-filter');
    const text = 'mail a@b.io about ticket-42';
    expect(findMatches(text, patterns).map((match) => match.label)).toEqual(['emails', 'my-filter']);
  });

  it('gives user patterns the default maximum match length, or the one asked for', () => {
    expect(compilePatterns(['x+'], 'f')[0]!.maxLength).toBe(DEFAULT_MAX_MATCH);
    expect(compilePatterns(['x+'], 'f', 12)[0]!.maxLength).toBe(12);
  });

  it('honours a leading (?i), and (?s) / (?m)', () => {
    const [insensitive] = compilePatterns(['(?i)secret'], 'f');
    expect(insensitive!.regex.flags).toBe('gi');
    expect(findMatches('a SeCrEt here', [insensitive!])).toHaveLength(1);
    expect(findMatches('a SeCrEt here', compilePatterns(['secret'], 'f'))).toHaveLength(0);
    expect(compilePatterns(['(?is)a.b'], 'f')[0]!.regex.flags).toBe('gis');
    expect(findMatches('A\nB', compilePatterns(['(?is)a.b'], 'f'))).toHaveLength(1);
  });

  it('names the pattern that is not a valid regular expression', () => {
    expect(() => compilePatterns(['ok', '(unclosed'], 'f')).toThrow(
      /^pattern "\(unclosed" is not a valid regular expression: /,
    );
  });

  it('gives each filter its own regex objects, so matching in one never disturbs another', () => {
    const first = compilePatterns(['builtin:emails'], 'a');
    const second = compilePatterns(['builtin:emails'], 'b');
    expect(first[0]!.regex).not.toBe(second[0]!.regex);
    first[0]!.regex.lastIndex = 5;
    expect(findMatches('x@y.com', second)).toHaveLength(1);
    expect(findMatches('x@y.com', first)).toHaveLength(1);
  });
});

describe('findMatches', () => {
  it('returns matches earliest first and joins overlapping ones, so no part of either survives', () => {
    const patterns = compilePatterns(['abc', 'bcdef', 'ab', 'xyz'], 'f');
    expect(findMatches('xyz abcdef', patterns)).toEqual([
      { start: 0, end: 3, label: 'f' },
      { start: 4, end: 10, label: 'f' },
    ]);
    const longer = compilePatterns(['ab', 'abcd'], 'f');
    expect(findMatches('abcd', longer)).toEqual([{ start: 0, end: 4, label: 'f' }]);
  });

  it('ignores empty matches', () => {
    expect(findMatches('abc', compilePatterns(['x*'], 'f'))).toEqual([]);
  });

  it('finds repeated matches', () => {
    expect(found('a@b.io, c@d.io and e@f.io', 'emails')).toEqual(['a@b.io', 'c@d.io', 'e@f.io']);
  });
});

describe('builtin:api-keys', () => {
  it.each(Object.entries(EXAMPLES))('finds a %s key whole', (_vendor, key) => {
    expect(found(`my key is ${key} keep it safe`, 'api-keys')).toEqual([key]);
    expect(found(`"${key}"`, 'api-keys')).toEqual([key]);
    expect(found(`export KEY=${key}\n`, 'api-keys')).toEqual([key]);
  });

  // Not asserted (reported): a Google key ending in `-` (`AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQ-`) is
  // not found, as the pattern's closing `\b` needs a word character on one side.
  it.each(Object.keys(apiKeyShapes) as (keyof typeof apiKeyShapes)[])(
    'property: finds any %s key whole, wherever it is',
    (vendor) => {
      fc.assert(
        fc.property(apiKeyShapes[vendor], fc.constantFrom(' ', '\n', '"', '(', ': '), (key, around) => {
          expect(found(`text${around}${key}${around}more`, 'api-keys')).toEqual([key]);
        }),
        { numRuns: 60 },
      );
    },
  );

  it('finds the other PEM private-key kinds, and not certificates or public keys', () => {
    for (const kind of ['', 'EC ', 'OPENSSH ', 'ENCRYPTED ', 'DSA ']) {
      const block = `-----BEGIN ${kind}PRIVATE KEY-----\nMIIB\n-----END ${kind}PRIVATE KEY-----`;
      expect(found(`x ${block} y`, 'api-keys')).toEqual([block]);
    }
    expect(found('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'api-keys')).toEqual([]);
    expect(found('-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----', 'api-keys')).toEqual([]);
  });

  it('leaves look-alikes alone: too short, or inside a longer word', () => {
    expect(found('sk-short', 'api-keys')).toEqual([]);
    expect(found('task-AbCdEfGhIjKlMnOpQrStUvWxYz', 'api-keys')).toEqual([]);
    expect(found('AKIA123', 'api-keys')).toEqual([]);
    expect(found('xAKIAIOSFODNN7EXAMPLE', 'api-keys')).toEqual([]);
    expect(found('ghp_tooshort', 'api-keys')).toEqual([]);
    expect(found('AIzaShort', 'api-keys')).toEqual([]);
  });
});

describe('builtin:credit-cards', () => {
  it('finds Luhn-valid numbers, bare, spaced or dashed', () => {
    expect(found('card 4111111111111111 ok', 'credit-cards')).toEqual(['4111111111111111']);
    expect(found('card 4111 1111 1111 1111 ok', 'credit-cards')).toEqual(['4111 1111 1111 1111']);
    expect(found('card 4111-1111-1111-1111.', 'credit-cards')).toEqual(['4111-1111-1111-1111']);
    expect(found('amex 3782 822463 10005', 'credit-cards')).toEqual(['3782 822463 10005']);
  });

  it('finds a card next to another group of digits', () => {
    expect(found('4111111111111111 12/27', 'credit-cards')).toEqual(['4111111111111111']);
    expect(found('room 1 4111 1111 1111 1111', 'credit-cards')).toEqual(['4111 1111 1111 1111']);
  });

  // Formerly not asserted (reported, now fixed above): a valid number next to another digit group separated by a space or
  // dash (`4111111111111111 12/27`, `1 4111 1111 1111 1111`) is taken as one longer run, fails the
  // Luhn check and is not found.
  it('leaves Luhn-invalid numbers, and too short or too long digit runs, alone', () => {
    expect(found('card 4111111111111112 ok', 'credit-cards')).toEqual([]);
    expect(found('order 123456789012', 'credit-cards')).toEqual([]);
    expect(found(`id ${'0'.repeat(20)}`, 'credit-cards')).toEqual([]);
  });

  it('property: any Luhn-valid card number is found, and none with a wrong check digit', () => {
    fc.assert(
      fc.property(validCard, invalidCard, (valid, invalid) => {
        expect(found(`pay with ${valid}, thanks`, 'credit-cards')).toEqual([valid]);
        // Never found whole; a Luhn-valid 16-digit run inside it may be (erring towards redacting).
        expect(found(`pay with ${invalid}, thanks`, 'credit-cards')).not.toContain(invalid);
      }),
      { numRuns: 300 },
    );
  });

  it('property: the digits of a valid number are valid, so the check is what decides', () => {
    fc.assert(
      fc.property(cardDigits, (digits) => {
        expect(luhnValid(digits)).toBe(true);
        expect(luhnValid(luhnBreak(digits))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('builtin:emails and builtin:ip-addresses', () => {
  it('finds email addresses', () => {
    expect(found('write to jane.doe+work@mail.example.co.uk today', 'emails')).toEqual([
      'jane.doe+work@mail.example.co.uk',
    ]);
    expect(found('no at sign here, nor a@b', 'emails')).toEqual([]);
  });

  it('property: finds any generated email address whole', () => {
    fc.assert(
      fc.property(email, (address) => {
        expect(found(`from: ${address}\n`, 'emails')).toEqual([address]);
      }),
      { numRuns: 200 },
    );
  });

  it('finds IPv4 and IPv6 addresses, and not version numbers or out-of-range octets', () => {
    expect(found('host 192.168.1.20 up', 'ip-addresses')).toEqual(['192.168.1.20']);
    expect(found('host 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up', 'ip-addresses')).toEqual([
      '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    ]);
    expect(found('host fe80::1ff:fe23:4567:890a up', 'ip-addresses')).toEqual(['fe80::1ff:fe23:4567:890a']);
    expect(found('version 1.2.3', 'ip-addresses')).toEqual([]);
    expect(found('not 256.1.1.1', 'ip-addresses')).toEqual([]);
  });

  it('finds IPv6 with :: at the start or end, with an IPv4 tail, and before a colon', () => {
    for (const address of [
      '::1',
      '2001:db8::',
      '::ffff:192.0.2.1',
      '64:ff9b::192.0.2.33',
      '1::2:3:4:5:6:7',
    ]) {
      expect(found(`peer ${address} closed`, 'ip-addresses')).toEqual([address]);
    }
    expect(found('fe80::1: port', 'ip-addresses')).toEqual(['fe80::1']);
    expect(found('std::vector and a :: b, 12:30, mac 00:1a:2b:3c:4d:5e', 'ip-addresses')).toEqual([]);
  });
  it('property: finds any IPv4 address, and IPv6 in full or `a::b` form, whole', () => {
    fc.assert(
      fc.property(ipAddress, (address) => {
        expect(found(`peer ${address} closed`, 'ip-addresses')).toEqual([address]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('redaction markers', () => {
  it('no builtin set matches a [REDACTED:<label>] marker, even several in a row', () => {
    const all = compilePatterns(BUILTIN_SETS, 'user-filter');
    const labels = ['api-keys', 'emails', 'credit-cards', 'ip-addresses', 'user-filter'];
    const markers = labels.map((label) => `[REDACTED:${label}]`);
    expect(findMatches(markers.join(''), all)).toEqual([]);
    expect(findMatches(markers.join(' '), all)).toEqual([]);
    expect(findMatches(markers.join('\n'), all)).toEqual([]);
  });
});
