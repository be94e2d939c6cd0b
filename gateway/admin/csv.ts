/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Text from outside (an error message, a model or session name) that a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) is prefixed with `'`, as OWASP
 * advises against CSV injection: the exports are opened in Excel, and their text is the vendors'
 * and the clients'.
 */
export function inert(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * A number as CSV text: rounded to `decimals` places, trailing zeros trimmed, never in exponent
 * form. Sums of costs carry binary float noise (`0.006614050000000001`) that a spreadsheet shows
 * as it is; ten places keep the cost of a single token of the cheapest model.
 */
export function csvNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return '';
  const text = value.toFixed(decimals);
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return trimmed === '-0' ? '0' : trimmed;
}
