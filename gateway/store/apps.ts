import type { Db } from './database.ts';
import { fromJson, toJson } from './json-column.ts';
import type { AppKeyRecord, AppRecord, Source } from './types.ts';

interface AppRow {
  id: number;
  name: string;
  routes: string | null;
  budget: string | null;
  rate_limit: string | null;
  filters: string;
  model_map: string | null;
  source: string;
  created_at: number;
  updated_at: number;
}

interface KeyRow {
  id: number;
  app_id: number;
  hash: string;
  prefix: string;
  source: string;
  created_at: number;
  revoked_at: number | null;
}

export type AppInput = Pick<
  AppRecord,
  'name' | 'routes' | 'budget' | 'rateLimit' | 'filters' | 'modelMap' | 'source'
>;

function appFromRow(row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name,
    routes: fromJson(row.routes),
    budget: fromJson(row.budget),
    rateLimit: fromJson(row.rate_limit),
    filters: fromJson<string[]>(row.filters) ?? [],
    modelMap: fromJson(row.model_map),
    source: row.source as Source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function keyFromRow(row: KeyRow): AppKeyRecord {
  return {
    id: row.id,
    appId: row.app_id,
    hash: row.hash,
    prefix: row.prefix,
    source: row.source as Source,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export function appsTable(db: Db) {
  const all = db.prepare<[], AppRow>('SELECT * FROM apps ORDER BY name');
  const byName = db.prepare<[string], AppRow>('SELECT * FROM apps WHERE name = ?');
  const insert = db.prepare(
    `INSERT INTO apps (name, routes, budget, rate_limit, filters, model_map, source, created_at, updated_at)
     VALUES (@name, @routes, @budget, @rate_limit, @filters, @model_map, @source, @now, @now)`,
  );
  const update = db.prepare(
    `UPDATE apps SET routes = @routes, budget = @budget, rate_limit = @rate_limit, filters = @filters, model_map = @model_map,
       source = @source, updated_at = @now
     WHERE name = @name`,
  );
  const remove = db.prepare<[string]>('DELETE FROM apps WHERE name = ?');
  const allKeys = db.prepare<[], KeyRow>('SELECT * FROM app_keys ORDER BY id');
  const keysOf = db.prepare<[number], KeyRow>('SELECT * FROM app_keys WHERE app_id = ? ORDER BY id');
  const insertKey = db.prepare(
    `INSERT INTO app_keys (app_id, hash, prefix, source, created_at) VALUES (@appId, @hash, @prefix, @source, @now)`,
  );
  const revokeKey = db.prepare<[number, number, number]>(
    'UPDATE app_keys SET revoked_at = ? WHERE id = ? AND app_id = ? AND revoked_at IS NULL',
  );
  const deleteKey = db.prepare<[number]>('DELETE FROM app_keys WHERE id = ?');
  const ownerOfKey = db.prepare<[string], { name: string }>(
    'SELECT apps.name FROM app_keys JOIN apps ON apps.id = app_keys.app_id WHERE app_keys.hash = ?',
  );

  const parameters = (app: AppInput, now: number) => ({
    name: app.name,
    routes: toJson(app.routes),
    budget: toJson(app.budget),
    rate_limit: toJson(app.rateLimit),
    filters: JSON.stringify(app.filters),
    model_map: toJson(app.modelMap),
    source: app.source,
    now,
  });

  return {
    list: (): AppRecord[] => all.all().map(appFromRow),
    get: (name: string): AppRecord | undefined => {
      const row = byName.get(name);
      return row && appFromRow(row);
    },
    insert: (app: AppInput, now: number): number => Number(insert.run(parameters(app, now)).lastInsertRowid),
    update: (app: AppInput, now: number): boolean => update.run(parameters(app, now)).changes > 0,
    remove: (name: string): boolean => remove.run(name).changes > 0,
    allKeys: (): AppKeyRecord[] => allKeys.all().map(keyFromRow),
    keysOf: (appId: number): AppKeyRecord[] => keysOf.all(appId).map(keyFromRow),
    addKey: (appId: number, hash: string, prefix: string, source: Source, now: number): number =>
      Number(insertKey.run({ appId, hash, prefix, source, now }).lastInsertRowid),
    revokeKey: (appId: number, keyId: number, now: number): boolean =>
      revokeKey.run(now, keyId, appId).changes > 0,
    deleteKey: (keyId: number): boolean => deleteKey.run(keyId).changes > 0,
    /** The name of the app a key hash belongs to, revoked or not. */
    ownerOfKey: (hash: string): string | undefined => ownerOfKey.get(hash)?.name,
  };
}
