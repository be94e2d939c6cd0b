import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import { readNativeBody } from '../../../gateway/pipeline/proxy-body.ts';

const read = (body: unknown) => readNativeBody(Buffer.from(JSON.stringify(body)), 'application/json');

describe('readNativeBody: the models a /proxy body names', () => {
  it('finds the top-level model and every nested one', () => {
    const body = read({ model: 'a', requests: [{ params: { model: 'b' } }, { params: { model: 'c' } }] });
    expect(body.model).toBe('a');
    expect(body.nestedModels.sort()).toEqual(['b', 'c']);
  });

  it('reads a tool schema’s "model" property as a schema, not a model, and still looks inside it', () => {
    // Claude Code's Agent tool has exactly this: input_schema.properties.model = {type, description}.
    const body = read({
      model: 'claude-sonnet-4-5',
      tools: [
        {
          name: 'Agent',
          input_schema: {
            type: 'object',
            properties: { model: { type: 'string', description: 'The model', default: { model: 'hidden' } } },
          },
        },
      ],
    });
    expect(body.model).toBe('claude-sonnet-4-5');
    expect(body.nestedModels).toEqual(['hidden']);
  });

  it('refuses a nested model that is a number or a list', () => {
    for (const model of [5, ['a', 'b'], true]) {
      expect(() => read({ requests: [{ params: { model } }] })).toThrow(GatewayError);
    }
  });
});
