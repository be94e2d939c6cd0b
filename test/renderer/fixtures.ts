import type { App, Route } from '../../renderer/src/api/types.ts';

export const route = (overrides: Partial<Route> = {}): Route => ({
  id: 'openai',
  vendor: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  hasApiKey: true,
  models: ['gpt-4.1-mini'],
  defaultModel: null,
  budget: null,
  filters: [],
  timeouts: null,
  defaultMaxTokens: null,
  rateLimit: null,
  logBodies: false,
  modelMap: null,
  responses: false,
  fallbacks: [],
  retries: null,
  health: { state: 'healthy', until: null, recentFailures: 0, lastError: null },
  source: 'admin',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  unpricedModels: [],
  ...overrides,
});

export const app = (overrides: Partial<App> = {}): App => ({
  name: 'cursor',
  builtIn: false,
  routes: null,
  budget: null,
  rateLimit: null,
  filters: [],
  modelMap: null,
  source: 'admin',
  keys: [{ id: 1, prefix: 'sbk_AbCd…', createdAt: '2025-01-01T00:00:00.000Z', revokedAt: null }],
  createdAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

export const KEY = 'sbk_0123456789ABCDEFGHIJabcdefghij01';
