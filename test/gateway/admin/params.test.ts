import { describe, expect, it } from 'vitest';
import { param } from '../../../gateway/admin/params.ts';
import { GatewayError } from '../../../gateway/errors.ts';

describe('param', () => {
  it('gives a path parameter the route set', () => {
    expect(param({ params: { id: 'main' } }, 'id')).toBe('main');
  });

  it('answers 404 for one the path does not name', () => {
    const missing = () => param({ params: {} }, 'id');
    expect(missing).toThrow(GatewayError);
    expect(missing).toThrow(expect.objectContaining({ status: 404, code: 'not_found' }));
  });
});
