import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/*
 * axe-core run inside the page, as a browser extension would: the script injected, `axe.run` on the
 * document (or one dialog), and what it found at the impacts issue 15 forbids (serious, critical)
 * returned as readable lines, one per rule and element.
 */

// Evaluated through the debugging protocol, which the dashboard's Content-Security-Policy (no
// inline scripts) does not govern: the page under test keeps its real policy.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeNode {
  target: string[];
  failureSummary?: string;
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: AxeNode[];
}

/** Every violation axe finds on the page (or inside `scope`), whatever its impact. */
export async function axeViolations(page: Page, scope?: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } })
      .axe;
    const result = (await axe.run(selector ?? document, { resultTypes: ['violations'] })) as {
      violations: unknown[];
    };
    return result.violations;
  }, scope ?? null);
  return violations as AxeViolation[];
}

/** Of `violations`, the serious and critical ones, one line per rule and element. */
export function seriousOf(violations: readonly AxeViolation[]): string[] {
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.impact} ${violation.id} (${violation.help}) at ${node.target.join(' ')}: ${(node.failureSummary ?? '').split('\n').slice(1).join(' ').trim()}`,
      ),
    );
}

/** The serious and critical violations on the page (or inside `scope`), one line each. */
export async function seriousViolations(page: Page, scope?: string): Promise<string[]> {
  return seriousOf(await axeViolations(page, scope));
}
