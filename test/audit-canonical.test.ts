/**
 * RFC 8785 canonical JSON, as the ledger uses it, against the cyberphone/json-canonicalization
 * test vectors (../shared/corpora/jcs-rfc8785) and properties.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson } from '../src/core/canonical-json.js';
import { freezeJson } from '../src/core/audit/event-encode.js';

const CORPUS = join(process.cwd(), '..', 'shared', 'corpora', 'jcs-rfc8785');
const names = readdirSync(join(CORPUS, 'testdata', 'input')).filter((f) => f.endsWith('.json'));

describe('RFC 8785 vectors (jcs-rfc8785)', () => {
  it('has the six upstream vectors', () => {
    expect(names.sort()).toEqual([
      'arrays.json',
      'french.json',
      'structures.json',
      'unicode.json',
      'values.json',
      'weird.json',
    ]);
  });

  for (const name of names) {
    it(`canonicalises ${name} to the expected bytes`, () => {
      const input = JSON.parse(readFileSync(join(CORPUS, 'testdata', 'input', name), 'utf8')) as unknown;
      const expected = readFileSync(join(CORPUS, 'testdata', 'output', name));
      const hex = readFileSync(
        join(CORPUS, 'testdata', 'outhex', name.replace('.json', '.txt')),
        'utf8',
      ).replace(/\s+/g, '');
      const bytes = Buffer.from(canonicalBytes(input));
      expect(bytes.equals(expected)).toBe(true);
      expect(bytes.toString('hex')).toBe(hex.toLowerCase());
    });
  }

  it('serialises the ES6 number samples exactly', () => {
    const lines = readFileSync(join(CORPUS, 'es6_number_samples_from_readme.csv'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(7);
    for (const line of lines) {
      const [ieee, expected] = line.split(',') as [string, string];
      const value = Buffer.from(ieee.padStart(16, '0'), 'hex').readDoubleBE(0);
      expect(canonicalJson(value)).toBe(expected);
    }
  });
});

describe('values canonical JSON cannot represent', () => {
  it('rejects lone surrogates in values and keys, however deep', () => {
    expect(() => canonicalJson({ a: [{ b: 'x\uD800' }] })).toThrow(/surrogate/);
    expect(() => canonicalJson({ ['k\uDFFF']: 1 })).toThrow(/surrogate/);
    expect(() => freezeJson({ a: { b: ['\uDBFF'] } })).toThrow(/\$\.a\.b\[0\] contains a lone surrogate/);
    expect(canonicalJson('\uD83D\uDE02')).toBe('"😂"');
  });

  it('rejects non-finite numbers and non-JSON values', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      expect(() => canonicalJson({ n: bad })).toThrow(/finite/);
      expect(() => freezeJson({ n: bad })).toThrow(/finite/);
    }
    expect(() => freezeJson({ d: new Date(0) })).toThrow(/plain JSON object/);
    expect(() => freezeJson([undefined])).toThrow(/undefined/);
    expect(() => freezeJson({ f: () => 1 })).toThrow(/function/);
    expect(freezeJson({ a: undefined, b: 1 })).toEqual({ b: 1 });
  });
});

describe('canonical JSON properties', () => {
  const shuffle = (v: unknown, seed: number): unknown => {
    if (Array.isArray(v)) return v.map((x) => shuffle(x, seed));
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, unknown>);
    entries.sort(() => (seed++ % 3) - 1);
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffle(x, seed)]));
  };

  it('is a fixed point, round-trips through JSON.parse and ignores key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(canonicalJson(shuffle(value, seed))).toBe(text);
        expect(text).not.toMatch(/\n/);
      }),
      { numRuns: 300 },
    );
  });
});
