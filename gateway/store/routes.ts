import type { Db } from './database.ts';
import { fromJson, toJson } from './json-column.ts';
import type { RouteRecord } from './types.ts';

interface RouteRow {
  id: string;
  position: number;
  vendor: string;
  base_url: string;
  api_key_sealed: string | null;
  models: string;
  default_model: string | null;
  budget: string | null;
  filters: string;
  timeouts: string | null;
  default_max_tokens: number | null;
  rate_limit: string | null;
  log_bodies: number;
  model_map: string | null;
  speaks_responses: number;
  fallbacks: string | null;
  retries: number | null;
  source: string;
  created_at: number;
  updated_at: number;
}

export type RouteInput = Omit<RouteRecord, 'createdAt' | 'updatedAt'>;

function fromRow(row: RouteRow): RouteRecord {
  return {
    id: row.id,
    position: row.position,
    vendor: row.vendor as RouteRecord['vendor'],
    baseUrl: row.base_url,
    apiKeySealed: row.api_key_sealed,
    models: fromJson<string[]>(row.models) ?? [],
    defaultModel: row.default_model,
    budget: fromJson(row.budget),
    filters: fromJson<string[]>(row.filters) ?? [],
    timeouts: fromJson(row.timeouts),
    defaultMaxTokens: row.default_max_tokens,
    rateLimit: fromJson(row.rate_limit),
    logBodies: row.log_bodies === 1,
    modelMap: fromJson(row.model_map),
    speaksResponses: row.speaks_responses === 1,
    fallbacks: fromJson<string[]>(row.fallbacks) ?? [],
    retries: row.retries,
    source: row.source as RouteRecord['source'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function routesTable(db: Db) {
  const all = db.prepare<[], RouteRow>('SELECT * FROM routes ORDER BY position, id');
  const one = db.prepare<[string], RouteRow>('SELECT * FROM routes WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO routes (id, position, vendor, base_url, api_key_sealed, models, default_model, budget, filters,
       timeouts, default_max_tokens, rate_limit, log_bodies, model_map, speaks_responses, fallbacks, retries, source,
       created_at, updated_at)
     VALUES (@id, @position, @vendor, @base_url, @api_key_sealed, @models, @default_model, @budget, @filters,
       @timeouts, @default_max_tokens, @rate_limit, @log_bodies, @model_map, @speaks_responses, @fallbacks, @retries,
       @source, @now, @now)`,
  );
  const update = db.prepare(
    `UPDATE routes SET position = @position, vendor = @vendor, base_url = @base_url, api_key_sealed = @api_key_sealed,
       models = @models, default_model = @default_model, budget = @budget, filters = @filters, timeouts = @timeouts,
       default_max_tokens = @default_max_tokens, rate_limit = @rate_limit, log_bodies = @log_bodies,
       model_map = @model_map, speaks_responses = @speaks_responses, fallbacks = @fallbacks, retries = @retries,
       source = @source, updated_at = @now
     WHERE id = @id`,
  );
  const remove = db.prepare<[string]>('DELETE FROM routes WHERE id = ?');
  const fallingBackTo = db.prepare<[string], Pick<RouteRow, 'id' | 'fallbacks'>>(
    'SELECT id, fallbacks FROM routes WHERE EXISTS (SELECT 1 FROM json_each(routes.fallbacks) WHERE value = ?)',
  );
  const setFallbacks = db.prepare<[string | null, string]>('UPDATE routes SET fallbacks = ? WHERE id = ?');
  const nextPosition = db.prepare<[], { next: number }>(
    'SELECT COALESCE(MAX(position) + 1, 0) AS next FROM routes',
  );

  const fallbacksColumn = (fallbacks: readonly string[]) =>
    fallbacks.length === 0 ? null : JSON.stringify(fallbacks);

  // No route is left falling back to one that is gone: an export naming it would not import again.
  const removeWithFallbacks = db.transaction((id: string): boolean => {
    if (remove.run(id).changes === 0) return false;
    for (const route of fallingBackTo.all(id)) {
      const kept = (fromJson<string[]>(route.fallbacks) ?? []).filter((other) => other !== id);
      setFallbacks.run(fallbacksColumn(kept), route.id);
    }
    return true;
  });

  const parameters = (route: RouteInput, now: number) => ({
    id: route.id,
    position: route.position,
    vendor: route.vendor,
    base_url: route.baseUrl,
    api_key_sealed: route.apiKeySealed,
    models: JSON.stringify(route.models),
    default_model: route.defaultModel,
    budget: toJson(route.budget),
    filters: JSON.stringify(route.filters),
    timeouts: toJson(route.timeouts),
    default_max_tokens: route.defaultMaxTokens,
    rate_limit: toJson(route.rateLimit),
    log_bodies: route.logBodies ? 1 : 0,
    model_map: toJson(route.modelMap),
    speaks_responses: route.speaksResponses ? 1 : 0,
    fallbacks: fallbacksColumn(route.fallbacks),
    retries: route.retries,
    source: route.source,
    now,
  });

  return {
    list: (): RouteRecord[] => all.all().map(fromRow),
    get: (id: string): RouteRecord | undefined => {
      const row = one.get(id);
      return row && fromRow(row);
    },
    nextPosition: (): number => nextPosition.get()!.next,
    insert: (route: RouteInput, now: number) => insert.run(parameters(route, now)),
    update: (route: RouteInput, now: number) => update.run(parameters(route, now)).changes > 0,
    /** Deletes the route and takes it out of every other route's fallbacks, at once. */
    remove: (id: string): boolean => removeWithFallbacks(id),
  };
}
