import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSafePattern, PatternError } from './safe-regex.js';
import { expectLinearTime } from '../../../test/linear-time.js';

const native = (pattern: string, flags: string, text: string): string[] =>
  [...text.matchAll(new RegExp(pattern, flags + 'g'))].map((m) => m[0]);
const ours = (pattern: string, flags: string, text: string): string[] =>
  compileSafePattern(pattern, flags)
    .findAll(text)
    .map((m) => text.slice(m.start, m.end));

describe('linear-time pattern engine', () => {
  it('matches like JavaScript RegExp (leftmost-first, greedy and lazy)', () => {
    const cases: Array<[string, string, string]> = [
      ['EMP-\\d{5}', '', 'ids EMP-12345, EMP-1234 and EMP-123456'],
      ['\\bfoo\\d+', 'i', 'x FOO12 foo3 food'],
      ['a|ab', '', 'ab ab'],
      ['(?:ab)+', '', 'ababab x ab'],
      ['colou?r', 'i', 'Color colour COLOR'],
      ['a.*?b', '', 'aXXbYYb'],
      ['^abc$', 'm', 'abc\nabd\nabc'],
      ['[^\\s@]+@[^\\s@]+\\.[a-z]{2,}', 'i', 'mail john@ex.com and a@b.org'],
      ['[\\x41-\\x43]+', '', 'xxABCDx'],
      ['(?<code>[A-Z]{3})-\\d', '', 'ABC-1 abc-2 XYZ-9'],
      ['x*', '', 'axxb'],
    ];
    for (const [p, f, t] of cases) expect(ours(p, f, t), p).toEqual(native(p, f, t));
  });

  it('agrees with RegExp on generated patterns and texts', () => {
    const atom = fc.constantFrom('a', 'b', '.', '[ab]', '\\d', '(?:ab)', '(?:a|b)', '[^a]');
    const quant = fc.constantFrom('', '*', '+', '?', '{1,2}', '*?', '+?');
    const pattern = fc
      .array(
        fc.tuple(atom, quant).map(([a, q]) => a + q),
        { minLength: 1, maxLength: 4 },
      )
      .map((xs) => xs.join(''));
    const text = fc.stringMatching(/^[ab1 ]{0,12}$/);
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        expect(ours(p, '', t)).toEqual(native(p, '', t));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects constructs with no linear-time equivalent, with a position', () => {
    for (const bad of ['(a)\\1', '(?=x)y', '(?!x)y', '(?<=x)y', '(?<!x)y', '\\k<n>']) {
      expect(() => compileSafePattern(bad), bad).toThrow(PatternError);
    }
    expect(() => compileSafePattern('a{5000}')).toThrow(/repetition count/);
    try {
      compileSafePattern('ab(?=c)');
    } catch (e) {
      expect((e as PatternError).position).toBe(2);
    }
  });

  it('runs catastrophic-backtracking patterns in time linear in the input', () => {
    const evil = compileSafePattern('(a+)+$');
    expectLinearTime(
      (n) => {
        const s = 'a'.repeat(n) + '!';
        return () => evil.findAll(s);
      },
      20_000,
      { floorMs: 0.5 },
    );
  });

  it('stops a search that keeps re-reading the text, instead of going quadratic', () => {
    const p = compileSafePattern('a.*b|a');
    expect(() => p.findAll('a'.repeat(20_000))).toThrow(/budget/);
  });

  it('calls the tick function so callers can enforce deadlines', () => {
    let ticks = 0;
    compileSafePattern('\\d+').findAll('x'.repeat(50_000), () => ticks++);
    expect(ticks).toBeGreaterThan(0);
  });
});
