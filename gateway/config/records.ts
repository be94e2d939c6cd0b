import type { z } from 'zod';
import type { AppInput } from '../store/apps.ts';
import type { RouteInput } from '../store/routes.ts';
import type {
  AppKeyRecord,
  AppRecord,
  FilterRecord,
  ModelMap,
  PriceRecord,
  RouteRecord,
  Source,
} from '../store/types.ts';
import { STORED_KEY, type ResolvedRoute } from './load.ts';
import type { AppConfig, appSchema, PriceConfig, routeSchema } from './schema.ts';

/*
 * The one translation between what the store keeps and the config-file format, both ways, for
 * each resource: the config export and the admin API's PATCH merges read records as config
 * entries; applying a config and the admin API's writes turn entries into records.
 */

/** A route or app as a config file writes it (optional fields left out, not null). */
export type RouteEntry = z.input<typeof routeSchema>;
export type AppEntry = z.input<typeof appSchema>;
/** A filter's config entry: its name and kind beside the fields of its kind. */
export type FilterEntry = { name: string; kind: string } & Record<string, unknown>;

/** An empty map is no map: stored as null, left out of the file, so both read back the same. */
const storedMap = (map: ModelMap | undefined): ModelMap | null =>
  map === undefined || Object.keys(map).length === 0 ? null : map;

/** Where a route sits and what it holds that the config file does not say. */
export interface RouteStorage {
  position: number;
  apiKeySealed: string | null;
  source: Source;
}

/**
 * A stored route as a config entry. Keys are never written out: `apiKey: stored` stands for the
 * key this gateway holds, which applying the entry keeps.
 */
export function routeToConfig(route: RouteRecord): RouteEntry {
  return {
    id: route.id,
    vendor: route.vendor,
    baseUrl: route.baseUrl,
    ...(route.apiKeySealed === null ? {} : { apiKey: STORED_KEY }),
    models: route.models,
    ...(route.defaultModel === null ? {} : { defaultModel: route.defaultModel }),
    ...(route.budget === null ? {} : { budget: route.budget }),
    filters: route.filters,
    ...(route.timeouts === null ? {} : { timeouts: route.timeouts }),
    ...(route.defaultMaxTokens === null ? {} : { defaultMaxTokens: route.defaultMaxTokens }),
    ...(route.rateLimit === null ? {} : { rateLimit: route.rateLimit }),
    ...(route.logBodies ? { logBodies: true } : {}),
    ...(route.modelMap === null ? {} : { modelMap: route.modelMap }),
    ...(route.speaksResponses ? { responses: true } : {}),
    ...(route.fallbacks.length === 0 ? {} : { fallbacks: route.fallbacks }),
    ...(route.retries === null ? {} : { retries: route.retries }),
  };
}

/** A validated route (from a file or the admin API) as the store keeps it. */
export function routeFromConfig(route: ResolvedRoute, stored: RouteStorage): RouteInput {
  return {
    id: route.id,
    position: stored.position,
    vendor: route.vendor,
    baseUrl: route.baseUrl,
    apiKeySealed: stored.apiKeySealed,
    models: route.models,
    defaultModel: route.defaultModel ?? null,
    budget: route.budget ?? null,
    filters: route.filters,
    timeouts: route.timeouts ?? null,
    defaultMaxTokens: route.defaultMaxTokens ?? null,
    rateLimit: route.rateLimit ?? null,
    logBodies: route.logBodies ?? false,
    modelMap: storedMap(route.modelMap),
    speaksResponses: route.responses ?? false,
    fallbacks: route.fallbacks ?? [],
    retries: route.retries ?? null,
    source: stored.source,
  };
}

/**
 * A stored app as a config entry. `key: stored` where a config file gave it a fixed key: keys the
 * dashboard issued are not the file's to keep or drop.
 */
export function appToConfig(app: AppRecord, keys: readonly AppKeyRecord[]): AppEntry {
  return {
    name: app.name,
    ...(keys.some((key) => key.source === 'config') ? { key: STORED_KEY } : {}),
    ...(app.routes === null ? {} : { routes: app.routes }),
    ...(app.budget === null ? {} : { budget: app.budget }),
    ...(app.rateLimit === null ? {} : { rateLimit: app.rateLimit }),
    ...(app.filters.length === 0 ? {} : { filters: app.filters }),
    ...(app.modelMap === null ? {} : { modelMap: app.modelMap }),
  };
}

/** A validated app (from a file or the admin API) as the store keeps it; its keys are stored apart. */
export function appFromConfig(app: AppConfig, source: Source): AppInput {
  return {
    name: app.name,
    routes: app.routes ?? null,
    budget: app.budget ?? null,
    rateLimit: app.rateLimit ?? null,
    filters: app.filters,
    modelMap: storedMap(app.modelMap),
    source,
  };
}

export function filterToConfig(filter: Pick<FilterRecord, 'name' | 'kind' | 'spec'>): FilterEntry {
  return { name: filter.name, kind: filter.kind, ...filter.spec };
}

export function filterFromConfig(filter: FilterEntry, source: Source): Omit<FilterRecord, 'updatedAt'> {
  const { name, kind, ...spec } = filter;
  return { name, kind, spec, source };
}

export function priceToConfig(price: PriceRecord): PriceConfig {
  return {
    model: price.model,
    inputPerMTok: price.inputPerMTok,
    outputPerMTok: price.outputPerMTok,
    ...(price.cachedInputPerMTok === null ? {} : { cachedInputPerMTok: price.cachedInputPerMTok }),
  };
}

export function priceFromConfig(price: PriceConfig, source: Source): Omit<PriceRecord, 'updatedAt'> {
  return {
    model: price.model,
    inputPerMTok: price.inputPerMTok,
    outputPerMTok: price.outputPerMTok,
    cachedInputPerMTok: price.cachedInputPerMTok ?? null,
    source,
  };
}

/**
 * Whether a stored record already holds every field an input would write (ids and timestamps are
 * not input), so that applying the same config twice writes nothing the second time.
 */
export function unchanged<Input extends object>(record: Input, input: Input): boolean {
  return (Object.keys(input) as (keyof Input)[]).every(
    (field) => JSON.stringify(record[field]) === JSON.stringify(input[field]),
  );
}
