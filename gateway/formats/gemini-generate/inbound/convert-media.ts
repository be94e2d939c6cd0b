import type { JsonObject } from '../../types.ts';
import { invalidRequest, isRecord, unsupportedParameter } from '../json.ts';
import { field } from './field.ts';

const AUDIO_FORMATS: Record<string, 'wav' | 'mp3'> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mp3': 'mp3',
  'audio/mpeg': 'mp3',
};

/**
 * `inlineData {mimeType, data}` → an OpenAI content part: images as data-URL `image_url`, WAV and
 * MP3 as `input_audio`, anything else (PDF first of all) as a `file` part with a data URL; the
 * target's own translation decides what it can take.
 */
export function inlineDataPart(value: unknown, param: string): JsonObject {
  const mimeType = isRecord(value) ? field(value, 'mimeType') : undefined;
  const data = isRecord(value) ? field(value, 'data') : undefined;
  if (!isRecord(value) || typeof mimeType !== 'string' || mimeType === '' || typeof data !== 'string') {
    throw invalidRequest(param, `"${param}" must be {"mimeType": …, "data": base64}.`);
  }
  const type = mimeType.toLowerCase();
  const dataUrl = `data:${type};base64,${data}`;
  if (type.startsWith('image/')) return { type: 'image_url', image_url: { url: dataUrl } };
  const audio = AUDIO_FORMATS[type];
  if (audio !== undefined) return { type: 'input_audio', input_audio: { data, format: audio } };
  const displayName = field(value, 'displayName');
  const filename =
    typeof displayName === 'string' && displayName !== ''
      ? displayName
      : type === 'application/pdf'
        ? 'document.pdf'
        : 'file';
  return { type: 'file', file: { filename, file_data: dataUrl } };
}

/** Files API URIs: fetched only with the Gemini key. */
const GOOGLE_FILES = /^https?:\/\/generativelanguage\.googleapis\.com\//i;

/**
 * `fileData {fileUri, mimeType}` → `image_url` with the URL, for images (or no type given) at
 * http(s) URLs: the target fetches it. Other files by URL have no OpenAI counterpart (a `file`
 * part carries data, not a URL), and Files API or gs:// URIs mean nothing outside Google.
 */
export function fileDataPart(value: unknown, param: string): JsonObject {
  const uri = isRecord(value) ? field(value, 'fileUri') : undefined;
  if (!isRecord(value) || typeof uri !== 'string' || uri === '') {
    throw invalidRequest(param, `"${param}" must be {"fileUri": …, "mimeType": …}.`);
  }
  const mimeType = field(value, 'mimeType');
  const isImage =
    mimeType === undefined || (typeof mimeType === 'string' && mimeType.toLowerCase().startsWith('image/'));
  if (!isImage || !/^https?:\/\//i.test(uri) || GOOGLE_FILES.test(uri)) {
    throw unsupportedParameter(
      param,
      `Routes of other vendors take files by URL only as images at http(s) URLs; send "${param}" as inlineData.`,
    );
  }
  return { type: 'image_url', image_url: { url: uri } };
}
