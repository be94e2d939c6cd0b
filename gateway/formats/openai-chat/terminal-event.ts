/**
 * Where an OpenAI stream's last event (`data: [DONE]`) begins in `text`, else -1: that event waits
 * until the row is written, so a client that saw the end of its answer finds it recorded.
 */
export function openAiTerminalEventStart(text: string): number {
  return /^data: ?\[DONE\]/m.exec(text)?.index ?? -1;
}
