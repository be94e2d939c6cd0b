/**
 * Where a Gemini stream's last event begins in `text`, else -1. Gemini sends no end marker: its
 * last chunk is the one with a `finishReason`, and the event that holds it begins after the blank
 * line before it. That event waits until the row is written, so a client that saw the end of its
 * answer finds it recorded.
 */
export function geminiTerminalEventStart(text: string): number {
  const at = text.indexOf('"finishReason"');
  if (at === -1) return -1;
  const start = Math.max(text.lastIndexOf('\n\n', at), text.lastIndexOf('\r\r', at));
  return start === -1 ? 0 : start + 2;
}
