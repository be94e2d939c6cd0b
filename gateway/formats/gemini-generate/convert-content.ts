import type { JsonObject } from '../types.ts';
import { invalidRequest, isRecord, unsupportedParameter } from './json.ts';

/** A Gemini part as the request carries it. */
export type RequestPart = JsonObject;

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  wav: 'audio/wav',
  mp3: 'audio/mp3',
  txt: 'text/plain',
};

function mimeFromName(name: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : MIME_BY_EXTENSION[extension];
}

/** `data:<mime>[;base64],<data>` → inlineData; RFC 2397 text data is base64-encoded here. */
function inlineDataFromDataUrl(url: string, param: string): RequestPart {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (match === null) throw invalidRequest(param, `"${param}" is not a valid data URL.`);
  const [, mimeType = '', parameters = '', data = ''] = match;
  if (mimeType === '') {
    throw invalidRequest(
      param,
      `The data URL in "${param}" must name its MIME type (data:image/png;base64,…).`,
    );
  }
  const isBase64 = parameters.split(';').includes('base64');
  let base64 = data;
  if (!isBase64) {
    try {
      base64 = Buffer.from(decodeURIComponent(data), 'utf8').toString('base64');
    } catch {
      throw invalidRequest(param, `The data URL in "${param}" is not correctly percent-encoded.`);
    }
  }
  return { inlineData: { mimeType, data: base64 } };
}

/**
 * An image URL. Data URLs are sent inline. An http(s) URL goes to Gemini as `fileData`: the Gemini
 * API fetches public and signed URLs itself (newer models); the gateway never fetches a URL that
 * a request names. The MIME type comes from the file name where it tells, else Gemini decides.
 */
function imagePart(value: unknown, param: string): RequestPart {
  const url = isRecord(value) ? value['url'] : value;
  if (typeof url !== 'string' || url === '') throw invalidRequest(param, `"${param}.url" must be a string.`);
  if (url.startsWith('data:')) return inlineDataFromDataUrl(url, `${param}.url`);
  if (/^https?:\/\//i.test(url)) {
    const mimeType = mimeFromName(url.replace(/[?#].*$/, ''));
    return { fileData: mimeType === undefined ? { fileUri: url } : { fileUri: url, mimeType } };
  }
  throw unsupportedParameter(
    `${param}.url`,
    `Gemini routes take images as data URLs (data:image/png;base64,…) or http(s) URLs; "${param}.url" is neither.`,
  );
}

function audioPart(value: unknown, param: string): RequestPart {
  if (!isRecord(value) || typeof value['data'] !== 'string') {
    throw invalidRequest(param, `"${param}.input_audio" must be {"data": base64, "format": "wav"|"mp3"}.`);
  }
  const format = value['format'];
  if (format !== 'wav' && format !== 'mp3') {
    throw invalidRequest(`${param}.input_audio.format`, '"input_audio.format" must be "wav" or "mp3".');
  }
  return { inlineData: { mimeType: format === 'wav' ? 'audio/wav' : 'audio/mp3', data: value['data'] } };
}

function filePart(value: unknown, param: string): RequestPart {
  if (!isRecord(value)) throw invalidRequest(param, `"${param}.file" must be an object.`);
  if (typeof value['file_id'] === 'string') {
    throw unsupportedParameter(
      `${param}.file.file_id`,
      'OpenAI file ids mean nothing to Gemini: send the file itself as file_data (a data URL).',
    );
  }
  const data = value['file_data'];
  if (typeof data !== 'string' || data === '') {
    throw invalidRequest(`${param}.file.file_data`, `"${param}.file.file_data" must be a data URL.`);
  }
  if (data.startsWith('data:')) return inlineDataFromDataUrl(data, `${param}.file.file_data`);
  const filename = typeof value['filename'] === 'string' ? value['filename'] : '';
  const mimeType = mimeFromName(filename);
  if (mimeType === undefined) {
    throw invalidRequest(
      `${param}.file.file_data`,
      `Send "${param}.file.file_data" as a data URL (data:application/pdf;base64,…) so that its type is known.`,
    );
  }
  return { inlineData: { mimeType, data } };
}

/**
 * A message's `content` → Gemini parts: strings and text parts become text (empty text is left
 * out: Gemini refuses empty text parts), images, audio and files become inline or file data.
 * `allowMedia` is false where OpenAI allows text only (system, developer, assistant, tool).
 */
export function convertContent(content: unknown, param: string, allowMedia: boolean): RequestPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content))
    throw invalidRequest(param, `"${param}" must be a string or an array of parts.`);
  const parts: RequestPart[] = [];
  content.forEach((part: unknown, index) => {
    const partParam = `${param}[${index}]`;
    if (!isRecord(part)) throw invalidRequest(partParam, `"${partParam}" must be an object.`);
    const type = part['type'];
    if (type === 'text' || type === 'refusal') {
      const text = part[type];
      if (typeof text !== 'string')
        throw invalidRequest(partParam, `"${partParam}.${type}" must be a string.`);
      if (text !== '') parts.push({ text });
      return;
    }
    if (!allowMedia) {
      throw invalidRequest(
        partParam,
        `"${partParam}" has type ${JSON.stringify(type)}; only text is allowed here.`,
      );
    }
    if (type === 'image_url') parts.push(imagePart(part['image_url'], partParam));
    else if (type === 'input_audio') parts.push(audioPart(part['input_audio'], partParam));
    else if (type === 'file') parts.push(filePart(part['file'], partParam));
    else {
      throw unsupportedParameter(
        partParam,
        `Gemini routes cannot carry content parts of type ${JSON.stringify(type)}.`,
      );
    }
  });
  return parts;
}

/** The text of a text-only content (tool results, legacy function results). */
export function contentText(content: unknown, param: string): string {
  return convertContent(content, param, false)
    .map((part) => String(part['text']))
    .join('');
}
