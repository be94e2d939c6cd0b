import { GatewayError } from '../errors.ts';

/** Where `/proxy/{routeId}/{rest}` goes, and the path below the base URL that policy decides on. */
export interface UpstreamTarget {
  /** The URL sent upstream: base URL, '/', the canonically re-encoded path, the query without `key`. */
  url: string;
  /**
   * The path below the base URL as the upstream reads it: each segment percent-decoded once, joined
   * by '/'. It holds no '%', '?', '#', '\' or control character, so a regex over it (the model in a
   * Gemini path) sees exactly the segments that are sent.
   */
  path: string;
}

/**
 * Characters kept literally in a path segment: RFC 3986 unreserved, sub-delims, ':' and '@'
 * (`pchar`). Vendors' paths use ':' (`models/x:generateContent`, `ft:gpt-4o:org::id`); everything
 * else is percent-encoded, '%', '?', '#', '/' and '\' above all, so that nothing in a segment can
 * become a query, a fragment, an escape or structure on the way out.
 */
const PCHAR_KEPT = /%(?:21|24|26|27|28|29|2A|2B|2C|3A|3B|3D|40)/g;

/** `encodeURIComponent` keeps `A-Za-z0-9-_.!~*'()`; this also keeps the rest of `pchar` literally. */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(PCHAR_KEPT, (escape) => decodeURIComponent(escape));
}

/**
 * Characters refused in a decoded segment (a raw '\' decodes to itself, so it is refused here too).
 * '/' and '\' would turn an encoded separator into structure at some server on the way (WHATWG URL
 * parsers read '\' as '/'); '%' is double encoding (whatever decodes it again sees a different path
 * from the one policy saw); '?' and '#' are URL syntax that no vendor path carries in a segment, and
 * would cut a regex over the decoded path short; control characters and NUL end or split paths in
 * some servers' parsers and logs.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
const REFUSED_DECODED = /[/\\%?#\u0000-\u001f\u007f-\u009f]/;

function invalid(message: string): GatewayError {
  return new GatewayError(400, 'invalid_request', message);
}

/** The raw segment, percent-decoded once, or a 400 saying why it cannot stand in a path. */
function checkedSegment(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // '%' not followed by two hex digits, or escapes that are not UTF-8 (overlong '%c0%ae' among them).
    throw invalid('The path under /proxy/{routeId}/ has malformed percent-encoding.');
  }
  // A lone surrogate (only from a raw, not an encoded, path) has no UTF-8 form to send.
  if (/\p{Cs}/u.test(decoded)) {
    throw invalid('The path under /proxy/{routeId}/ has a character that is not valid Unicode.');
  }
  // NFKC catches look-alikes some servers fold ('\u2025' → '..', '\uff0f' → '/', '\uff05' → '%').
  const folded = decoded.normalize('NFKC');
  if (REFUSED_DECODED.test(decoded) || REFUSED_DECODED.test(folded)) {
    throw invalid(
      'The path under /proxy/{routeId}/ has a backslash, or an encoded "/", "\\", "%", "?", "#" or control character, ' +
        'in a segment; encoded separators and double encoding are not accepted.',
    );
  }
  // Only '.' and '..' climb by the RFC; '...' and '.. ' do on servers that trim dots and spaces (Windows).
  if (/^[.\s]+$/.test(decoded) || /^[.\s]+$/.test(folded)) {
    throw invalid(
      'The path under /proxy/{routeId}/ has a "." or ".." segment (or one of only dots and spaces, after decoding); a path may not leave the route\'s base URL.',
    );
  }
  return decoded;
}

/**
 * The part of the raw request path (Koa's `ctx.path`, not percent-decoded) after
 * `/proxy/{routeId}/`: `/proxy/ge/v1beta/models` → 'v1beta/models', `/proxy/ge` → ''.
 */
export function rawProxyRest(rawPath: string): string {
  const match = /^\/proxy\/[^/]*(?:\/(.*))?$/s.exec(rawPath);
  return match?.[1] ?? '';
}

/**
 * `/proxy/{routeId}/{rawRest}?{rawQuery}` → the upstream URL under `baseUrl`, and the decoded path
 * policy must decide on. `rawRest` is split on literal '/' only and each segment is checked on its
 * decoded form: '.' and '..', encoded separators, '?', '#', backslashes, control characters and
 * malformed escapes are refused (400). Double encoding is refused outright (a '%' left after one
 * decoding), so the once-decoded segment is also the fully decoded one: no server that decodes
 * again can see a different path from the one policy saw. Empty segments are refused too (`a//b`,
 * a leading '/'), except one trailing '/', which some clients add and which cannot climb. Every
 * segment is then re-encoded canonically, so vendor paths (`v1beta/models/gemini-2.5-flash:generateContent`,
 * `v1/messages`, `chat/completions`) go out byte for byte as they came. The query keeps every
 * parameter but `key` (the caller's Google-style credential, never forwarded).
 */
export function upstreamTarget(baseUrl: string, rawRest: string, rawQuery: string): UpstreamTarget {
  const rawSegments = rawRest === '' ? [] : rawRest.split('/');
  const decoded: string[] = [];
  for (const [index, raw] of rawSegments.entries()) {
    if (raw === '' && index !== rawSegments.length - 1) {
      throw invalid('The path under /proxy/{routeId}/ has an empty segment ("//"), which is not accepted.');
    }
    decoded.push(raw === '' ? '' : checkedSegment(raw));
  }
  const path = decoded.join('/');
  const search = new URLSearchParams(rawQuery);
  search.delete('key');
  const query = search.size > 0 ? `?${search.toString()}` : '';
  const url = `${baseUrl}/${decoded.map(encodePathSegment).join('/')}${query}`;

  // Defence in depth: whatever the checks above missed, the URL as parsed must stay under the base.
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const parsed = new URL(url);
  if (parsed.origin !== base.origin || !parsed.pathname.startsWith(`${basePath}/`)) {
    throw invalid("The path under /proxy/{routeId}/ leaves the route's base URL.");
  }
  return { url, path };
}

/** Segments after which a path names a model resource (Gemini's `models/{m}`, `tunedModels/{m}`, Vertex-style paths). */
const MODEL_COLLECTIONS = new Set(['models', 'tunedmodels']);

/**
 * Whether a decoded path (as `upstreamTarget` returns it) addresses a model resource: a `models` or
 * `tunedModels` segment (any case) followed by a non-empty one. A POST to such a path runs that
 * model, so when no model can be read from it the request must be refused, not let through unchecked.
 */
export function pathNamesModel(path: string): boolean {
  const segments = path.split('/');
  return segments.some(
    (segment, index) => MODEL_COLLECTIONS.has(segment.toLowerCase()) && (segments[index + 1] ?? '') !== '',
  );
}
