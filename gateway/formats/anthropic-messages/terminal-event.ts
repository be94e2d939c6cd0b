/**
 * Where an Anthropic stream's last event (`event: message_stop`) begins in `text`, else -1: that
 * event waits until the row is written, so a client that saw the end of its answer finds it recorded.
 */
export function anthropicTerminalEventStart(text: string): number {
  return /^event: ?message_stop/m.exec(text)?.index ?? -1;
}
