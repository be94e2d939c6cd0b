/**
 * Where a Responses stream's last event (`response.completed`, `response.incomplete` or
 * `response.failed`) begins in `text`, else -1: its `event:` line where it has one, else its data
 * line. That event waits until the row is written, so a client that saw the end of its answer
 * finds it recorded.
 */
export function responsesTerminalEventStart(text: string): number {
  return (
    /^(?:event: ?response\.(?:completed|incomplete|failed)\b|data: ?\{"type": ?"response\.(?:completed|incomplete|failed)")/m.exec(
      text,
    )?.index ?? -1
  );
}
