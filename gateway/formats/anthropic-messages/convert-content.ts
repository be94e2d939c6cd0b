import { z } from 'zod';
import type { LoosePart } from '../openai-chat/request-schema.ts';
import type { DocumentBlock, ImageBlock, TextBlock } from './messages-request.ts';
import { invalidRequest, parseOrThrow, unsupportedParameter } from '../openai-chat/request-errors.ts';

/** The image types Claude reads. */
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.string().nullish() }),
});
const filePart = z.object({
  type: z.literal('file'),
  file: z.object({
    file_data: z.string().nullish(),
    file_id: z.string().nullish(),
    filename: z.string().nullish(),
  }),
});

type Content = string | LoosePart[];

/** Anthropic refuses text blocks that are empty or only whitespace; they carry nothing, so they are left out. */
export const isBlank = (text: string): boolean => text.trim() === '';

const textBlock = (text: string): TextBlock[] => (isBlank(text) ? [] : [{ type: 'text', text }]);

export interface DataUrl {
  mediaType: string;
  base64: boolean;
  data: string;
}

/** `data:image/png;base64,AAAA` → its parts; null when the text is not a data URL. */
export function parseDataUrl(url: string): DataUrl | null {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) return null;
  const parameters = (match[2] ?? '').split(';').map((parameter) => parameter.trim().toLowerCase());
  return {
    mediaType: (match[1] ?? '').trim().toLowerCase() || 'text/plain',
    base64: parameters.includes('base64'),
    data: match[3] ?? '',
  };
}

function imageFromDataUrl(dataUrl: DataUrl, where: string): ImageBlock {
  if (!IMAGE_MEDIA_TYPES.has(dataUrl.mediaType)) {
    throw unsupportedParameter(
      `${where}: image type "${dataUrl.mediaType}" is not supported by Anthropic models (JPEG, PNG, GIF or WebP).`,
      where,
    );
  }
  if (!dataUrl.base64) throw invalidRequest(`${where}: an image data URL must be base64-encoded.`, where);
  return { type: 'image', source: { type: 'base64', media_type: dataUrl.mediaType, data: dataUrl.data } };
}

function imageBlock(url: string, where: string): ImageBlock {
  const dataUrl = parseDataUrl(url);
  if (dataUrl) return imageFromDataUrl(dataUrl, where);
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalidRequest(`${where}: image_url.url must be an http(s) URL or a base64 data URL.`, where);
}

function percentDecoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function fileBlock(file: z.infer<typeof filePart>['file'], where: string): DocumentBlock | ImageBlock {
  if (!file.file_data) {
    throw unsupportedParameter(
      `${where}: files are only supported inline (file.file_data): an OpenAI file_id means nothing to Anthropic.`,
      where,
    );
  }
  const title = file.filename ? { title: file.filename } : {};
  const dataUrl =
    parseDataUrl(file.file_data) ??
    // Bare base64 is accepted for PDFs named as such, the one case where the type is not in doubt.
    (file.filename?.toLowerCase().endsWith('.pdf')
      ? { mediaType: 'application/pdf', base64: true, data: file.file_data }
      : null);
  if (!dataUrl) {
    throw invalidRequest(
      `${where}: file.file_data must be a data URL (data:application/pdf;base64,…).`,
      where,
    );
  }
  if (dataUrl.mediaType === 'application/pdf') {
    if (!dataUrl.base64) throw invalidRequest(`${where}: a PDF data URL must be base64-encoded.`, where);
    return {
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: dataUrl.data },
      ...title,
    };
  }
  if (dataUrl.mediaType === 'text/plain') {
    const text = dataUrl.base64
      ? Buffer.from(dataUrl.data, 'base64').toString('utf8')
      : percentDecoded(dataUrl.data);
    if (text === null) throw invalidRequest(`${where}: file.file_data is not a valid data URL.`, where);
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text }, ...title };
  }
  if (dataUrl.mediaType.startsWith('image/')) return imageFromDataUrl(dataUrl, where);
  throw unsupportedParameter(
    `${where}: file type "${dataUrl.mediaType}" is not supported by Anthropic models (PDF, plain text or an image).`,
    where,
  );
}

function parts(content: Content): LoosePart[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** System and developer content: text only, as OpenAI allows. */
export function systemBlocks(content: Content, where: string): TextBlock[] {
  return parts(content).flatMap((item, index) => {
    if (item.type !== 'text') {
      throw invalidRequest(`${where}.content[${index}]: system and developer messages take text parts only.`);
    }
    return textBlock(parseOrThrow(textPart, item, `${where}.content[${index}]`).text);
  });
}

/** User content: text, images and inline files. */
export function userBlocks(content: Content, where: string): (TextBlock | ImageBlock | DocumentBlock)[] {
  return parts(content).flatMap((item, index): (TextBlock | ImageBlock | DocumentBlock)[] => {
    const at = `${where}.content[${index}]`;
    switch (item.type) {
      case 'text':
        return textBlock(parseOrThrow(textPart, item, at).text);
      case 'image_url':
        return [imageBlock(parseOrThrow(imagePart, item, at).image_url.url, at)];
      case 'file':
        return [fileBlock(parseOrThrow(filePart, item, at).file, at)];
      case 'input_audio':
        throw unsupportedParameter(`${at}: audio input is not supported by Anthropic models.`, at);
      default:
        throw invalidRequest(`${at}: unknown content part type "${item.type}".`, at);
    }
  });
}

/** Assistant content: text, and refusals, which are text the assistant said. */
export function assistantTextBlocks(content: Content, where: string): TextBlock[] {
  return parts(content).flatMap((item, index) => {
    const at = `${where}.content[${index}]`;
    if (item.type === 'text') return textBlock(parseOrThrow(textPart, item, at).text);
    if (item.type === 'refusal') return textBlock(parseOrThrow(refusalPart, item, at).refusal);
    throw invalidRequest(`${at}: assistant messages take text and refusal parts only.`, at);
  });
}

/** A tool message's content for a tool_result: a string as it is, parts as text and image blocks; none when empty. */
export function toolResultContent(
  content: Content,
  where: string,
): string | (TextBlock | ImageBlock)[] | undefined {
  if (typeof content === 'string') return isBlank(content) ? undefined : content;
  const blocks = content.flatMap((item, index): (TextBlock | ImageBlock)[] => {
    const at = `${where}.content[${index}]`;
    if (item.type === 'text') return textBlock(parseOrThrow(textPart, item, at).text);
    // OpenAI allows only text here; images are accepted too because Anthropic's tool results take them.
    if (item.type === 'image_url') return [imageBlock(parseOrThrow(imagePart, item, at).image_url.url, at)];
    throw invalidRequest(`${at}: tool messages take text parts only.`, at);
  });
  return blocks.length === 0 ? undefined : blocks;
}
