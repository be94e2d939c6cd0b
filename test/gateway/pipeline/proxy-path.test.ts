import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import {
  encodePathSegment,
  pathNamesModel,
  rawProxyRest,
  upstreamTarget,
} from '../../../gateway/pipeline/proxy-path.ts';

/** Base URLs in every vendor's convention (CONTRACT §2), plus one with a path of its own. */
const BASES = [
  'https://api.openai.com/v1',
  'http://127.0.0.1:11434/v1',
  'https://api.anthropic.com',
  'https://generativelanguage.googleapis.com',
  'http://h/base/v1',
];

const basePathOf = (base: string) => new URL(base).pathname.replace(/\/+$/, '');

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a refusal, got a URL');
}

/**
 * What must hold of any answer: a 400 `invalid_request`, or a URL that the WHATWG parser (what
 * undici sends) leaves exactly as built, on the base's origin, under the base's path, with no dot
 * segment, no query but the one given, no fragment, and `path` equal to its segments decoded once.
 */
function assertSafe(base: string, rest: string, query: string, expectedSearch: string): void {
  let target: ReturnType<typeof upstreamTarget>;
  try {
    target = upstreamTarget(base, rest, query);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).code).toBe('invalid_request');
    return;
  }
  const parsed = new URL(target.url);
  expect(parsed.href).toBe(target.url);
  expect(parsed.origin).toBe(new URL(base).origin);
  const prefix = `${basePathOf(base)}/`;
  expect(parsed.pathname.startsWith(prefix)).toBe(true);
  expect(parsed.search).toBe(expectedSearch);
  expect(parsed.hash).toBe('');
  const below = parsed.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
  for (const segment of below) {
    expect(segment).not.toBe('.');
    expect(segment).not.toBe('..');
    expect(segment).not.toMatch(/[/\\?#%]/);
  }
  expect(below.join('/')).toBe(target.path);
}

describe('upstreamTarget: real vendor paths', () => {
  const PATHS = [
    'chat/completions',
    'embeddings',
    'models',
    'responses/resp_68af1c2b0e8c8190a1b2c3d4e5f60718',
    'models/ft:gpt-4o-mini-2024-07-18:my-org:custom-suffix:9AbCdEf',
    'v1/messages',
    'v1/messages/count_tokens',
    'v1/models',
    'v1beta/models',
    'v1beta/models/gemini-2.5-flash:generateContent',
    'v1beta/models/gemini-2.5-flash:streamGenerateContent',
    'v1beta/models/gemini-2.5-flash:countTokens',
    'v1beta/models/text-embedding-004:batchEmbedContents',
    'v1beta/tunedModels/x',
    'v1beta/cachedContents/abc-123_x',
    'api/tags',
    'api/chat',
  ];

  it('go out byte for byte under every base, and policy sees the same path', () => {
    for (const base of BASES) {
      for (const path of PATHS) {
        expect(upstreamTarget(base, path, '')).toEqual({ url: `${base}/${path}`, path });
      }
    }
  });

  it('keeps the query (Gemini streaming needs alt=sse) but never the caller key', () => {
    const rest = 'v1beta/models/gemini-2.5-flash:streamGenerateContent';
    const base = 'https://generativelanguage.googleapis.com';
    expect(upstreamTarget(base, rest, 'alt=sse&key=AIzaCallerKey').url).toBe(`${base}/${rest}?alt=sse`);
    expect(upstreamTarget(base, rest, 'key=AIzaCallerKey').url).toBe(`${base}/${rest}`);
    // An encoded parameter name is the same parameter to the upstream.
    expect(upstreamTarget(base, rest, '%6Bey=AIzaCallerKey&alt=sse').url).toBe(`${base}/${rest}?alt=sse`);
    expect(upstreamTarget(base, rest, 'pageSize=1000&pageToken=abc').url).toBe(
      `${base}/${rest}?pageSize=1000&pageToken=abc`,
    );
  });

  it('decodes harmless escapes for policy and sends them canonically', () => {
    const base = 'http://h/base/v1';
    expect(upstreamTarget(base, 'v1beta/models/gemini%2D2.5%2dflash%3AgenerateContent', '')).toEqual({
      url: `${base}/v1beta/models/gemini-2.5-flash:generateContent`,
      path: 'v1beta/models/gemini-2.5-flash:generateContent',
    });
    expect(upstreamTarget(base, 'files/a%20b/caf%C3%A9', '')).toEqual({
      url: `${base}/files/a%20b/caf%C3%A9`,
      path: 'files/a b/café',
    });
  });

  it('accepts an empty rest and one trailing slash, which cannot climb', () => {
    expect(upstreamTarget('http://h/base/v1', '', '')).toEqual({ url: 'http://h/base/v1/', path: '' });
    expect(upstreamTarget('http://h/base/v1', 'models/', '')).toEqual({
      url: 'http://h/base/v1/models/',
      path: 'models/',
    });
  });
});

describe('upstreamTarget: paths that would leave the base or change meaning are refused', () => {
  const ATTACKS: Record<string, string[]> = {
    'plain dot segments': ['../../x', '..', '.', './x', 'a/../../x', 'a/./b', 'a/..'],
    'encoded dots, any case': [
      '%2e%2e/%2e%2e/x',
      '%2E%2E/%2E%2E/x',
      '%2E%2e/%2e%2E/x',
      '.%2e/.%2e/x',
      '%2e./x',
      '.%2E/x',
      '%2e/x',
      '%2E',
    ],
    'encoded separators': [
      '..%2f..%2fx',
      '..%2F..%2Fx',
      '..%5c..%5cx',
      '..%5C..%5Cx',
      'a%2fb',
      '%2F',
      '%5c',
      '%2e%2e%2f%2e%2e%2fx',
    ],
    backslashes: ['..\\..\\x', 'a\\b', '\\'],
    'double and triple encoding': [
      '%252e%252e/x',
      '%252E%252e/x',
      '%25252e%25252e/x',
      '%2525252e/x',
      '..%252f..%252fx',
      '%252f',
      '%25',
      'a%2541',
    ],
    'overlong and invalid UTF-8': ['%c0%ae%c0%ae/x', '%C0%AE/x', '%e0%80%ae/x', '%c0%af', '%ff', '%80'],
    'malformed escapes': ['%', '%2', '%zz', 'a%g1', '%%32%65'],
    'query and fragment characters': [
      'x%3Fy',
      'x%3f',
      'chat/completions%3Fkey=1',
      'x%23y',
      '%23',
      'a?b',
      'a#b',
    ],
    'control characters': ['a%00b', '%00', '%0a', '%0D%0A', '%7f', '%C2%85', 'a\u0000b'],
    'look-alikes that fold into dots and slashes': [
      '%E2%80%A5/x',
      '%E2%80%A4/x',
      '%EF%BC%8F',
      '%EF%BC%BC',
      '\u2025',
    ],
    'only dots and spaces': ['...', '..%20', '.%20', '%20..', '..%09'],
    'empty segments': ['a//b', '/x', '//x', 'a///'],
    'lone surrogates': ['\ud800', 'a\udfffb'],
  };

  for (const [kind, rests] of Object.entries(ATTACKS)) {
    it(kind, () => {
      for (const base of BASES) {
        for (const rest of rests) {
          const error = refusal(() => upstreamTarget(base, rest, ''));
          expect(error.status, `${base} ${rest}`).toBe(400);
          expect(error.code).toBe('invalid_request');
          expect(error.message).toMatch(/^The path under \/proxy\/\{routeId\}\//);
        }
      }
    });
  }

  it('refuses the Gemini allow-list bypass of issue 9 item 6', () => {
    const error = refusal(() =>
      upstreamTarget(
        'https://generativelanguage.googleapis.com',
        'v1beta/models/gemini-2.5-flash/..%2fgemini-2.5-pro:generateContent',
        '',
      ),
    );
    expect(error.status).toBe(400);
  });

  it('refuses, as a last check, a URL that the parser puts outside the base (a base with a query or fragment)', () => {
    // No request path can do this once the segments are checked; a base URL with a query can.
    for (const base of ['http://h/base?x=1', 'http://h/base#frag', 'http://h/base/v1?x']) {
      const error = refusal(() => upstreamTarget(base, 'chat/completions', ''));
      expect(error.status).toBe(400);
      expect(error.message).toContain("leaves the route's base URL");
    }
  });
});

describe('encodePathSegment', () => {
  it('keeps the characters vendor paths use literally', () => {
    const kept = "AZaz09-._~:@!$&'()*+,;=";
    expect(encodePathSegment(kept)).toBe(kept);
  });

  it('encodes everything that could become structure, a query, a fragment or an escape', () => {
    expect(encodePathSegment('?')).toBe('%3F');
    expect(encodePathSegment('#')).toBe('%23');
    expect(encodePathSegment('%')).toBe('%25');
    expect(encodePathSegment('/')).toBe('%2F');
    expect(encodePathSegment('\\')).toBe('%5C');
    expect(encodePathSegment(' ')).toBe('%20');
    expect(encodePathSegment('"<>`^{|}')).toBe('%22%3C%3E%60%5E%7B%7C%7D');
    expect(encodePathSegment('é')).toBe('%C3%A9');
  });

  it('round-trips any well-formed string through one decoding, and the URL parser leaves it alone', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (segment) => {
        // '.' and '..' are dot segments to the parser whatever the encoding: upstreamTarget refuses them.
        fc.pre(segment !== '.' && segment !== '..');
        const encoded = encodePathSegment(segment);
        expect(decodeURIComponent(encoded)).toBe(segment);
        expect(encoded).not.toMatch(/[/?#\\]/);
        expect(new URL(`http://h/${encoded}`).pathname).toBe(`/${encoded}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('upstreamTarget: properties', () => {
  const DANGEROUS = ['.', '%', '2', 'e', 'E', 'f', 'F', '5', 'c', 'C', '/', '\\', '?', '#', 'a'];
  const TOKENS = [
    '.',
    '..',
    '/',
    '\\',
    '%2e',
    '%2E',
    '%2f',
    '%2F',
    '%5c',
    '%5C',
    '%25',
    '%252e',
    '%3f',
    '%3F',
    '%23',
    '%00',
    '%c0%ae',
    '%E2%80%A5',
    '%20',
    '?',
    '#',
    'a',
    'models',
    'gemini-2.5-pro:generateContent',
  ];
  const rests = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.webPath().map((path) => path.replace(/^\//, '')),
    fc.string({ unit: fc.constantFrom(...DANGEROUS), maxLength: 24 }),
    fc
      .array(fc.string({ unit: fc.constantFrom(...DANGEROUS), maxLength: 6 }), { maxLength: 6 })
      .map((segments) => segments.join('/')),
    fc.array(fc.constantFrom(...TOKENS), { maxLength: 10 }).map((tokens) => tokens.join('')),
  );

  it('either refuses with a 400 or stays under the base with no dot segment and no new query or fragment', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BASES), rests, fc.boolean(), (base, rest, withQuery) => {
        assertSafe(base, rest, withQuery ? 'alt=sse&key=AIzaCaller' : '', withQuery ? '?alt=sse' : '');
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('rawProxyRest', () => {
  it('takes the raw path after /proxy/{routeId}/, undecoded', () => {
    expect(rawProxyRest('/proxy/ge/v1beta/models/x%2f..:generateContent')).toBe(
      'v1beta/models/x%2f..:generateContent',
    );
    expect(rawProxyRest('/proxy/oa/../../x')).toBe('../../x');
    expect(rawProxyRest('/proxy/oa//x')).toBe('/x');
    expect(rawProxyRest('/proxy/oa/')).toBe('');
    expect(rawProxyRest('/proxy/oa')).toBe('');
    expect(rawProxyRest('/proxy/o%61/chat/completions')).toBe('chat/completions');
  });
});

describe('pathNamesModel', () => {
  it('is true where a path addresses a model resource', () => {
    for (const path of [
      'v1beta/models/gemini-2.5-flash:generateContent',
      'v1beta/models/:generateContent',
      'v1beta/tunedModels/x:generateContent',
      'v1beta/Models/gemini-2.5-pro:generateContent',
      'v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent',
      'x/v1beta/models/gemini-2.5-pro:generateContent',
      'models/gpt-4o',
    ]) {
      expect(pathNamesModel(path), path).toBe(true);
    }
  });

  it('is false for collections and paths that name no model', () => {
    for (const path of [
      'v1beta/models',
      'v1beta/models/',
      'models',
      'chat/completions',
      'v1/messages',
      'v1/messages/count_tokens',
      'v1beta/cachedContents/abc',
      'api/tags',
      '',
    ]) {
      expect(pathNamesModel(path), path).toBe(false);
    }
  });
});
