import type { JsonObject } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import { malformed, type InboundMessage, type LooseBlock } from './request-schema.ts';

/*
 * Anthropic's conversation → the hub's messages. The hub has no thinking and no server tools:
 * thinking blocks (whose signatures only Anthropic can check) and the blocks of server tools (work
 * done upstream, whose outcome is in the text after them) are left out. `cache_control` and
 * `citations` on any block are not read, so they are dropped.
 */

type ContentPart = JsonObject;

/** Server-tool blocks an earlier Anthropic turn may hold: `server_tool_use`, `web_search_tool_result`… */
const isServerToolBlock = (type: string): boolean =>
  type === 'server_tool_use' ||
  type === 'mcp_tool_use' ||
  (type.endsWith('_tool_result') && type !== 'tool_result');

const isThinking = (type: string): boolean => type === 'thinking' || type === 'redacted_thinking';

const textPart = (text: string): ContentPart => ({ type: 'text', text });

function record(value: unknown, where: string, what: string): Record<string, unknown> {
  if (!isJsonObject(value)) throw malformed(`${where}: ${what} must be an object.`, where);
  return value;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw malformed(`${where}: must be a string.`, where);
  return value;
}

function imagePart(block: LooseBlock, where: string): ContentPart {
  const source = record(block['source'], `${where}.source`, 'an image source');
  if (source['type'] === 'base64') {
    const mediaType = string(source['media_type'], `${where}.source.media_type`);
    const data = string(source['data'], `${where}.source.data`);
    return { type: 'image_url', image_url: { url: `data:${mediaType};base64,${data}` } };
  }
  if (source['type'] === 'url') {
    return { type: 'image_url', image_url: { url: string(source['url'], `${where}.source.url`) } };
  }
  throw malformed(
    `${where}.source: an image of source type ${JSON.stringify(source['type'])} cannot be read here; send it as base64 or a URL.`,
    `${where}.source`,
  );
}

/** The text of nested content (a document's or a search result's): text blocks only. */
function nestedText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw malformed(`${where}: must be a string or a list of text blocks.`, where);
  return value
    .map((item, index) => {
      const inner = record(item, `${where}[${index}]`, 'a block');
      if (inner['type'] !== 'text') {
        throw malformed(`${where}[${index}]: only text blocks can be read here.`, `${where}[${index}]`);
      }
      return string(inner['text'], `${where}[${index}].text`);
    })
    .join('\n\n');
}

function titled(title: unknown, text: string): string {
  return typeof title === 'string' && title !== '' ? `${title}\n\n${text}` : text;
}

function documentPart(block: LooseBlock, where: string): ContentPart {
  const source = record(block['source'], `${where}.source`, 'a document source');
  const type = source['type'];
  if (type === 'base64' && source['media_type'] === 'application/pdf') {
    const data = string(source['data'], `${where}.source.data`);
    const title = block['title'];
    const filename = typeof title === 'string' && title !== '' ? title : 'document.pdf';
    return { type: 'file', file: { filename, file_data: `data:application/pdf;base64,${data}` } };
  }
  if (type === 'text')
    return textPart(titled(block['title'], string(source['data'], `${where}.source.data`)));
  if (type === 'content')
    return textPart(titled(block['title'], nestedText(source['content'], `${where}.source.content`)));
  throw malformed(
    `${where}.source: a document of source type ${JSON.stringify(type)}${typeof source['media_type'] === 'string' ? ` (${source['media_type']})` : ''} cannot be carried to this route; send a PDF as base64, or text.`,
    `${where}.source`,
  );
}

function searchResultText(block: LooseBlock, where: string): string {
  const text = nestedText(block['content'], `${where}.content`);
  const heading = [block['title'], block['source']].filter((item) => typeof item === 'string' && item !== '');
  return heading.length > 0 ? `${heading.join('\n')}\n\n${text}` : text;
}

/** A user-side block that is not a tool result → a hub content part. */
function userPart(block: LooseBlock, where: string): ContentPart | null {
  switch (block.type) {
    case 'text':
      return textPart(string(block['text'], `${where}.text`));
    case 'image':
      return imagePart(block, where);
    case 'document':
      return documentPart(block, where);
    case 'search_result':
      return textPart(searchResultText(block, where));
    default:
      return unknownBlock(block, where);
  }
}

/** A block type this version does not know: its text if it has one, else it cannot be read. */
function unknownBlock(block: LooseBlock, where: string): ContentPart | null {
  if (isThinking(block.type) || isServerToolBlock(block.type)) return null;
  if (typeof block['text'] === 'string') return textPart(block['text']);
  throw malformed(
    `${where}: a block of type ${JSON.stringify(block.type)} cannot be read here.`,
    `${where}.type`,
  );
}

