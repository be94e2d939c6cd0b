import { describe, expect, it } from 'vitest';
import { applyPlan, launchPlan, routeRefusal } from '../../../gateway/launch/tools.ts';

const ORIGIN = 'http://127.0.0.1:4141';
const KEY = 'sbk_test_0123456789abcdef0123';

describe('launchPlan', () => {
  it('points Claude Code at the root, where the model picks the route, or at one route', () => {
    const root = launchPlan('claude', { origin: ORIGIN, key: KEY, routeId: undefined });
    expect(root.set).toEqual([
      ['ANTHROPIC_BASE_URL', ORIGIN],
      ['ANTHROPIC_API_KEY', KEY],
    ]);
    expect(root.unset).toEqual(['ANTHROPIC_AUTH_TOKEN']);
    expect(root.notes.join(' ')).toContain('--model ROUTE/MODEL');
    const one = launchPlan('claude', { origin: ORIGIN, key: KEY, routeId: 'local' });
    expect(one.set[0]).toEqual(['ANTHROPIC_BASE_URL', `${ORIGIN}/anthropic/local`]);
  });

  it('points Gemini CLI at /gemini/{route} with its API key, and says which setting it needs', () => {
    const plan = launchPlan('gemini', { origin: ORIGIN, key: KEY, routeId: 'claude' });
    expect(plan.set).toEqual([
      ['GOOGLE_GEMINI_BASE_URL', `${ORIGIN}/gemini/claude`],
      ['GEMINI_API_KEY', KEY],
      ['GEMINI_DEFAULT_AUTH_TYPE', 'gemini-api-key'],
    ]);
    expect(plan.notes.join(' ')).toContain('"selectedType": "gemini-api-key"');
  });

  it('gives Codex only the key, in the variable its provider names, and says how to pick a model', () => {
    const root = launchPlan('codex', { origin: ORIGIN, key: KEY, routeId: undefined });
    expect(root).toEqual({
      set: [['SWITCHBOARD_APP_KEY', KEY]],
      unset: [],
      notes: [expect.stringContaining('--model ROUTE/MODEL')],
    });
    const one = launchPlan('codex', { origin: ORIGIN, key: KEY, routeId: 'claude' });
    expect(one.notes.join(' ')).toContain('on route "claude" of another vendor, pick one with --model');
  });

  it('gives any OpenAI-style tool /v1, or /openai/{route}/v1', () => {
    expect(launchPlan('openai', { origin: ORIGIN, key: KEY, routeId: undefined }).set).toEqual([
      ['OPENAI_BASE_URL', `${ORIGIN}/v1`],
      ['OPENAI_API_KEY', KEY],
    ]);
    expect(launchPlan('openai', { origin: ORIGIN, key: KEY, routeId: 'r1' }).set[0]).toEqual([
      'OPENAI_BASE_URL',
      `${ORIGIN}/openai/r1/v1`,
    ]);
  });
});

describe('routeRefusal', () => {
  it('refuses a route id that is not one, before it can reach a URL', () => {
    expect(routeRefusal('claude', '../admin')).toContain('--route must be a route id');
    expect(routeRefusal('openai', 'A B')).toContain('--route must be a route id');
    expect(routeRefusal('claude', 'ok-1')).toBeUndefined();
  });

  it('needs a route for Gemini CLI only', () => {
    expect(routeRefusal('gemini', undefined)).toContain('--route ID');
    expect(routeRefusal('claude', undefined)).toBeUndefined();
    expect(routeRefusal('openai', undefined)).toBeUndefined();
    expect(routeRefusal('codex', undefined)).toBeUndefined();
    expect(routeRefusal('codex', 'a"b')).toContain('--route must be a route id');
  });
});

describe('applyPlan', () => {
  it('adds the variables to the environment and removes the ones the tool would prefer', () => {
    const plan = launchPlan('claude', { origin: ORIGIN, key: KEY, routeId: undefined });
    const environment = applyPlan(
      { PATH: '/bin', ANTHROPIC_AUTH_TOKEN: 'mine', ANTHROPIC_API_KEY: 'old' },
      plan,
    );
    expect(environment).toEqual({ PATH: '/bin', ANTHROPIC_BASE_URL: ORIGIN, ANTHROPIC_API_KEY: KEY });
  });
});
