import { PLAYGROUND_APP } from '../domain.ts';
import type { AppKeyRecord, AppRecord, RequestRecord, RouteRecord } from '../store/types.ts';

/** A route as the admin API shows it: everything but the key, which is only ever said to exist. */
export function routeView(route: RouteRecord) {
  return {
    id: route.id,
    vendor: route.vendor,
    baseUrl: route.baseUrl,
    hasApiKey: route.apiKeySealed !== null,
    models: route.models,
    defaultModel: route.defaultModel,
    budget: route.budget,
    filters: route.filters,
    timeouts: route.timeouts,
    defaultMaxTokens: route.defaultMaxTokens,
    rateLimit: route.rateLimit,
    logBodies: route.logBodies,
    modelMap: route.modelMap,
    responses: route.speaksResponses,
    fallbacks: route.fallbacks,
    retries: route.retries,
    source: route.source,
    createdAt: new Date(route.createdAt).toISOString(),
    updatedAt: new Date(route.updatedAt).toISOString(),
  };
}

export function keyView(key: AppKeyRecord) {
  return {
    id: key.id,
    prefix: key.prefix,
    createdAt: new Date(key.createdAt).toISOString(),
    revokedAt: key.revokedAt === null ? null : new Date(key.revokedAt).toISOString(),
  };
}

export function appView(app: AppRecord, keys: AppKeyRecord[]) {
  return {
    name: app.name,
    // The dashboard's playground and replays are sent as this app (gateway/admin/playground-routes.ts).
    builtIn: app.name === PLAYGROUND_APP,
    routes: app.routes,
    budget: app.budget,
    rateLimit: app.rateLimit,
    filters: app.filters,
    modelMap: app.modelMap,
    source: app.source,
    keys: keys.map(keyView),
    createdAt: new Date(app.createdAt).toISOString(),
  };
}

export function requestView(record: RequestRecord) {
  return {
    ...record,
    time: new Date(record.time).toISOString(),
    // Always said, null when there is none (rows written before these were kept have none).
    errorMessage: record.errorMessage ?? null,
    retryAfter: record.retryAfter ?? null,
    requestedModel: record.requestedModel ?? null,
    session: record.session ?? null,
    agent: record.agent ?? null,
    attempts: record.attempts ?? [],
    // The vendors' share of the latency and Switchboard's own (null where no call was made).
    upstreamMs: record.upstreamMs ?? null,
    gatewayMs:
      record.upstreamMs === null || record.upstreamMs === undefined
        ? null
        : Math.round((record.latencyMs - record.upstreamMs) * 1000) / 1000,
  };
}
