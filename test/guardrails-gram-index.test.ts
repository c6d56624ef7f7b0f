/**
 * The one-pass text index (gram-index.ts) against a plain, character-by-character statement of
 * what it records: the trigram set, the longest runs, the words, the number starts, the long token
 * runs and the shape flags. The pass measures runs where they end, reads the text in chunks through
 * reused scratch arrays and hands its arrays to the next index when released; none of that may
 * change an answer, on short texts, on texts longer than a chunk, and after other indexes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GramIndex, symbolOf } from '../src/core/guardrails/gram-index.js';

interface Expected {
  bits: number[];
  alnumRun: number;
  tokenRun: number;
  words: number[];
  numberStarts: number[];
  longRuns: number[];
  hexPairs: boolean;
  macLike: boolean;
  markup: boolean;
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isToken = (c: number): boolean => isLetter(c) || isDigit(c) || '_+/=-'.includes(String.fromCharCode(c));
const isHex = (c: number): boolean => c < 128 && /[0-9A-Fa-f]/.test(String.fromCharCode(c));

/** Every fact computed on its own, the slow and obvious way. */
function reference(text: string): Expected {
  const n = text.length;
  const code = (i: number): number => (i < n ? text.charCodeAt(i) : 32); // a space after the text
  const bits = new Array<number>(1024).fill(0);
  let t = 0;
  for (let i = 0; i <= n; i++) {
    t = ((t << 5) | symbolOf(code(i))) & 0x7fff;
    bits[t >>> 5] = (bits[t >>> 5]! | (1 << (t & 31))) >>> 0;
  }
  const runs = (inRun: (c: number) => boolean): number => {
    let best = 0;
    let run = 0;
    for (let i = 0; i <= n; i++) {
      run = inRun(code(i)) ? run + 1 : 0;
      best = Math.max(best, run);
    }
    return best;
  };
  const words: number[] = [];
  for (const m of text.matchAll(/[A-Za-z]+/g)) {
    let h = 0;
    for (const ch of m[0]) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
    words.push(h, m.index, m.index + m[0].length);
  }
  const numberStarts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!isDigit(code(i)) || (i > 0 && isDigit(code(i - 1)))) continue;
    if (i > 0 && code(i - 1) === 40) numberStarts.push(i - 1);
    numberStarts.push(i);
  }
  const longRuns: number[] = [];
  for (let i = 0, run = 0; i <= n; i++) {
    if (isToken(code(i))) run++;
    else {
      if (run >= 10) longRuns.push(i - run, i);
      run = 0;
    }
  }
  const sep = (i: number, seps: string): boolean => i >= 0 && seps.includes(String.fromCharCode(code(i)));
  const hexAt = (i: number, k: number): boolean => {
    for (let j = i; j < i + k; j++) if (j < 0 || j >= n || !isHex(code(j))) return false;
    return true;
  };
  let hexPairs = false;
  let macLike = false;
  for (let i = 0; i <= n; i++) {
    // [ :]hh[ :]hh[ :] ending at i (the space after the text counts).
    if (sep(i - 6, ' :') && hexAt(i - 5, 2) && sep(i - 3, ' :') && hexAt(i - 2, 2) && sep(i, ' :'))
      hexPairs = true;
  }
  for (let i = 0; i < n; i++) {
    let chain = sep(i, ':-');
    for (let k = 1; k <= 4 && chain; k++) chain = hexAt(i + 3 * k - 2, 2) && sep(i + 3 * k, ':-') && i + 3 * k < n;
    if (chain) macLike = true;
    if (code(i) === 46 && hexAt(i + 1, 4) && i + 5 < n && code(i + 5) === 46) macLike = true;
  }
  return {
    bits,
    alnumRun: runs((c) => isLetter(c) || isDigit(c)),
    tokenRun: runs(isToken),
    words,
    numberStarts,
    longRuns,
    hexPairs,
    macLike,
    markup: /[_\\*`]/.test(text),
  };
}

function actual(g: GramIndex): Expected {
  return {
    bits: Array.from(g.bits),
    alnumRun: g.alnumRun,
    tokenRun: g.tokenRun,
    words: Array.from(g.words.subarray(0, 3 * g.wordCount)),
    numberStarts: [...g.numberStarts],
    longRuns: [...g.longRuns],
    hexPairs: g.hexPairs,
    macLike: g.macLike,
    markup: g.markup,
  };
}

/** Text drawn from the characters the pass tells apart, with non-ASCII ones among them. */
const PIECES = [
  'a', 'b', 'f', 'z', 'A', 'F', 'Q', '0', '7', '9', ' ', ' ', ':', '-', '.', '(', ')', '_', '+', '/', '=',
  '\\', '*', '`', '\n', ',', '@', 'é', '€', '\u212A', 'ab', 'de', 'ff', '12', 'the ', 'hello ', '0a:',
  '.0a1b', '.fe.', '-0c', ':9b',
];

/** Shapes the flags are about, at the edges of the text and next to near misses. */
const SHAPES = [
  'ab cd ef', ' ab cd', 'ab cd ', ':ab:cd:', 'ab  cd ef', 'xab cd ef', 'ab cg ef',
  '00:1a:2b:3c:4d:5e', '-00:1a-2b:3c-', '00:1a:2b:3c', 'a.0a1b.c', '.0a1b.', '.0a1g.', '.0a1b', '0a1b.',
  '(12) 3', '((1', 'a1', '_x', 'x\\y', 'é12', 'AbC dEf', '123abc456', 'tokens_of-ten+chars/=x',
];
const textArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 300 }).map((a) => a.join(''));

describe('GramIndex', () => {
  it('records what the plain statement of each fact says', () => {
    for (const text of SHAPES) expect(actual(new GramIndex(text)), text).toEqual(reference(text));
    fc.assert(
      fc.property(textArb, (text) => {
        expect(actual(new GramIndex(text))).toEqual(reference(text));
      }),
      { numRuns: 400 },
    );
  });

  it('reads texts longer than a chunk as one text', () => {
    // Words, numbers, runs and hex pairs straddle the 16384-character chunk boundaries.
    const unit = 'see ab:cd:ef:01:23 and (12) 34-56 AbCdEfGhIjKlMnOp_qr ';
    for (const shift of [0, 1, 5, 7, 13]) {
      const text = 'x'.repeat(shift) + unit.repeat(Math.ceil(40_000 / unit.length));
      expect(actual(new GramIndex(text))).toEqual(reference(text));
    }
  });

  it('gives the same answers with arrays reused from released indexes', () => {
    const texts = ['a long first text with 123 numbers and words', 'x', '', 'ab cd ef 12 34', 'é € 0a:0b:0c:0d:0e'];
    for (let round = 0; round < 3; round++) {
      for (const text of texts) {
        const g = new GramIndex(text);
        expect(actual(g)).toEqual(reference(text));
        g.release();
        expect(g.wordCount).toBe(0);
      }
    }
  });
});
