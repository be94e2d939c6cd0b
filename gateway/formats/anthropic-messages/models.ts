import { z } from 'zod';

const modelList = z.looseObject({
  data: z.array(z.looseObject({ id: z.string().min(1), type: z.string().nullish() })),
});

/** `GET /v1/models` → model ids, in Anthropic's order (newest first). */
export function parseAnthropicModelList(body: unknown): string[] {
  const parsed = modelList.safeParse(body);
  if (!parsed.success) return [];
  return parsed.data.data.filter((model) => (model.type ?? 'model') === 'model').map((model) => model.id);
}
