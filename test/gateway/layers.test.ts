import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints `code` as if it were the file at `filePath` (nothing is written), returning the layer rule's messages. */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint();
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'switchboard/layers')
    .map((message) => message.message);
}

describe('the lint rule that keeps gateway/ layered', () => {
  it('refuses an upward import', async () => {
    const errors = await layerErrors(
      'gateway/formats/openai-chat/leak.ts',
      "import { readBody } from '../../http/body.ts';\nexport const leak = readBody;\n",
    );
    expect(errors).toEqual([expect.stringContaining('gateway/formats/ may not import gateway/http/')]);
  });

  it('refuses the store importing the config format, and http importing the pipeline', async () => {
    expect(
      await layerErrors('gateway/store/leak.ts', "export { configSchema } from '../config/schema.ts';\n"),
    ).toHaveLength(1);
    expect(
      await layerErrors('gateway/http/leak.ts', "export { runExchange } from '../pipeline/exchange.ts';\n"),
    ).toHaveLength(1);
  });

  it('lets providers know formats by type only, and formats use no I/O package', async () => {
    expect(
      await layerErrors('gateway/providers/leak.ts', "export { formatFor } from '../formats/index.ts';\n"),
    ).toEqual([expect.stringContaining('by id and type only')]);
    expect(
      await layerErrors(
        'gateway/providers/fine.ts',
        "export type { FormatId } from '../formats/types.ts';\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'gateway/formats/leak.ts',
        "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      ),
    ).toEqual([expect.stringContaining('formats/ is pure')]);
  });

  it('allows imports downward and within a layer', async () => {
    expect(
      await layerErrors(
        'gateway/pipeline/fine.ts',
        "import { GatewayError } from '../errors.ts';\nimport { readBody } from '../http/body.ts';\nexport const fine = [GatewayError, readBody];\n",
      ),
    ).toEqual([]);
  });
});
