import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
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
});
