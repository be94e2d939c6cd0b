import type { Store } from '../store/index.ts';
import { appToConfig, filterToConfig, priceToConfig, routeToConfig } from './records.ts';
import { STORED_KEY } from './load.ts';
import type { ServerConfig } from './schema.ts';

/**
 * The store in the config-file format. Keys are never exported: a route whose vendor key is
 * stored says `apiKey: stored`, and an app with a fixed key from a config file `key: stored`,
 * which applying the file (import, or `serve --config` on the same data dir) reads as "keep what
 * is stored". So applying an export changes nothing.
 */
export function exportConfig(store: Store, server: ServerConfig) {
  return {
    routes: store.routes.list().map(routeToConfig),
    apps: store.apps.list().map((app) => appToConfig(app, store.apps.keysOf(app.id))),
    filters: store.filters.list().map(filterToConfig),
    prices: store.prices.list().map(priceToConfig),
    // The webhook's URL can carry a token: like a key, it is said to be held, never written out.
    server: server.alertWebhook ? { ...server, alertWebhook: { url: STORED_KEY } } : server,
  };
}
