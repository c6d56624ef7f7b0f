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
  INFO[c] = symbolOf(c) | (kind << 5) | (/[0-9A-Fa-f]/.test(ch) ? HEX_FLAG : 0);
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
 * The code units of a text, then a space: read from a typed array, a character costs a fraction
 * of what charCodeAt costs. The array is scratch space reused by every index (valid until the next
 * call); a Buffer writes a string's UTF-16 code units in one native copy (on little-endian hosts).
 */
let scratch = new Uint16Array(0);
const LITTLE_ENDIAN = new Uint16Array(Uint8Array.of(1, 0).buffer)[0] === 1;

function codeUnits(text: string): Uint16Array {
  const n = text.length;
  if (scratch.length < n + 1) scratch = new Uint16Array(Math.max(1024, 2 * (n + 1)));
  if (LITTLE_ENDIAN) Buffer.from(scratch.buffer).write(text, 0, 'utf16le');
  else for (let i = 0; i < n; i++) scratch[i] = text.charCodeAt(i);
  scratch[n] = 32;
  return scratch;
}

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
  /**
   * Four hex pairs stand between '-' or ':' separators ("-ab:cd-ef:01:"), or four hex digits
   * between dots (".ab12."): every MAC address has one of them.
   */
  readonly macLike: boolean;

  constructor(lower: string) {
    const bits = this.bits;
    const numberStarts = this.numberStarts;
    const longRuns = this.longRuns;
    const n = lower.length;
    let words = new Int32Array(Math.min(3 * (n >>> 1) + 3, 3 * 256));
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
    // Most characters are letters: they only extend the trigrams and the word's hash. The runs are
    // measured where they end (at the characters that end them), not counted character by
    // character. One extra step with a space after the text closes the last word and runs inside
    // the loop: code after a long loop has no type feedback when the loop was compiled on the
    // stack, and deoptimising there on every call costs more than the whole loop.
    const src = codeUnits(lower);
    for (let i = 0; i <= n; i++) {
      const u = src[i]!;
      const x = u < 128 ? INFO[u]! : NON_ASCII_INFO;
      t = ((t << 5) | (x & 31)) & 0x7fff;
      bits[t >>> 5]! |= 1 << (t & 31); // the first two are (other, other, x) and (other, x, y): harmless extra
      const kind = (x >>> 5) & 7;
      if (kind === LETTER) {
        if (start < 0) {
          start = i;
          h = 0;
        }
        h = (Math.imul(h, 31) + u) | 0;
        continue;
      }
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
          if (i > 0 && src[i - 1] === 40) numberStarts.push(i - 1);
          numberStarts.push(i);
        }
        continue;
      }
      // Anything else ends the run of letters and digits.
      if (i - alnStart > longest) longest = i - alnStart;
      alnStart = i + 1;
      if (u === 45 || u === 58 || u === 46) {
        // MAC address shapes: "[:-]hh[:-]hh[:-]hh[:-]hh[:-]" (a chain of four hex pairs), ".hhhh.".
        if (u === 46) {
          if (i >= 5 && src[i - 5] === 46 && hexRun(src, i - 4, i)) macLike = true;
        } else if (i >= 3 && isMacSep(src[i - 3]!) && hexRun(src, i - 2, i)) {
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
      if (
        kind === HEX_SEP &&
        trun === 2 &&
        i >= 3 &&
        isHexSep(src[i - 3]!) &&
        hexRun(src, i - 2, i)
      ) {
        if (pairSep === i - 3) hexPairs = true;
        pairSep = i;
      }
    }
    this.hexPairs = hexPairs;
    this.macLike = macLike;
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
