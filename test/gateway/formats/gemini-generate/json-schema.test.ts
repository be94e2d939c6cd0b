import { describe, expect, it } from 'vitest';
import { prepareJsonSchema } from '../../../../gateway/formats/gemini-generate/json-schema.ts';

describe('prepareJsonSchema', () => {
  it('inlines local references, keeping sibling keywords, and drops the definitions', () => {
    expect(
      prepareJsonSchema(
        {
          type: 'object',
          properties: {
            a: { $ref: '#/$defs/Point', description: 'start' },
            b: { $ref: '#/definitions/Name' },
            c: { type: 'array', items: { $ref: '#/properties/b' } },
          },
          $defs: { Point: { type: 'object', properties: { x: { type: 'number' } } } },
          definitions: { Name: { type: 'string' } },
        },
        { objectRoot: true },
      ),
    ).toEqual({
      type: 'object',
      properties: {
        a: { type: 'object', properties: { x: { type: 'number' } }, description: 'start' },
        b: { type: 'string' },
        c: { type: 'array', items: { type: 'string' } },
      },
    });
  });

  it('leaves a cyclic reference in place, with its definitions', () => {
    const schema = {
      type: 'object',
      properties: { root: { $ref: '#/$defs/Node' } },
      $defs: {
        Node: {
          type: 'object',
          properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
        },
      },
    };
    const prepared = prepareJsonSchema(schema, { objectRoot: true }) as Record<string, unknown>;
    expect(prepared['$defs']).toBeDefined();
    expect(JSON.stringify(prepared)).toContain('"$ref":"#/$defs/Node"');
  });

  it('keeps properties named like keywords, turns const into enum and gives a root type', () => {
    expect(
      prepareJsonSchema(
        { properties: { const: { const: 3 }, $ref: { type: 'string' } } },
        { objectRoot: true },
      ),
    ).toEqual({ type: 'object', properties: { const: { enum: [3] }, $ref: { type: 'string' } } });
    expect(prepareJsonSchema(null, { objectRoot: true })).toEqual({ type: 'object', properties: {} });
    expect(prepareJsonSchema({ type: 'string' }, { objectRoot: false })).toEqual({ type: 'string' });
  });
});
