import { notFound } from './errors.ts';

/**
 * A path parameter of the matched route, e.g. `param(ctx, 'id')` on `/routes/:id`. The router
 * sets every parameter its path names; one it does not name is a path that leads nowhere: 404.
 */
export function param(ctx: { params: Partial<Record<string, string>> }, name: string): string {
  const value = ctx.params[name];
  if (value === undefined || value === '') notFound(`The path parameter "${name}"`);
  return value;
}
