import type { Db } from './database.ts';
import type { FilterRecord, Source } from './types.ts';

interface FilterRow {
  name: string;
  kind: string;
  spec: string;
  source: string;
  updated_at: number;
}

function fromRow(row: FilterRow): FilterRecord {
  return {
    name: row.name,
    kind: row.kind,
    spec: JSON.parse(row.spec) as Record<string, unknown>,
    source: row.source as Source,
    updatedAt: row.updated_at,
  };
}

export function filtersTable(db: Db) {
  const all = db.prepare<[], FilterRow>('SELECT * FROM filters ORDER BY name');
  const upsert = db.prepare(
    `INSERT INTO filters (name, kind, spec, source, updated_at) VALUES (@name, @kind, @spec, @source, @now)
     ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, spec = excluded.spec, source = excluded.source,
       updated_at = excluded.updated_at`,
  );
  const remove = db.prepare<[string]>('DELETE FROM filters WHERE name = ?');
  return {
    list: (): FilterRecord[] => all.all().map(fromRow),
    upsert: (filter: Omit<FilterRecord, 'updatedAt'>, now: number) =>
      upsert.run({
        name: filter.name,
        kind: filter.kind,
        spec: JSON.stringify(filter.spec),
        source: filter.source,
        now,
      }),
    remove: (name: string): boolean => remove.run(name).changes > 0,
  };
}
