import type Router from '@koa/router';
import type { Catalog } from '../catalog.ts';
import { parseConfig } from '../config/load.ts';
import { priceFromConfig } from '../config/records.ts';
import type { GatewayState } from '../http/context.ts';
import type { Store } from '../store/index.ts';
import { readAdminJson } from './body.ts';
import { configInvalid, notFound } from './errors.ts';
import { param } from './params.ts';

export interface PricesAdminDeps {
  store: Store;
  catalog: Catalog;
  now: () => number;
}

/** Price overrides per model, on top of the price library. */
export function addPricesRoutes(router: Router<GatewayState>, deps: PricesAdminDeps): void {
  const { store, catalog } = deps;

  router.get('/prices', (ctx) => {
    ctx.body = { data: store.prices.list() };
  });

  router.put('/prices/:model', async (ctx) => {
    const model = param(ctx, 'model');
    const body = await readAdminJson(ctx);
    let prices;
    try {
      // Validated as a config file's price is; the path names the model.
      prices = parseConfig({ prices: [{ ...body, model }] }, 'price').prices;
    } catch (error) {
      configInvalid(error);
    }
    for (const price of prices) store.prices.upsert(priceFromConfig(price, 'admin'), deps.now());
    catalog.refresh();
    ctx.body = store.prices.list().find((price) => price.model === model);
  });

  router.delete('/prices/:model', (ctx) => {
    const model = param(ctx, 'model');
    if (!store.prices.remove(model)) notFound(`A price for "${model}"`);
    catalog.refresh();
    ctx.status = 204;
  });
}