/** Text-only content as one string (what every OpenAI-compatible server takes); anything else as parts. */
function hubContent(parts: readonly ContentPart[]): string | ContentPart[] {
  if (parts.every((part) => part['type'] === 'text')) return parts.map((part) => part['text']).join('\n\n');
  return [...parts];
}

/**
 * A tool result → a `tool` message, and the attachments it holds, which the hub's tool messages cannot
 * carry: they follow in the user turn after the results.
 */
function toolResult(block: LooseBlock, where: string): { message: JsonObject; attachments: ContentPart[] } {
  const id = string(block['tool_use_id'], `${where}.tool_use_id`);
  const texts: string[] = [];
  const attachments: ContentPart[] = [];
  const content = block['content'];
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    content.forEach((item, index) => {
      const at = `${where}.content[${index}]`;
      const part = userPart(record(item, at, 'a block') as LooseBlock, at);
      if (part === null) return;
      if (part['type'] === 'text') texts.push(part['text'] as string);
      else attachments.push(part);
    });
  } else if (content !== undefined && content !== null) {
    throw malformed(`${where}.content: must be a string or a list of blocks.`, `${where}.content`);
  }
  const text = texts.join('\n\n');
  // The hub has no error flag on tool results: the model reads it from the text.
  const marked = block['is_error'] === true ? `Error: ${text}` : text;
  return { message: { role: 'tool', tool_call_id: id, content: marked }, attachments };
}

function userMessages(content: readonly LooseBlock[], where: string): JsonObject[] {
  const results: JsonObject[] = [];
  const parts: ContentPart[] = [];
  const attachments: ContentPart[] = [];
  content.forEach((block, index) => {
    const at = `${where}[${index}]`;
    if (block.type === 'tool_result') {
      const result = toolResult(block, at);
      results.push(result.message);
      attachments.push(...result.attachments);
      return;
    }
    const part = userPart(block, at);
    if (part !== null) parts.push(part);
  });
  // The hub wants tool messages right after the assistant's calls: the turn's other content follows them.
  const rest = [...attachments, ...parts];
  return rest.length > 0 ? [...results, { role: 'user', content: hubContent(rest) }] : results;
}

function assistantMessage(content: readonly LooseBlock[], where: string): JsonObject | null {
  const texts: string[] = [];
  const toolCalls: JsonObject[] = [];
  content.forEach((block, index) => {
    const at = `${where}[${index}]`;
    if (block.type === 'text') texts.push(string(block['text'], `${at}.text`));
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: string(block['id'], `${at}.id`),
        type: 'function',
        function: {
          name: string(block['name'], `${at}.name`),
          arguments: JSON.stringify(block['input'] ?? {}),
        },
      });
    } else {
      const part = unknownBlock(block, at);
      if (part !== null) texts.push(part['text'] as string);
    }
  });
  const text = texts.join('\n\n');
  // A turn of thinking alone says nothing the hub can carry.
  if (text === '' && toolCalls.length === 0) return null;
  const message: JsonObject = { role: 'assistant', content: text === '' ? null : text };
  if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
  return message;
}

function systemText(content: string | readonly LooseBlock[], where: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((block, index) => {
      const at = `${where}[${index}]`;
      const part =
        block.type === 'text' ? textPart(string(block['text'], `${at}.text`)) : unknownBlock(block, at);
      return part === null ? null : (part['text'] as string);
    })
    .filter((text): text is string => text !== null)
    .join('\n\n');
}

/** The top-level `system` (a string or text blocks) as the hub's system message, if it says anything. */
export function systemMessage(system: string | readonly LooseBlock[] | null | undefined): JsonObject[] {
  if (system === null || system === undefined) return [];
  const text = systemText(system, 'system');
  return text === '' ? [] : [{ role: 'system', content: text }];
}

/** Anthropic's `messages` → the hub's, in order (one Anthropic turn may become several messages). */
export function hubMessages(messages: readonly InboundMessage[]): JsonObject[] {
  return messages.flatMap((message, index): JsonObject[] => {
    const where = `messages[${index}].content`;
    if (message.role === 'system') return [{ role: 'system', content: systemText(message.content, where) }];
    if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
    if (message.role === 'user') return userMessages(message.content, where);
    const assistant = assistantMessage(message.content, where);
    return assistant === null ? [] : [assistant];
  });
}
