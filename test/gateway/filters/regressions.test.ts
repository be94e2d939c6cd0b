import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyModelFilters, compileFilter } from '../../../gateway/filters/engine.ts';
import { compilePatterns, findMatches } from '../../../gateway/filters/patterns.ts';
import { redactText, StreamRedactor } from '../../../gateway/filters/redact.ts';
import { BudgetGuard } from '../../../gateway/policy/budgets.ts';
import { RateLimiter } from '../../../gateway/policy/rate-limits.ts';
import { openDatabase } from '../../../gateway/store/database.ts';
import { createStore } from '../../../gateway/store/index.ts';
import { EXAMPLES } from './samples.ts';

/** The bugs the policy unit tests found, each pinned by a test that failed before its fix. */
describe('policy regressions', () => {
  const all = compilePatterns(
    ['builtin:api-keys', 'builtin:emails', 'builtin:credit-cards', 'builtin:ip-addresses'],
    'all',
  );

  it('treats a model named after an Object property as a name', () => {
    const aliases = compileFilter('a', 'model', { aliases: { fast: 'gpt-4.1-nano' } });
    for (const model of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(applyModelFilters([aliases], model)).toBe(model);
    }
    expect(applyModelFilters([aliases], 'fast')).toBe('gpt-4.1-nano');
  });

  it('finds a Google key that ends in a dash', () => {
    expect(redactText('key AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQ- here', all)).toBe(
      'key [REDACTED:api-keys] here',
    );
  });

  it('joins overlapping matches, so that no part of either survives', () => {
    const out = redactText('0::0:0.0.0.0a@a.com', all);
    expect(findMatches(out.replace(/\[REDACTED:[a-z-]+\]/g, ' '), all)).toEqual([]);
    expect(out).not.toContain('a@a.com');
  });

  it('redacts what a marker completes next to it', () => {
    const patterns = compilePatterns(['\\bTICKET-\\d{4,8}\\b', '(?i)password=[^\\s,]{1,30}'], 'internal');
    expect(redactText('TICKET-0000password=a', patterns)).toBe('[REDACTED:internal][REDACTED:internal]');
  });

  it('does not hold a stream back behind a certificate, only behind a private key', () => {
    const redactor = new StreamRedactor(all);
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const out = redactor.push(`${certificate}\n${'x'.repeat(2200)}`);
    expect(out.startsWith(certificate)).toBe(true);
  });

  it('redacts a private key whose stream ends before its END line', () => {
    const redactor = new StreamRedactor(all);
    const cut = EXAMPLES.pem.slice(0, EXAMPLES.pem.indexOf('-----END'));
    const text = redactor.push(`Here:\n${cut}`) + redactor.end();
    expect(text).toBe('Here:\n[REDACTED:api-keys]');
  });

  it('says when enough tokens leave a tokens-per-minute window', () => {
    const limiter = new RateLimiter();
    const rules = [{ scope: 'app' as const, name: 'a', limit: { tpm: 100 } }];
    limiter.admit(rules, 0, 0);
    limiter.admit(rules, 0, 1);
    limiter.settle(rules, 100, 10_000);
    try {
      limiter.admit(rules, 0, 20_000);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as { headers: Record<string, string> }).headers['retry-after']).toBe('50');
    }
    expect(() => limiter.admit(rules, 0, 70_001)).not.toThrow();
  });

  it('leaves exactly nothing reserved once everything is released', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-regression-'));
    const store = createStore(openDatabase(dir));
    try {
      const guard = new BudgetGuard(store);
      const rules = [{ scope: 'app' as const, name: 'a', budget: { usd: 1, period: 'day' as const } }];
      guard.admit('r1', rules, 0.1, 0);
      guard.admit('r2', rules, 0.2, 0);
      expect(guard.sweep()).toBe(2);
      expect(guard.status(rules, 0)[0]!.reservedUsd).toBe(0);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
