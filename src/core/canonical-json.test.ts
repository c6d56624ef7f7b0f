import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sortedKeys } from './canonical-json.js';
import { GatewayError } from './errors.js';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units and serialises numbers as ES6', () => {
    expect(canonicalJson({ b: 1, a: [1e21, 0.1, -0], é: true, A: null })).toBe(
      '{"A":null,"a":[1e+21,0.1,0],"b":1,"é":true}',
    );
  });

  it('rejects lone surrogates in values and keys', () => {
    expect(() => canonicalJson({ a: '\uD800' })).toThrow(GatewayError);
    expect(() => canonicalJson({ ['\uDC00']: 1 })).toThrow(GatewayError);
    expect(canonicalJson({ a: '\uD83D\uDE00' })).toBe('{"a":"😀"}');
  });

  it('rejects non-finite numbers and non-JSON values', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });

  it('writes what the reference serialiser writes, through either path', () => {
    const reference = canonicalizeModule as unknown as (v: unknown) => string;
    // Keys the fast path cannot place (integer-like, __proto__) send a value down the reference path.
    const key = fc.oneof(fc.string(), fc.constantFrom('1', '10', '9', '__proto__', 'a', 'B', 'é', '😀', ''));
    const value = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.string(),
        fc.array(tie('json')),
        fc.dictionary(key, tie('json')),
      ),
    })).json;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
    const withProto = JSON.parse('{"__proto__":{"b":1},"a":[{"10":1,"9":2}]}') as unknown;
    expect(canonicalJson(withProto)).toBe(reference(withProto));
    expect(canonicalJson({ d: new Date(0) })).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
  });

  it('sorts keys in place exactly as the default sort does, small objects and large', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.integer(), { maxKeys: 40 }), (o) => {
        expect(sortedKeys(o)).toEqual(Object.keys(o).sort());
      }),
      { numRuns: 1000 },
    );
    expect(sortedKeys({ b: 1, é: 2, A: 3, a: 4, '😀': 5, Z: 6 })).toEqual(['A', 'Z', 'a', 'b', 'é', '😀']);
  });
});
