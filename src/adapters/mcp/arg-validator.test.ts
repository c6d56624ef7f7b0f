import { describe, expect, it } from 'vitest';
import { ArgValidator } from './arg-validator.js';

describe('tool argument validation (ajv)', () => {
  const v = new ArgValidator();
  const schema = {
    type: 'object',
    properties: { path: { type: 'string' }, n: { type: 'integer', minimum: 1 } },
    required: ['path'],
    additionalProperties: false,
  };

  it('accepts arguments matching the schema and names what is wrong otherwise', () => {
    expect(v.check('h1', schema, { path: '/a', n: 2 })).toEqual({ ok: true });
    expect(v.check('h1', schema, { n: 0 })).toEqual({
      ok: false,
      errors: ["(arguments) must have required property 'path'"],
    });
    const extra = v.check('h1', schema, { path: '/a', rm: true });
    expect(extra.ok).toBe(false);
  });

  it('uses JSON Schema 2020-12 by default and the declared dialect otherwise', () => {
    const tuple2020 = { type: 'array', prefixItems: [{ type: 'string' }], items: false };
    expect(v.check('h2', { type: 'object', properties: { t: tuple2020 } }, { t: ['a', 'b'] }).ok).toBe(false);
    const draft7 = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { t: { type: 'array', items: [{ type: 'string' }], additionalItems: false } },
    };
    expect(v.check('h3', draft7, { t: ['a', 'b'] }).ok).toBe(false);
    expect(v.check('h3', draft7, { t: ['a'] }).ok).toBe(true);
  });

  it('fails closed on a schema it cannot compile, and ignores foreign $id', () => {
    expect(v.check('h4', { type: 'object', properties: { a: { type: 'nonsense' } } }, {})).toMatchObject({
      ok: false,
    });
    expect(v.check('h5', 'not a schema', {})).toMatchObject({ ok: false });
    const withId = { $id: 'https://example.com/s', type: 'object' };
    expect(v.check('h6', withId, {}).ok).toBe(true);
    expect(v.check('h7', withId, {}).ok).toBe(true); // same $id twice does not clash
  });
});
