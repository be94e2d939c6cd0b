import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../gateway/store/index.ts';
import type { RequestRecord } from '../../../gateway/store/types.ts';
import { startTestGateway, type TestGateway } from '../../support/gateway.ts';

let gateway: TestGateway;

const DAY1 = Date.parse('2026-11-02T09:00:00Z');
const DAY2 = Date.parse('2026-11-03T09:00:00Z');

/** What one caller was told, with everything CSV must quote: a comma, a quote and a line break. */
const AWKWARD = 'Bad "model", try again\nor ask\r\nsupport';

function record(id: string, fields: Partial<RequestRecord>): RequestRecord {
  return {
    id,
    time: DAY1,
    app: 'ide',
    route: 'openai',
    vendor: 'openai',
    model: 'gpt-4o-mini',
    upstreamModel: 'gpt-4o-mini-2024-07-18',
    endpoint: 'chat.completions',
    stream: false,
    status: 200,
    errorCode: null,
    inputTokens: 10,
    outputTokens: 1,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.1,
    latencyMs: 100,
    ttfbMs: 50,
    partial: false,
    ...fields,
  };
}

/** Oldest first, as they were recorded. */
const RECORDS = [
  record('req_a', { session: 'sess-1' }),
  record('req_b', {
    time: DAY1 + 60_000,
    status: 429,
    errorCode: 'rate_limited',
    errorMessage: 'Too many requests per minute for app ide',
    retryAfter: '17',
  }),
  record('req_c', {
    time: DAY1 + 120_000,
    app: 'cli',
    route: 'claude',
    vendor: 'anthropic',
    model: 'claude-haiku-4-5',
    upstreamModel: 'claude-haiku-4-5-20251001',
  }),
  record('req_d', {
    time: DAY2,
    status: 502,
    errorCode: 'upstream_error',
    errorMessage: AWKWARD,
    app: 'cli',
    session: 'sess-1',
    costUsd: 1e-7,
    attempts: [
      { route: 'openai', model: 'gpt-4o-mini', status: 502, errorCode: 'upstream_error', durationMs: 12 },
    ],
  }),
  record('req_e', {
    time: DAY2 + 60_000,
    status: 201,
    model: 'text-embedding-3-small',
    endpoint: 'embeddings',
  }),
  record('req_f', {
    time: DAY2 + 120_000,
    status: 404,
    errorCode: 'route_not_found',
    route: null,
    app: null,
    vendor: null,
    model: null,
    upstreamModel: null,
  }),
];

beforeAll(async () => {
  gateway = await startTestGateway({});
  // Written straight into the gateway's database (a second connection, as a second process would).
  const store = openStore(gateway.dataDir);
  store.requests.insertMany(RECORDS);
  store.close();
});
afterAll(() => gateway.stop());

const get = (path: string) =>
  fetch(`${gateway.url}/admin/api${path}`, { headers: { authorization: `Bearer ${gateway.adminToken}` } });

