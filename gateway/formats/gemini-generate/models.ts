import { modelListSchema, present } from './schemas.ts';

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
