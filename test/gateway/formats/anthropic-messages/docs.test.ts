import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PARAMETER_RULES, ruleFields } from '../../../../gateway/formats/anthropic-messages/parameters.ts';
import { THINKING_BUDGETS } from '../../../../gateway/formats/anthropic-messages/thinking.ts';

const DOC = readFileSync(new URL('../../../../docs/vendors/anthropic.md', import.meta.url), 'utf8');

/** The rows of the first table after a heading, as trimmed cells. */
function tableAfter(heading: string): string[][] {
  const start = DOC.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const lines = DOC.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  // Header and separator rows off.
  return rows.slice(2);
}

describe('docs/vendors/anthropic.md', () => {
  it('lists every parameter rule, as parameters.ts has it, in its order', () => {
    const expected = PARAMETER_RULES.map((rule) => [
      ruleFields(rule)
        .map((field) => `\`${field}\``)
        .join(', '),
      rule.carriedAs ?? '—',
      rule.droppedWhen ?? '—',
      rule.refusedWhen ?? '—',
    ]);
    expect(tableAfter('## Parameters')).toEqual(expected);
  });

  it('gives the thinking budgets the code uses', () => {
    const rows = tableAfter('## Thinking');
    for (const [effort, budget] of Object.entries(THINKING_BUDGETS)) {
      expect(rows.find((row) => row[0] === `\`${effort}\``)?.[1]).toBe(String(budget));
    }
  });

  it('names each parameter once', () => {
    const fields = PARAMETER_RULES.flatMap(ruleFields);
    expect(new Set(fields).size).toBe(fields.length);
  });
});
