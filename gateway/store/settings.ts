import type { Db } from './database.ts';

/** Small JSON values by name: what the dashboard changes that has no table of its own. */
export function settingsTable(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const set = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  return {
    get: <T>(key: string): T | undefined => {
      const row = get.get(key);
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    set: (key: string, value: unknown): void => {
      set.run(key, JSON.stringify(value));
    },
  };
}
