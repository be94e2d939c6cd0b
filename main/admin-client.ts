import { z } from 'zod';

const overviewSchema = z.object({ today: z.object({ costUsd: z.number() }) });
const appsSchema = z.object({ data: z.array(z.object({ name: z.string() })) });
const newKeySchema = z.object({ key: z.string() });
const errorSchema = z.object({ error: z.object({ message: z.string() }) });

export interface AdminClient {
  /** Spend today (UTC), for the tray's status line. */
  todayUsd(): Promise<number>;
  appNames(): Promise<string[]>;
  /** A new key for the app: the only moment it exists in plain text. */
  newKey(app: string): Promise<string>;
}

/**
 * The tray's few calls to the admin API, over HTTP like the dashboard's, so that main/ depends
 * on the gateway's public contract and not on its store.
 */
export function adminClient(
  baseUrl: string,
  adminToken: string,
  fetchImpl: typeof fetch = fetch,
): AdminClient {
  const call = async <T>(path: string, schema: z.ZodType<T>, init: RequestInit = {}): Promise<T> => {
    const response = await fetchImpl(`${baseUrl}/admin/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${adminToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(5_000),
    });
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const parsed = errorSchema.safeParse(body);
      throw new Error(
        parsed.success ? parsed.data.error.message : `The admin API answered ${response.status}.`,
      );
    }
    return schema.parse(body);
  };
  return {
    todayUsd: async () => (await call('/overview', overviewSchema)).today.costUsd,
    appNames: async () => (await call('/apps', appsSchema)).data.map((app) => app.name),
    newKey: async (app) =>
      (await call(`/apps/${encodeURIComponent(app)}/keys`, newKeySchema, { method: 'POST' })).key,
  };
}
