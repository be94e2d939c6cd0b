import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteFish, quotePowerShell, quoteSh, renderPlan } from '../../../gateway/launch/shell.ts';
import { launchPlan } from '../../../gateway/launch/tools.ts';

/** Values that break naive quoting: quotes of every kind, expansions, separators, line breaks. */
const HOSTILE = [
  "it's",
  `'; rm -rf ~; echo '`,
  '$(touch /tmp/pwned) `id` ${HOME} $HOME',
  'back\\slash\\',
  'new\nline',
  'semi;colon && pipe | amp & star * ?',
  '"double" ‘curly’ ‚low‛',
  '',
];

describe('quoting for sh', () => {
  it.each(['sh', 'bash'])('gives back every hostile value byte for byte through %s', (shell) => {
    for (const value of HOSTILE) {
      const script = `export V=${quoteSh(value)}\nprintf %s "$V"`;
      expect(execFileSync(shell, ['-c', script], { encoding: 'utf8' })).toBe(value);
    }
  });

  it('escapes only the single quote', () => {
    expect(quoteSh("a'b")).toBe(`'a'\\''b'`);
    expect(quoteSh('$HOME\\')).toBe(`'$HOME\\'`);
  });
});

describe('quoting for fish and PowerShell', () => {
  it('escapes the quote and the backslash for fish, nothing else', () => {
    expect(quoteFish("it's")).toBe(`'it\\'s'`);
    expect(quoteFish('a\\b')).toBe(`'a\\\\b'`);
    expect(quoteFish('$HOME (id) "x"')).toBe(`'$HOME (id) "x"'`);
    expect(quoteFish(`'; rm -rf ~; echo '`)).toBe(`'\\'; rm -rf ~; echo \\''`);
  });

  it('doubles each of the four quotes that end a PowerShell string', () => {
    expect(quotePowerShell("it's")).toBe(`'it''s'`);
    expect(quotePowerShell('‘a’ ‚b‛')).toBe(`'‘‘a’’ ‚‚b‛‛'`);
    expect(quotePowerShell('$env:HOME `n "x" \\')).toBe(`'$env:HOME \`n "x" \\'`);
  });

  it('leaves no quote character unescaped in any hostile value', () => {
    for (const value of HOSTILE) {
      const fish = quoteFish(value).slice(1, -1);
      expect(fish.replace(/\\[\\']/g, '')).not.toMatch(/['\\]/);
      const powershell = quotePowerShell(value).slice(1, -1);
      expect(powershell.replace(/(['‘’‚‛])\1/g, '')).not.toMatch(/['‘’‚‛]/);
    }
  });
});

describe('renderPlan', () => {
  const plan = launchPlan('claude', { origin: 'http://127.0.0.1:4141', key: "sbk_it's", routeId: 'claude' });

  it('prints unset, export and comment lines for sh, ready for eval', () => {
    expect(renderPlan(plan, 'sh')).toBe(
      [
        'unset ANTHROPIC_AUTH_TOKEN',
        "export ANTHROPIC_BASE_URL='http://127.0.0.1:4141/anthropic/claude'",
        `export ANTHROPIC_API_KEY='sbk_it'\\''s'`,
        `# Claude Code's models go to route "claude"; on another vendor, pick one with --model.`,
        '',
      ].join('\n'),
    );
    const script = `ANTHROPIC_AUTH_TOKEN=mine; export ANTHROPIC_AUTH_TOKEN\neval "$(cat)"\nprintf '%s|%s|%s' "$ANTHROPIC_BASE_URL" "$ANTHROPIC_API_KEY" "\${ANTHROPIC_AUTH_TOKEN-unset}"`;
    expect(execFileSync('sh', ['-c', script], { input: renderPlan(plan, 'sh'), encoding: 'utf8' })).toBe(
      "http://127.0.0.1:4141/anthropic/claude|sbk_it's|unset",
    );
  });

  it('prints set -gx / set -e for fish and $env: / Remove-Item for PowerShell', () => {
    expect(renderPlan(plan, 'fish').split('\n').slice(0, 3)).toEqual([
      'set -e ANTHROPIC_AUTH_TOKEN',
      "set -gx ANTHROPIC_BASE_URL 'http://127.0.0.1:4141/anthropic/claude'",
      "set -gx ANTHROPIC_API_KEY 'sbk_it\\'s'",
    ]);
    expect(renderPlan(plan, 'powershell').split('\n').slice(0, 3)).toEqual([
      'Remove-Item Env:ANTHROPIC_AUTH_TOKEN -ErrorAction SilentlyContinue',
      "$env:ANTHROPIC_BASE_URL = 'http://127.0.0.1:4141/anthropic/claude'",
      "$env:ANTHROPIC_API_KEY = 'sbk_it''s'",
    ]);
  });
});
