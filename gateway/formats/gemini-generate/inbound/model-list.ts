import type { JsonObject } from '../../types.ts';

/**
 * Model ids → Google's ListModels answer, `{models: [{name: "models/<id>", …}]}`: the
 * generation methods are the ones the gateway answers for them, so that clients filtering on
 * `supportedGenerationMethods` keep them.
 */
export function geminiModelList(ids: string[]): JsonObject {
  return {
    models: ids.map((id) => ({
      name: id.startsWith('models/') ? id : `models/${id}`,
      displayName: id,
      supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
    })),
  };
}
