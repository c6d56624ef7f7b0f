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
 * Per ASCII character, all the pass needs in one entry: its symbol (bits 0-4), its kind (bits 5-7,
 * below) and whether it is a hex digit (bit 8). Non-ASCII characters are symbol OTHER, kind OTHER.
 */
const LETTER = 0;
const DIGIT_KIND = 1;
/** Token characters that are not letters or digits: _ + / = - */
const TOKEN_MARK = 2;
/** The separators of spaced hex dumps: ' ' and ':'. */
const HEX_SEP = 3;
const OTHER_KIND = 4;
const HEX_FLAG = 256;
/** The markup characters the injection scanner blanks: _ \ * ` */
const MARKUP_FLAG = 512;
const INFO = new Uint16Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const kind = /[A-Za-z]/.test(ch)
    ? LETTER
    : /[0-9]/.test(ch)
      ? DIGIT_KIND
      : /[_+/=-]/.test(ch)
        ? TOKEN_MARK
        : c === 32 || c === 58
          ? HEX_SEP
          : OTHER_KIND;
  INFO[c] =
    symbolOf(c) | (kind << 5) | (/[0-9A-Fa-f]/.test(ch) ? HEX_FLAG : 0) | (/[_\\*`]/.test(ch) ? MARKUP_FLAG : 0);
}
const NON_ASCII_INFO = OTHER | (OTHER_KIND << 5);
const isHexSep = (c: number): boolean => c === 32 || c === 58;
const isMacSep = (c: number): boolean => c === 45 || c === 58;

/** Are the code units [from, to) all hex digits? */
function hexRun(src: Uint16Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = src[i]!;
    if (c >= 128 || (INFO[c]! & HEX_FLAG) === 0) return false;
  }
  return true;
}

/**
 * Scratch space of the pass, reused by every index (the pass is synchronous and keeps nothing in
 * it): the text's code units, a chunk at a time behind the last LOOKBACK units of the chunk
 * before, and the trigram bits, copied out at the end and cleared. Code units read from a typed
 * array cost a fraction of charCodeAt; a Buffer writes a string's UTF-16 units in one native copy
 * (on little-endian hosts). Fixed arrays, so the compiled loop needs no checks on them.
 */
const CHUNK = 16384;
const LOOKBACK = 8;
const UNITS = new Uint16Array(LOOKBACK + CHUNK + 1);
const UNIT_BYTES = Buffer.from(UNITS.buffer, UNITS.byteOffset, UNITS.byteLength);
const BITS = new Uint32Array(1024);
const LITTLE_ENDIAN = new Uint16Array(Uint8Array.of(1, 0).buffer)[0] === 1;

/** Puts text[from, to) at UNITS[LOOKBACK...], after the (up to LOOKBACK) units before `from`. */
function loadUnits(text: string, from: number, to: number): void {
  const back = Math.min(from, LOOKBACK);
  if (back < LOOKBACK) UNITS.fill(0, 0, LOOKBACK - back);
  if (LITTLE_ENDIAN) UNIT_BYTES.write(text.slice(from - back, to), 2 * (LOOKBACK - back), 'utf16le');
  else for (let i = from - back; i < to; i++) UNITS[LOOKBACK - from + i] = text.charCodeAt(i);
}

/**
 * Freed arrays for the next indexes: a scan releases the indexes of its views when done (see
 * GramIndex.release), so the next scan needs no new ones. Bounded; unreleased ones are collected.
 */
const FREE_BITS: Uint32Array[] = [];
const FREE_WORDS: Int32Array[] = [];
const POOL_MAX = 16;
const MAX_POOLED_WORDS = 3 * 16384;

function takeWords(size: number): Int32Array {
  for (let i = FREE_WORDS.length - 1; i >= 0; i--) {
    if (FREE_WORDS[i]!.length >= size) {
      const w = FREE_WORDS[i]!;
      FREE_WORDS[i] = FREE_WORDS[FREE_WORDS.length - 1]!;
      FREE_WORDS.pop();
      return w;
    }
  }
  return new Int32Array(size);
}

const NO_BITS = new Uint32Array(1024);
const NO_WORDS = new Int32Array(0);

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
  bits: Uint32Array;
  readonly alnumRun: number;
  /** Longest run of token characters (letters, digits, _ + / = -). */
  readonly tokenRun: number;
  /** Words (maximal runs of a-z): hash (as wordHash computes it), start and end. */
  words: Int32Array;
  wordCount: number;
  /** Where numbers can start: digits after a non-digit, and '(' before a digit (ascending). */
  readonly numberStarts: number[] = [];
  /** Runs of 10+ token characters, as [start, end) pairs: where block encodings can be. */
  readonly longRuns: number[] = [];
  /** Two hex pairs stand between ' ' or ':' separators ("ab cd "), as every spaced hex dump has. */
  readonly hexPairs: boolean;
  /**
   * Four hex pairs stand between '-' or ':' separators ("-ab:cd-ef:01:"), or four hex digits
   * between dots (".ab12."): every MAC address has one of them.
   */
  readonly macLike: boolean;
  /** One of the markup characters _ \ * ` is there (the injection scanner blanks them). */
  readonly markup: boolean;

  constructor(lower: string) {
    const numberStarts = this.numberStarts;
    const longRuns = this.longRuns;
    const n = lower.length;
    let words = takeWords(Math.min(3 * (n >>> 1) + 3, 3 * 1024));
    let count = 0;
    let t = 0;
    let h = 0;
    let start = -1; // start of the current word, -1 outside words
    let tokStart = 0; // start of the current run of token characters
    let alnStart = 0; // start of the current run of letters and digits
    let longest = 0;
    let tlongest = 0;
    let pairSep = -2; // the separator closing the last spaced hex pair
    let hexPairs = false;
    let macSep = -4; // the separator closing the last hex pair of a MAC shape
    let macChain = 0;
    let macLike = false;
    let markup = false;
    const src = UNITS;
    const bits = BITS;
    // Most characters are letters: they only extend the trigrams and the word's hash. The runs are
    // measured where they end (at the characters that end them), not counted character by
    // character. One extra step with a space after the text closes the last word and runs inside
    // the loop: code after a long loop has no type feedback when the loop was compiled on the
    // stack, and deoptimising there on every call costs more than the whole loop. A character at
    // text offset i is src[i - base].
    for (let from = 0; from <= n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK);
      loadUnits(lower, from, to);
      const base = from - LOOKBACK;
      let last = to - base - 1;
      if (to === n) src[++last] = 32;
      for (let j = LOOKBACK; j <= last; j++) {
        const u = src[j]!;
        const x = u < 128 ? INFO[u]! : NON_ASCII_INFO;
        t = ((t << 5) | (x & 31)) & 0x7fff;
        bits[t >>> 5]! |= 1 << (t & 31); // the first two are (other, other, x) and (other, x, y): harmless extra
        const kind = (x >>> 5) & 7;
        if (kind === LETTER) {
          if (start < 0) {
            start = j + base;
            h = 0;
          }
          h = (Math.imul(h, 31) + u) | 0;
          continue;
        }
        const i = j + base;
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
        if (kind === DIGIT_KIND) {
          // A number starts at a digit after a non-digit (and at a '(' right before it).
          if (((t >>> 5) & 31) !== DIGIT) {
            if (i > 0 && src[j - 1] === 40) numberStarts.push(i - 1);
            numberStarts.push(i);
          }
          continue;
        }
        // Anything else ends the run of letters and digits.
        if (i - alnStart > longest) longest = i - alnStart;
        alnStart = i + 1;
        if (x & MARKUP_FLAG) markup = true;
        if (u === 45 || u === 58 || u === 46) {
          // MAC address shapes: "[:-]hh[:-]hh[:-]hh[:-]hh[:-]" (a chain of four hex pairs), ".hhhh.".
          if (u === 46) {
            if (i >= 5 && src[j - 5] === 46 && hexRun(src, j - 4, j)) macLike = true;
          } else if (i >= 3 && isMacSep(src[j - 3]!) && hexRun(src, j - 2, j)) {
            macChain = macSep === i - 3 ? macChain + 1 : 1;
            macSep = i;
            if (macChain >= 4) macLike = true;
          }
        }
        if (kind === TOKEN_MARK) continue;
        // ... and a character that is no token character ends the run of token characters.
        const trun = i - tokStart;
        if (trun > tlongest) tlongest = trun;
        if (trun >= 10) longRuns.push(tokStart, i);
        tokStart = i + 1;
        // "[ :]hh[ :]hh[ :]": a hex pair ends at a separator, two hex digits after another one.
        if (kind === HEX_SEP && trun === 2 && i >= 3 && isHexSep(src[j - 3]!) && hexRun(src, j - 2, j)) {
          if (pairSep === i - 3) hexPairs = true;
          pairSep = i;
        }
      }
      if (to === n) break;
    }
    this.bits = FREE_BITS.pop() ?? new Uint32Array(1024);
    this.bits.set(bits);
    bits.fill(0);
    this.hexPairs = hexPairs;
    this.macLike = macLike;
    this.markup = markup;
    this.alnumRun = longest;
    this.tokenRun = tlongest;
    this.words = words;
    this.wordCount = count;
  }

  /**
   * Gives this index's arrays to the next indexes. Only for the owner of an index that is done
   * with it (a scan, at the end of a part): the index reads as empty afterwards.
   */
  release(): void {
    if (this.bits !== NO_BITS && FREE_BITS.length < POOL_MAX) FREE_BITS.push(this.bits);
    const words = this.words;
    if (words !== NO_WORDS && words.length <= MAX_POOLED_WORDS && FREE_WORDS.length < POOL_MAX)
      FREE_WORDS.push(words);
    this.bits = NO_BITS;
    this.words = NO_WORDS;
    this.wordCount = 0;
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
    return this.hasAll(gramsOf(lit));
  }

  /** Are all these grams (of gramsOf) present? */
  hasAll(grams: Int32Array): boolean {
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
