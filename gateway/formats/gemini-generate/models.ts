import { modelListSchema, present } from './schemas.ts';

/** One page of up to 1000 models is the whole list today (Google lists a few dozen). */
export const GEMINI_MODELS_PATH = 'v1beta/models?pageSize=1000';

/** Methods the gateway can call: a model offering none of them (Imagen, Veo, AQA, Live-only) is not listed. */
const USABLE_METHODS = new Set([
  'generateContent',
  'streamGenerateContent',
  'embedContent',
  'batchEmbedContents',
]);

/** `{models:[{name:'models/gemini-2.5-flash', supportedGenerationMethods}]}` → ['gemini-2.5-flash']. */
export function parseGeminiModelList(body: unknown): string[] {
  const parsed = modelListSchema.safeParse(body);
  if (!parsed.success) return [];
  return present(parsed.data.models)
    .filter((model) => {
      const methods = model.supportedGenerationMethods;
      return methods === undefined || present(methods).some((method) => USABLE_METHODS.has(method));
    })
    .map((model) => model.name ?? '')
    .map((name) => (name.startsWith('models/') ? name.slice('models/'.length) : name))
    .filter((id) => id !== '');
}

/**
 * The model a native Gemini path names: `v1beta/models/gemini-2.5-flash:generateContent` →
 * 'gemini-2.5-flash' (any API version; a model's own resource path too), else null.
 */
export function modelFromGeminiPath(path: string): string | null {
  const match = /^\/?v1(?:alpha|beta)?\d*\/models\/([^/:?#]+)(?:[:?#]|$)/.exec(path);
  if (match === null) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}
