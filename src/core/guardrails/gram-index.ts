/**
 * The index the prefilters are checked against, built in one pass over a (lower-cased) text: the
 * trigrams of its characters seen through a 32-symbol alphabet, the longest runs of
 * letters/digits and of token characters, its words (hash and span), where numbers can start,
 * where block encodings can be, and whether a spaced hex dump can be there. See prefilter.ts.
 *
 * The alphabet: the 26 ASCII letters (either case), digits, whitespace together with the markup
 * characters the injection scanner blanks (_ \ * `), '.', '-', other ASCII, and non-ASCII. With
 * 5-bit symbols a trigram is its own 15-bit address: the index is exact, no hashing.
 */

const OTHER = 0; // non-ASCII
export const DIGIT = 27;
const SPACE = 28;
const DOT = 29;
const DASH = 30;
export const PUNCT = 31; // other ASCII

/** Symbol (0..31) of one UTF-16 unit (see the module comment). */
export function symbolOf(c: number): number {
  if (c >= 128) return OTHER;
  if (c >= 97 && c <= 122) return c - 96;
  if (c >= 65 && c <= 90) return c - 64;
  if (c >= 48 && c <= 57) return DIGIT;
  if (c === 32 || (c >= 9 && c <= 13) || c === 95 || c === 92 || c === 42 || c === 96) return SPACE;
  if (c === 46) return DOT;
  if (c === 45) return DASH;
  return PUNCT;
}

/**
 * Per ASCII character, all the pass needs in one entry: its symbol (bits 0-4), 32 for a letter or
 * digit, 64 for another token character (_ + / = -), and its class for spaced hex pairs in bits
 * 7-8: 1 for ' ' and ':', 2 for a hex digit.
 */
const INFO = new Uint16Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const token = /[A-Za-z0-9]/.test(ch) ? 32 : /[_+/=-]/.test(ch) ? 64 : 0;
  const hex = c === 32 || c === 58 ? 1 : /[0-9A-Fa-f]/.test(ch) ? 2 : 0;
  INFO[c] = symbolOf(c) | token | (hex << 7);
}
/** The hex classes of "[ :]hh[ :]hh[ :]", two bits each, oldest highest. */
const HEX_PAIRS = 0b01_10_10_01_10_10_01;

/** Hash of a lower-case ASCII word, as GramIndex computes it for each word of a text. */
export function wordHash(word: string): number {
  let h = 0;
  for (let i = 0; i < word.length; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) | 0;
  return h;
}

/**
 * What one pass over a text records: its symbol trigrams (32 Kbit, which also tell its pairs), the longest
 * runs of ASCII letters and digits and of token characters, the hash and span of every word (run
 * of a-z) for the injection scanner's word gates, and where numbers can start.
 */
export class GramIndex {
  readonly bits = new Uint32Array(1024);
  readonly alnumRun: number;
  /** Longest run of token characters (letters, digits, _ + / = -). */
  readonly tokenRun: number;
  /** Words (maximal runs of a-z): hash (as wordHash computes it), start and end. */
  readonly words: Int32Array;
  readonly wordCount: number;
  /** Where numbers can start: digits after a non-digit, and '(' before a digit (ascending). */
  readonly numberStarts: number[] = [];
  /** Runs of 10+ token characters, as [start, end) pairs: where block encodings can be. */
  readonly longRuns: number[] = [];
  /** Two hex pairs stand between ' ' or ':' separators ("ab cd "), as every spaced hex dump has. */
  readonly hexPairs: boolean;

  constructor(lower: string) {
    const bits = this.bits;
    const numberStarts = this.numberStarts;
    const longRuns = this.longRuns;
    const n = lower.length;
    let words = new Int32Array(Math.min(3 * (n >>> 1) + 3, 3 * 256));
    let count = 0;
    let t = 0;
    let run = 0;
    let longest = 0;
    let trun = 0;
    let tlongest = 0;
    let h = 0;
    let start = -1;
    let hw = 0;
    let hexPairs = false;
    // One extra step with a space after the text closes the last word and runs inside the loop:
    // code after a long loop has no type feedback when the loop was compiled on the stack, and
    // deoptimising there on every call costs more than the whole loop.
    for (let i = 0; i <= n; i++) {
      const u = i < n ? lower.charCodeAt(i) : 32;
      const x = u < 128 ? INFO[u]! : 0;
      const e = x & 127;
      hw = ((hw << 2) | (x >>> 7)) & 0x3fff;
      if (hw === HEX_PAIRS) hexPairs = true;
      const c = e & 31;
      if (c !== 0 && c <= 26) {
        // A letter (the text is lower-cased): extend the word's hash.
        if (start < 0) {
          start = i;
          h = 0;
        }
        h = (Math.imul(h, 31) + u) | 0;
      } else {
        if (start >= 0) {
          if (3 * count + 3 > words.length) {
            const grown = new Int32Array(words.length * 2);
            grown.set(words);
            words = grown;
          }
          words[3 * count] = h;
          words[3 * count + 1] = start;
          words[3 * count + 2] = i;
          count++;
          start = -1;
        }
        if (c === DIGIT && (t & 31) !== DIGIT) {
          if ((t & 31) === PUNCT && lower.charCodeAt(i - 1) === 40) numberStarts.push(i - 1);
          numberStarts.push(i);
        }
      }
      t = ((t << 5) | c) & 0x7fff;
      bits[t >>> 5]! |= 1 << (t & 31); // the first two are (other, other, x) and (other, x, y): harmless extra
      if (e >= 32) {
        trun++;
        if (e < 64) run++;
        else {
          if (run > longest) longest = run;
          run = 0;
        }
      } else {
        if (run > longest) longest = run;
        if (trun > tlongest) tlongest = trun;
        if (trun >= 10) longRuns.push(i - trun, i);
        run = trun = 0;
      }
    }
    this.hexPairs = hexPairs;
    this.alnumRun = longest;
    this.tokenRun = tlongest;
    this.words = words;
    this.wordCount = count;
  }

  /**
   * Is gram g present? g >= 0: a trigram. g < 0: the pair -1 - g, present when some trigram ends
   * with it (the first characters of a text make trigrams with the "other" symbol before them).
   */
  has(g: number): boolean {
    const bits = this.bits;
    if (g >= 0) return (bits[g >>> 5]! & (1 << (g & 31))) !== 0;
    const p = -1 - g;
    for (let x = 0; x < 32; x++) {
      const t = (x << 10) | p;
      if ((bits[t >>> 5]! & (1 << (t & 31))) !== 0) return true;
    }
    return false;
  }

  /** False only when the literal (already mapped) cannot occur in the text. */
  mayContain(lit: string): boolean {
    const grams = gramsOf(lit);
    for (let i = 0; i < grams.length; i++) if (!this.has(grams[i]!)) return false;
    return true;
  }
}

/** The grams a literal (already mapped) needs: its trigrams; its pair when it has two symbols. */
export function gramsOf(lit: string): Int32Array {
  const n = lit.length;
  if (n < 2) return new Int32Array(0);
  if (n === 2) return Int32Array.of(-1 - ((lit.charCodeAt(0) << 5) | lit.charCodeAt(1)));
  const out = new Int32Array(n - 2);
  for (let i = 2; i < n; i++)
    out[i - 2] = (lit.charCodeAt(i - 2) << 10) | (lit.charCodeAt(i - 1) << 5) | lit.charCodeAt(i);
  return out;
}

/** Maps a string to symbols (for literals written by hand). */
export function mapLiteral(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(symbolOf(s.charCodeAt(i)));
  return out;
}
