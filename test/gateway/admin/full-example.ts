/**
 * The README's and the contract's full example config (CONTRACT §2), with one filter of every kind,
 * budgets, rate limits and model maps on routes and apps, and every route pointed at a fake upstream: the store
 * a user has after following the README, on which every admin write must keep working (issue 10).
 */

import { ANTHROPIC_KEY } from '../../support/fake-anthropic.ts';

/** The key the fake Anthropic upstream accepts. */
export const ANTHROPIC_VENDOR_KEY = ANTHROPIC_KEY;
export const OPENAI_VENDOR_KEY = 'sk-openai-example-vendor-key-9f8e7d';
export const IDE_KEY = 'sbk_test_0123456789abcdef0123';

/** One filter of every kind the config accepts, as a user would write them. */
export const EVERY_FILTER = [
  {
    name: 'no-secrets',
    kind: 'redact',
    patterns: ['builtin:api-keys', 'builtin:emails', '(?i)password\\s*=\\s*\\S+'],
  },
  { name: 'no-keys', kind: 'block', patterns: ['builtin:api-keys'] },
  { name: 'house-rules', kind: 'system-prompt', mode: 'prepend', text: 'Be brief.' },
  { name: 'cap', kind: 'max-tokens', max: 4096 },
  { name: 'aliases', kind: 'model', aliases: { fast: 'gpt-4.1-nano' } },
  {
    name: 'guard',
    kind: 'script',
    code: "(request) => (JSON.stringify(request).includes('forbidden') ? { block: true, reason: 'house policy' } : null)",
    timeoutMs: 200,
  },
];

/**
 * `apiKey: env:ANTHROPIC_API_KEY` as in the README: pass `{ ANTHROPIC_API_KEY: ANTHROPIC_VENDOR_KEY }`
 * as the environment of the config file.
 */
export function fullExampleConfig(urls: { anthropic: string; openai: string }) {
  return {
    routes: [
      {
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: urls.anthropic,
        apiKey: 'env:ANTHROPIC_API_KEY',
        models: ['claude-*'],
        defaultModel: 'claude-sonnet-4-6',
        budget: { usd: 20, period: 'month' },
        filters: ['no-secrets'],
        modelMap: { 'claude-*haiku*': 'claude-haiku-4-5' },
        fallbacks: ['openai-main'],
      },
      {
        id: 'openai-main',
        vendor: 'openai',
        baseUrl: urls.openai,
        apiKey: OPENAI_VENDOR_KEY,
        models: ['gpt-4.1*', 'text-embedding-*'],
        defaultModel: 'gpt-4.1-nano',
        budget: { usd: 50, period: 'week' },
        rateLimit: { rpm: 600 },
        filters: ['no-keys', 'house-rules', 'cap', 'aliases', 'guard'],
        timeouts: { connectMs: 5000, totalMs: 60000 },
      },
      { id: 'local', vendor: 'ollama', models: ['llama3.*'] },
    ],
    apps: [
      {
        name: 'my-ide',
        key: IDE_KEY,
        routes: ['claude', 'openai-main'],
        budget: { usd: 5, period: 'day' },
        rateLimit: { rpm: 60, tpm: 200000 },
        filters: ['no-secrets'],
        // Claude Code's background model to the OpenAI route, the rest as asked.
        modelMap: { 'claude-*haiku*': 'openai-main/gpt-4.1-nano', 'gpt-4o*': 'gpt-4.1-mini' },
      },
      { name: 'scripts', routes: ['openai-main', 'local'] },
    ],
    filters: EVERY_FILTER,
    prices: [
      { model: 'my-local-model', inputPerMTok: 0, outputPerMTok: 0 },
      { model: 'gpt-4.1-nano', inputPerMTok: 0.1, outputPerMTok: 0.4, cachedInputPerMTok: 0.025 },
    ],
    server: { maxBodyMb: 32, allowedHosts: [], corsOrigins: [] },
  };
}
