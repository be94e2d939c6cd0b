import type { Provider } from './types.ts';

/** Signs a call with the key in one header (`x-api-key: k`, `authorization: Bearer k`); no key, no header. */
export function keyHeader(name: string, prefix = ''): Provider['authorize'] {
  return (apiKey) => Promise.resolve(apiKey ? { [name]: `${prefix}${apiKey}` } : {});
}
