import type { LaunchPlan } from './tools.ts';

export const SHELLS = ['sh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

export function isShell(name: string): name is Shell {
  return (SHELLS as readonly string[]).includes(name);
}

/** POSIX single quotes take everything literally but the quote itself, which is closed, escaped and reopened. */
export function quoteSh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** fish's single quotes give meaning to two characters: the quote and the backslash. */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

/** PowerShell ends a single-quoted string at the straight quote or any of four curly ones; doubling escapes each. */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}

/** A comment line in all three shells; a line break in the note cannot end it early. */
function comment(note: string): string {
  return `# ${note.replace(/[\r\n]+/g, ' ')}`;
}

/** The plan as lines to paste into (or `eval` in) `shell`, ending with a line break. */
export function renderPlan(plan: LaunchPlan, shell: Shell): string {
  const lines: string[] = [];
  for (const name of plan.unset) {
    if (shell === 'sh') lines.push(`unset ${name}`);
    else if (shell === 'fish') lines.push(`set -e ${name}`);
    else lines.push(`Remove-Item Env:${name} -ErrorAction SilentlyContinue`);
  }
  for (const [name, value] of plan.set) {
    if (shell === 'sh') lines.push(`export ${name}=${quoteSh(value)}`);
    else if (shell === 'fish') lines.push(`set -gx ${name} ${quoteFish(value)}`);
    else lines.push(`$env:${name} = ${quotePowerShell(value)}`);
  }
  lines.push(...plan.notes.map(comment));
  return `${lines.join('\n')}\n`;
}