/** The ids the log lists for a query, newest first. */
async function ids(search: string): Promise<string[]> {
  const response = await get(`/requests?${search}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { id: string }[] }).data.map((row) => row.id);
}

describe('the request log’s filters', () => {
  it('keeps listing everything, newest first, with no filter', async () => {
    expect(await ids('')).toEqual(['req_f', 'req_e', 'req_d', 'req_c', 'req_b', 'req_a']);
  });

  it('keeps the existing filters: app, route, model, status, and paging with before', async () => {
    expect(await ids('app=cli')).toEqual(['req_d', 'req_c']);
    expect(await ids('route=claude')).toEqual(['req_c']);
    expect(await ids('model=gpt-4o-mini')).toEqual(['req_d', 'req_b', 'req_a']);
    expect(await ids('status=429')).toEqual(['req_b']);
    expect(await ids('limit=2&before=req_d')).toEqual(['req_c', 'req_b']);
  });

  it('shows only failed requests (any status outside 2xx) with errors=true', async () => {
    expect(await ids('errors=true')).toEqual(['req_f', 'req_d', 'req_b']);
    expect(await ids('errors=false')).toHaveLength(6);
  });

  it('filters by status class', async () => {
    expect(await ids('statusClass=2xx')).toEqual(['req_e', 'req_c', 'req_a']);
    expect(await ids('statusClass=4xx')).toEqual(['req_f', 'req_b']);
    expect(await ids('statusClass=5xx')).toEqual(['req_d']);
    expect(await ids('statusClass=4xx&errors=true&app=ide')).toEqual(['req_b']);
  });

  it('filters by a time range, from inclusive and to exclusive, alone and with other filters', async () => {
    expect(await ids('from=2026-11-03')).toEqual(['req_f', 'req_e', 'req_d']);
    expect(await ids('to=2026-11-03T00:00:00Z')).toEqual(['req_c', 'req_b', 'req_a']);
    expect(await ids('from=2026-11-02T09:01:00Z&to=2026-11-03T09:01:00Z')).toEqual([
      'req_d',
      'req_c',
      'req_b',
    ]);
    // Offsets are honoured: 10:01 at +01:00 is 09:01 UTC.
    expect(await ids('from=2026-11-02T10:01:00%2B01:00&to=2026-11-02T10:02:00%2B01:00')).toEqual(['req_b']);
    expect(await ids('from=2026-11-02&app=cli')).toEqual(['req_d', 'req_c']);
    expect(await ids('from=2026-11-02&route=openai&limit=1')).toEqual(['req_e']);
    expect(await ids('from=2026-11-02&limit=2&before=req_d')).toEqual(['req_c', 'req_b']);
    expect(await ids('from=2030-01-01')).toEqual([]);
  });

  it('filters by agent session', async () => {
    expect(await ids('session=sess-1')).toEqual(['req_d', 'req_a']);
  });

  it('finds a request by its id, whole or in part, and by the text of its error, in any case', async () => {
    expect(await ids('q=req_c')).toEqual(['req_c']);
    expect(await ids('q=REQ_C')).toEqual(['req_c']);
    expect(await ids('q=too%20many%20requests')).toEqual(['req_b']);
    expect(await ids('q=ask')).toEqual(['req_d']);
    expect(await ids('q=haiku')).toEqual(['req_c']);
    // By the vendor's name of the model, and by the error code.
    expect(await ids('q=2024-07-18&app=cli')).toEqual(['req_d']);
    expect(await ids('q=route_not_found')).toEqual(['req_f']);
    // LIKE's wildcards are taken literally: "_" is not "any character".
    expect(await ids('q=req%25')).toEqual([]);
    expect(await ids('q=gpt_4o')).toEqual([]);
  });

  it('answers a bad parameter with a 400 that names it', async () => {
    for (const [search, name] of [
      ['status=abc', 'status'],
      ['statusClass=6xx', 'statusClass'],
      ['statusClass=4', 'statusClass'],
      ['errors=yes', 'errors'],
      ['from=yesterday', 'from'],
      ['from=2026-11-02T09:00:00', 'from'],
      ['to=2026-13-45', 'to'],
      ['from=2026-11-03&to=2026-11-02', 'to'],
      [`q=${'x'.repeat(501)}`, 'q'],
      ['app=a&app=b', 'app'],
    ]) {
      for (const path of ['/requests', '/requests.csv', '/requests.jsonl']) {
        const response = await get(`${path}?${search}`);
        expect(response.status, `${path}?${search}`).toBe(400);
        const body = (await response.json()) as { error: { code: string; message: string; param: string } };
        expect(body.error.code).toBe('invalid_request');
        expect(body.error.message).toMatch(new RegExp(`^${name}: `));
      }
    }
  });
});

describe('one request by its id', () => {
  it('answers the row as the log lists it, 404 for an id there is none of, and leaves its neighbours be', async () => {
    const response = await get('/requests/req_d');
    expect(response.status).toBe(200);
    const listed = ((await (await get('/requests?q=req_d')).json()) as { data: unknown[] }).data;
    expect(await response.json()).toEqual(listed[0]);

    const missing = await get('/requests/req_nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');

    expect(await (await get('/requests/req_d/bodies')).json()).toEqual({ logged: false });
    expect((await get('/requests.csv?app=nobody')).headers.get('content-type')).toMatch(/^text\/csv/);
  });
});

/** A minimal RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('the request log’s exports', () => {
  it('downloads exactly the filtered rows as CSV, every field escaped, no body in it', async () => {
    const response = await get('/requests.csv?errors=true&from=2026-11-02');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="switchboard-requests.csv"',
    );
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual([
      'id',
      'time',
      'app',
      'route',
      'vendor',
      'model',
      'requestedModel',
      'upstreamModel',
      'endpoint',
      'stream',
      'status',
      'errorCode',
      'errorMessage',
      'retryAfter',
      'inputTokens',
      'outputTokens',
      'cachedInputTokens',
      'reasoningTokens',
      'costUsd',
      'latencyMs',
      'ttfbMs',
      'partial',
      'session',
      'agent',
      'attempts',
    ]);
    const byColumn = rows.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index]])));
    expect(byColumn.map((row) => row['id'])).toEqual(['req_f', 'req_d', 'req_b']);
    const failed = byColumn[1]!;
    expect(failed['errorMessage']).toBe(AWKWARD);
    expect(failed['time']).toBe('2026-11-03T09:00:00.000Z');
    expect(failed['costUsd']).toBe('0.0000001');
    expect(failed['stream']).toBe('false');
    expect(failed['requestedModel']).toBe('');
    expect(JSON.parse(failed['attempts']!)).toEqual([
      { route: 'openai', model: 'gpt-4o-mini', status: 502, errorCode: 'upstream_error', durationMs: 12 },
    ]);
    expect(byColumn[0]!['app']).toBe('');
    expect(byColumn[2]!['retryAfter']).toBe('17');
  });

  it('writes the field with a comma, a quote and a line break quoted, its quotes doubled', async () => {
    const text = await (await get('/requests.csv?q=ask')).text();
    expect(text).toContain(',"Bad ""model"", try again\nor ask\r\nsupport",');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('downloads the filtered rows as JSON lines, one request view per line', async () => {
    const response = await get('/requests.jsonl?app=cli');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="switchboard-requests.jsonl"',
    );
    const text = await response.text();
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => row['id'])).toEqual(['req_d', 'req_c']);
    // The same view as the log's own rows.
    const listed = ((await (await get('/requests?app=cli')).json()) as { data: unknown[] }).data;
    expect(rows).toEqual(listed);
    expect(rows[0]!['errorMessage']).toBe(AWKWARD);
  });

  it('exports an empty selection as a header alone (CSV) or nothing (JSONL)', async () => {
    expect((await (await get('/requests.csv?app=nobody')).text()).split('\n')).toEqual([
      expect.stringMatching(/^id,time,/),
      '',
    ]);
    expect(await (await get('/requests.jsonl?from=2030-01-01')).text()).toBe('');
  });

  it('exports every row, not a page of them', async () => {
    const store = openStore(gateway.dataDir);
    const many = Array.from({ length: 2500 }, (_, index) =>
      record(`bulk_${String(index).padStart(4, '0')}`, { app: 'bulk', time: DAY2 + 3_600_000 + index }),
    );
    store.requests.insertMany(many);
    store.close();
    const text = await (await get('/requests.jsonl?app=bulk')).text();
    const exported = text
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(exported).toHaveLength(2500);
    expect(exported[0]).toBe('bulk_2499');
    expect(exported.at(-1)).toBe('bulk_0000');
    expect(new Set(exported).size).toBe(2500);
    const csv = parseCsv(await (await get('/requests.csv?app=bulk&from=2026-11-03T10:00:01Z')).text());
    // 1 s after the first bulk row: rows 1000 to 2499, and the header.
    expect(csv).toHaveLength(1 + 1500);
  });

  it('needs the admin token', async () => {
    expect((await fetch(`${gateway.url}/admin/api/requests.csv`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/admin/api/requests.jsonl`)).status).toBe(401);
  });
});
