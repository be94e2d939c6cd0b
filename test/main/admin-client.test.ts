// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { adminClient } from '../../main/admin-client.ts';

function answer(status: number, body: unknown) {
  return vi.fn<typeof fetch>(async () => new Response(JSON.stringify(body), { status }));
}

describe('the tray’s admin client', () => {
  it('sends the admin token and reads the answers', async () => {
    const fetchImpl = answer(200, { today: { costUsd: 1.5, requests: 3 } });
    const client = adminClient('http://127.0.0.1:4141', 'admin-token', fetchImpl);
    expect(await client.todayUsd()).toBe(1.5);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:4141/admin/api/overview');
    expect(init?.headers).toMatchObject({ authorization: 'Bearer admin-token' });
  });

  it('asks for a new key with POST, the app name escaped', async () => {
    const fetchImpl = answer(201, { id: 2, prefix: 'sbk_ab', key: 'sbk_abcdef' });
    expect(await adminClient('http://h', 't', fetchImpl).newKey('my app/x')).toBe('sbk_abcdef');
    expect(fetchImpl.mock.calls[0]![0]).toBe('http://h/admin/api/apps/my%20app%2Fx/keys');
    expect(fetchImpl.mock.calls[0]![1]?.method).toBe('POST');
  });

  it('passes on the gateway’s error message', async () => {
    const fetchImpl = answer(404, { error: { message: 'App "x" does not exist.', type: 'not_found_error' } });
    await expect(adminClient('http://h', 't', fetchImpl).newKey('x')).rejects.toThrow(
      'App "x" does not exist.',
    );
    await expect(adminClient('http://h', 't', answer(500, 'oops')).appNames()).rejects.toThrow(
      'The admin API answered 500.',
    );
  });

  it('refuses an answer of the wrong shape', async () => {
    await expect(
      adminClient('http://h', 't', answer(200, { data: [{ id: 1 }] })).appNames(),
    ).rejects.toThrow();
  });
});
