import { describe, expect, it } from 'vitest';
import {
  appendPartialArg,
  finishPartialArgs,
  parseJsonPath,
  startPartialArgs,
} from '../../../../gateway/formats/gemini-generate/partial-args.ts';

describe('partial arguments', () => {
  const write = (args: Parameters<typeof appendPartialArg>[1][]) => {
    const state = startPartialArgs();
    const pieces = args.map((arg) => appendPartialArg(state, arg));
    return { pieces, json: pieces.join('') + finishPartialArgs(state) };
  };

  it('parses normalized JSON paths', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.foo.bar[0].data')).toEqual(['foo', 'bar', 0, 'data']);
    expect(parseJsonPath("$['a b']['it\\'s']")).toEqual(['a b', "it's"]);
    expect(parseJsonPath('$["x"][12]')).toEqual(['x', 12]);
    expect(parseJsonPath('foo')).toBeNull();
    expect(parseJsonPath('$..x')).toBeNull();
  });

  it('writes a streamed string in pieces', () => {
    const { pieces, json } = write([
      { jsonPath: '$.query', stringValue: 'weather in ', willContinue: true },
      { jsonPath: '$.query', stringValue: '"Paris"', willContinue: true },
      { jsonPath: '$.query', stringValue: '' },
    ]);
    expect(pieces).toEqual(['{"query":"weather in ', '\\"Paris\\"', '"']);
    expect(JSON.parse(json)).toEqual({ query: 'weather in "Paris"' });
  });

  it('writes nested objects, arrays and scalars', () => {
    const { json } = write([
      { jsonPath: '$.user.name', stringValue: 'Ada' },
      { jsonPath: '$.user.age', numberValue: 36 },
      { jsonPath: '$.tags[0]', stringValue: 'a' },
      { jsonPath: '$.tags[1]', stringValue: 'b', willContinue: true },
      { jsonPath: '$.items[0].id', numberValue: 1 },
      { jsonPath: '$.items[0].ok', boolValue: true },
      { jsonPath: '$.items[1].id', nullValue: 'NULL_VALUE' },
      { jsonPath: '$.last', boolValue: false },
    ]);
    expect(JSON.parse(json)).toEqual({
      user: { name: 'Ada', age: 36 },
      tags: ['a', 'b'],
      items: [{ id: 1, ok: true }, { id: null }],
      last: false,
    });
  });

  it("gives '{}' when no argument came", () => {
    expect(finishPartialArgs(startPartialArgs())).toBe('{}');
  });
});
