import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globCovers, globMatches, globShape, listCovers } from './glob.js';

describe('globs', () => {
  it('matches exact names, prefixes, suffixes and infixes', () => {
    expect(globMatches('payments.transfer', 'payments.transfer')).toBe(true);
    expect(globMatches('payments.transfer', 'payments.transfers')).toBe(false);
    expect(globMatches('payments.*', 'payments.transfer')).toBe(true);
    expect(globMatches('payments.*', 'payments.v2.refund')).toBe(true);
    expect(globMatches('payments.*', 'payments')).toBe(false);
    expect(globMatches('*.delete', 'files.delete')).toBe(true);
    expect(globMatches('*.delete', 'files.delete_all')).toBe(false);
    expect(globMatches('db.*.drop*', 'db.main.drop_table')).toBe(true);
    expect(globMatches('db.*.drop*', 'db.drop')).toBe(false);
    expect(globMatches('a*a', 'a')).toBe(false);
    expect(globMatches('a*a', 'aa')).toBe(true);
    expect(globMatches('*', '')).toBe(true);
    expect(globMatches('a**b', 'axxb')).toBe(true);
  });

  it('classifies globs for the index', () => {
    expect(globShape('x.y')).toEqual({ kind: 'exact', value: 'x.y' });
    expect(globShape('x.*')).toEqual({ kind: 'prefix', prefix: 'x.' });
    expect(globShape('**')).toEqual({ kind: 'any' });
    expect(globShape('*.x')).toEqual({ kind: 'general', parts: ['', '.x'] });
  });

  it('agrees with a reference regex on random globs and names', () => {
    const alphabet = fc.constantFrom('a', 'b', '.', '*');
    const name = fc.array(fc.constantFrom('a', 'b', '.'), { maxLength: 8 }).map((xs) => xs.join(''));
    const glob = fc.array(alphabet, { minLength: 1, maxLength: 6 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(glob, name, (g, n) => {
        const re = new RegExp(
          `^${g
            .split('*')
            .map((p) => p.replace(/\./g, '\\.'))
            .join('.*')}$`,
        );
        expect(globMatches(g, n)).toBe(re.test(n));
      }),
      { numRuns: 2000 },
    );
  });

  it('decides coverage without false positives', () => {
    expect(globCovers('*', 'anything*')).toBe(true);
    expect(globCovers('payments.*', 'payments.transfer')).toBe(true);
    expect(globCovers('payments.*', 'payments.v2.*')).toBe(true);
    expect(globCovers('payments.v2.*', 'payments.*')).toBe(false);
    expect(globCovers('payments.transfer', 'payments.*')).toBe(false);
    expect(globCovers('*.delete', '*.delete')).toBe(true);
    expect(globCovers('*.delete', 'x.*.delete')).toBe(false);
    expect(listCovers([], ['a'])).toBe(true);
    expect(listCovers(['a'], [])).toBe(false);
    expect(listCovers(['*'], [])).toBe(true);
    expect(listCovers(['a', 'b.*'], ['a', 'b.c'])).toBe(true);
    expect(listCovers(['a'], ['a', 'b'])).toBe(false);
  });

  it('never claims coverage that a matching name disproves', () => {
    const g = fc
      .array(fc.constantFrom('a', '.', '*'), { minLength: 1, maxLength: 5 })
      .map((xs) => xs.join(''));
    const n = fc.array(fc.constantFrom('a', '.'), { maxLength: 6 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(g, g, n, (outer, inner, name) => {
        if (globCovers(outer, inner) && globMatches(inner, name)) expect(globMatches(outer, name)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
