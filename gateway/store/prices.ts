import type { Db } from './database.ts';
import type { PriceRecord, Source } from './types.ts';

interface PriceRow {
  model: string;
  input_per_mtok: number;
  output_per_mtok: number;
  cached_input_per_mtok: number | null;
  source: string;
  updated_at: number;
}

function fromRow(row: PriceRow): PriceRecord {
  return {
    model: row.model,
    inputPerMTok: row.input_per_mtok,
    outputPerMTok: row.output_per_mtok,
    cachedInputPerMTok: row.cached_input_per_mtok,
    source: row.source as Source,
    updatedAt: row.updated_at,
  };
}

export function pricesTable(db: Db) {
  const all = db.prepare<[], PriceRow>('SELECT * FROM prices ORDER BY model');
  const upsert = db.prepare(
    `INSERT INTO prices (model, input_per_mtok, output_per_mtok, cached_input_per_mtok, source, updated_at)
     VALUES (@model, @input, @output, @cached, @source, @now)
     ON CONFLICT(model) DO UPDATE SET input_per_mtok = excluded.input_per_mtok,
       output_per_mtok = excluded.output_per_mtok, cached_input_per_mtok = excluded.cached_input_per_mtok,
       source = excluded.source, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare<[string]>('DELETE FROM prices WHERE model = ?');
  return {
    list: (): PriceRecord[] => all.all().map(fromRow),
    upsert: (price: Omit<PriceRecord, 'updatedAt'>, now: number) =>
      upsert.run({
        model: price.model,
        input: price.inputPerMTok,
        output: price.outputPerMTok,
        cached: price.cachedInputPerMTok,
        source: price.source,
        now,
      }),
    remove: (model: string): boolean => remove.run(model).changes > 0,
  };
}
