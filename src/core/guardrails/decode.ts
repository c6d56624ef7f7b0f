/**
 * Decoding of obfuscated text. Two kinds:
 *  - inline escapes (percent-encoding, HTML entities, \u / \x escapes) are decoded in place, each
 *    decoded character mapping back to its escape;
 *  - block encodings (base64, base32, hex, ROT13, Morse) are decoded into separate views that map
 *    as a whole onto the encoded span, and only when the result is readable text.
 * Every function is a single left-to-right pass with bounded patterns, so cost is linear.
 */
import { gramsOf, mapLiteral, wordHash } from './gram-index.js';
import { probeOf, type TextIndex } from './text-index.js';
import { ViewBuilder, toOriginal, type TextView } from './text-view.js';
import { bytesToText, hexBytes, utf8PrefixValid, type Encoding } from './unescape.js';

export { unescapeInline, type Encoding } from './unescape.js';

/** True when decoded text reads as text: mostly printable, some letters, no control bytes. */
export function looksLikeText(s: string): boolean {
  if (s.length < 4) return false;
  let printable = 0;
  let letters = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c !== 0xfffd))
      printable++;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xc0) letters++;
  }
  return printable / s.length >= 0.95 && letters / s.length >= 0.3;
}

/**
 * Base64 of text mixes upper and lower case (or carries digits and + /); a run of one case only is a
 * word or an identifier, not worth decoding.
 */
function base64Shaped(run: string): boolean {
  return (/[A-Z]/.test(run) && /[a-z]/.test(run)) || /[0-9+/]/.test(run);
}

/** Value of each base64 character (standard alphabet), -1 for the others. */
const B64_VALUE = new Int8Array(128).fill(-1);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach(
  (ch, v) => (B64_VALUE[ch.charCodeAt(0)] = v),
);
const PREFIX_BYTES = new Uint8Array(24);

/**
 * Can the base64 `clean` (standard alphabet) decode to well-formed UTF-8? Its first 32 characters
 * decode to the first bytes of the whole (a decoder reads groups of four in order), so when those
 * bytes already break UTF-8 — as the bytes of most identifiers and paths read as base64 do — the
 * whole cannot be text, and the costly full decode is skipped. A sequence cut by the prefix's end
 * proves nothing.
 */
function base64MayBeText(clean: string): boolean {
  let len = 0;
  while (len < 32 && len < clean.length) {
    const c = clean.charCodeAt(len);
    if (c >= 128 || B64_VALUE[c]! < 0) break;
    len++;
  }
  const groups = len >> 2;
  for (let g = 0; g < groups; g++) {
    let v = 0;
    for (let k = 0; k < 4; k++) v = (v << 6) | B64_VALUE[clean.charCodeAt(4 * g + k)]!;
    PREFIX_BYTES[3 * g] = v >>> 16;
    PREFIX_BYTES[3 * g + 1] = (v >>> 8) & 0xff;
    PREFIX_BYTES[3 * g + 2] = v & 0xff;
  }
  return utf8PrefixValid(PREFIX_BYTES, 3 * groups);
}

function decodeBase64(run: string): string | undefined {
  if (!base64Shaped(run)) return undefined;
  // Line breaks out, URL-safe alphabet to the standard one, padding off (each only when present).
  let clean = run;
  if (clean.indexOf('\n') >= 0 || clean.indexOf('\r') >= 0) clean = clean.replace(/[\r\n]/g, '');
  if (clean.indexOf('-') >= 0) clean = clean.replace(/-/g, '+');
  if (clean.indexOf('_') >= 0) clean = clean.replace(/_/g, '/');
  if (clean.charCodeAt(clean.length - 1) === 61) clean = clean.replace(/=+$/, '');
  if (clean.length % 4 === 1 || !base64MayBeText(clean)) return undefined;
  return bytesToText(Buffer.from(clean, 'base64'));
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function decodeBase32(run: string): string | undefined {
  if (!/[2-7]/.test(run)) return undefined; // base32 of text always has digits 2-7; words do not
  const clean = run.toUpperCase().replace(/=+$/, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = B32.indexOf(ch);
    if (v < 0) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return bytesToText(Uint8Array.from(out));
}

function decodeHex(run: string): string | undefined {
  const clean = run.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0) return undefined;
  return bytesToText(hexBytes(clean, 2, 0));
}

export function rot13(s: string): string {
  return s.replace(/[A-Za-z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** The most frequent English words: a line full of them after ROT13, and not before, is ROT13. */
const COMMON = new Set(
  (
    'the be to of and a in that have i it for not on with he as you do at this but his by from they we say her ' +
    'she or an will my one all would there their what so up out if about who get which go me when make can ' +
    'like time no just him know take people into year your good some could them see other than then now look ' +
    'only come its over think also back after use two how our work first well way even new want because any ' +
    'these give day most us is are was were been has had did does ignore instructions previous tell say print'
  ).split(' '),
);

function commonWordCount(s: string): { common: number; words: number } {
  let common = 0;
  let words = 0;
  for (const w of s.toLowerCase().match(/[a-z]{1,20}/g) ?? []) {
    words++;
    if (COMMON.has(w)) common++;
  }
  return { common, words };
}

const MORSE: Record<string, string> = {
  '.-': 'a',
  '-...': 'b',
  '-.-.': 'c',
  '-..': 'd',
  '.': 'e',
  '..-.': 'f',
  '--.': 'g',
  '....': 'h',
  '..': 'i',
  '.---': 'j',
  '-.-': 'k',
  '.-..': 'l',
  '--': 'm',
  '-.': 'n',
  '---': 'o',
  '.--.': 'p',
  '--.-': 'q',
  '.-.': 'r',
  '...': 's',
  '-': 't',
  '..-': 'u',
  '...-': 'v',
  '.--': 'w',
  '-..-': 'x',
  '-.--': 'y',
  '--..': 'z',
  '-----': '0',
  '.----': '1',
  '..---': '2',
  '...--': '3',
  '....-': '4',
  '.....': '5',
  '-....': '6',
  '--...': '7',
  '---..': '8',
  '----.': '9',
  '.-.-.-': '.',
  '--..--': ',',
  '..--..': '?',
  '-.-.--': '!',
};

function decodeMorse(run: string): string | undefined {
  let out = '';
  let known = 0;
  let total = 0;
  for (const word of run.trim().split(/\s*\/\s*|\s{2,}/)) {
    for (const sym of word.split(/\s+/)) {
      if (sym === '') continue;
      const ch = MORSE[sym];
      total++;
      if (ch !== undefined) known++;
      out += ch ?? '?';
    }
    out += ' ';
  }
  return known >= 8 && known / total >= 0.8 ? out.trim() : undefined;
}

export interface DecodedSpan {
  start: number;
  end: number;
  encoding: Encoding;
  text: string;
}

const HEX_SEPARATED = /(?:[0-9a-fA-F]{2}[ :]){7,}[0-9a-fA-F]{2}/g;
const HEX_SEPARATED_PROBE = /[0-9a-fA-F]{2}[ :][0-9a-fA-F]{2}[ :][0-9a-fA-F]{2}[ :]/;
const MORSE_RUN = /(?:[.-]{1,8}(?: {1,3}| ?\/ ?)){7,}[.-]{1,8}/g;

/** Character classes of the block encodings, one bit each, for the single candidate pass. */
const B64 = 1;
const HEX = 2;
const B32U = 4; // A-Z 2-7
const B32L = 8; // a-z 2-7
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let f = 0;
  if (/[A-Za-z0-9+/_-]/.test(ch)) f |= B64;
  if (/[0-9a-fA-F]/.test(ch)) f |= HEX;
  if (/[A-Z2-7]/.test(ch)) f |= B32U;
  if (/[a-z2-7]/.test(ch)) f |= B32L;
  CLASS[c] = f;
}

interface Run {
  start: number;
  end: number;
  flags: number;
}

const isPairSep = (c: number): boolean => c === 32 || c === 58; // ' ' or ':'

/**
 * Maximal runs (16+ characters) of the base64 alphabet with trailing '=' padding, and which
 * narrower alphabets (hex, base32) the whole run fits; MIME-wrapped base64 lines are joined. One
 * pass over the text, instead of one regex per encoding. `hexPairs` tells whether two hex pairs
 * stand one after the other between ' ' or ':' separators ("ab cd "), which every separated hex
 * dump has (so HEX_SEPARATED runs only then). With `regions` (the runs of 10+ token characters,
 * from the text's index) only those are read, and `hexPairs` is left unknown.
 */
function encodedRuns(
  text: string,
  regions?: readonly number[],
): { runs: Run[]; hexPairs: boolean | undefined } {
  const runs: Run[] = [];
  const n = text.length;
  let hexPairs = false;
  let pairEnd = -1; // just after the separator that follows the last separated hex pair
  let i = 0;
  let r = 0;
  while (i < n) {
    if (regions) {
      // Outside the regions no run reaches 16 characters: only separated hex pairs can be there.
      while (r < regions.length && regions[r + 1]! <= i) r += 2;
      if (r >= regions.length) break;
      if (i < regions[r]!) i = regions[r]!;
    }
    const c = text.charCodeAt(i);
    if (c >= 128 || (CLASS[c]! & B64) === 0) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d >= 128 || (CLASS[d]! & B64) === 0) break;
      i++;
    }
    if (
      i - start === 2 &&
      start > 0 &&
      isPairSep(text.charCodeAt(start - 1)) &&
      isPairSep(text.charCodeAt(i)) &&
      CLASS[text.charCodeAt(start)]! & CLASS[text.charCodeAt(start + 1)]! & HEX
    ) {
      if (start === pairEnd) hexPairs = true;
      pairEnd = i + 1;
    }
    if (i - start < 10) continue; // even with six '=' of padding, shorter than 16
    let end = i;
    while (end < n && end - i < 6 && text.charCodeAt(end) === 61) end++; // '=' padding
    if (end - start < 16) continue;
    let flags = B64 | HEX | B32U | B32L;
    for (let k = start; k < i; k++) flags &= CLASS[text.charCodeAt(k)]!;
    // MIME: further lines of 16+ base64 characters, each after a single line break.
    for (;;) {
      let j = end;
      if (text.charCodeAt(j) === 13) j++;
      if (text.charCodeAt(j) !== 10) break;
      let k = j + 1;
      while (k < n && text.charCodeAt(k) < 128 && (CLASS[text.charCodeAt(k)]! & B64) !== 0) k++;
      if (k - (j + 1) < 16) break;
      while (k < n && text.charCodeAt(k) === 61 && k - j < 80) k++;
      flags &= B64;
      end = k;
    }
    runs.push({ start, end, flags });
    i = end;
  }
  return { runs, hexPairs: regions ? undefined : hexPairs };
}

/** Adds the span when its decoded text reads as text. */
function accept(
  out: DecodedSpan[],
  start: number,
  end: number,
  encoding: Encoding,
  decoded: string | undefined,
): boolean {
  if (decoded === undefined || !looksLikeText(decoded)) return false;
  out.push({ start, end, encoding, text: decoded });
  return true;
}

/** Spans of `re` not overlapping the block-encoded spans found before (the first `taken` of out). */
function regexSpans(
  out: DecodedSpan[],
  taken: number,
  text: string,
  re: RegExp,
  encoding: Encoding,
  decode: (run: string) => string | undefined,
): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const run = m[0].trimEnd();
    const s = m.index;
    const e = m.index + run.length;
    let free = true;
    for (let k = 0; k < taken && free; k++) free = !(s < out[k]!.end && e > out[k]!.start);
    if (free) accept(out, s, e, encoding, decode(run));
  }
}

/** The pair ".-" (in gram-index symbols), which Morse code needs. */
const DOT_DASH = gramsOf(mapLiteral('.-'))[0]!;

/** Finds block-encoded spans of the view that decode to readable text. */
export function findEncodedSpans(
  view: TextView,
  enabled: ReadonlySet<Encoding>,
  index?: TextIndex,
): DecodedSpan[] {
  const text = view.text;
  const out: DecodedSpan[] = [];
  const { runs, hexPairs } = encodedRuns(text, index?.grams.longRuns);
  for (const r of runs) {
    const run = text.slice(r.start, r.end);
    if (enabled.has('hex') && r.flags & HEX && accept(out, r.start, r.end, 'hex', decodeHex(run))) continue;
    if (
      enabled.has('base32') &&
      r.flags & (B32U | B32L) &&
      accept(out, r.start, r.end, 'base32', decodeBase32(run))
    )
      continue;
    if (enabled.has('base64')) accept(out, r.start, r.end, 'base64', decodeBase64(run));
  }
  const taken = out.length;
  const pairs = hexPairs ?? index?.grams.hexPairs ?? true;
  if (enabled.has('hex') && pairs && HEX_SEPARATED_PROBE.test(text))
    regexSpans(out, taken, text, HEX_SEPARATED, 'hex', decodeHex);
  if (enabled.has('morse') && (!index || index.grams.has(DOT_DASH)) && text.indexOf('.-') >= 0)
    regexSpans(out, taken, text, MORSE_RUN, 'morse', decodeMorse);
  if (enabled.has('rot13') && (!index || hasRot13Word(index)) && ROT13_MARKER.test(text))
    findRot13(text, out);
  return out;
}

/** ROT13 of the, and, you, is, it, are, for, with, this, your: English ROT13 text has some of them. */
const ROT13_MARKER = /\b(?:gur|naq|lbh|vf|vg|ner|sbe|jvgu|guvf|lbhe)\b/i;
const ROT13_WORDS = new Set('gur naq lbh vf vg ner sbe jvgu guvf lbhe'.split(' '));

const ROT13_HASHES = new Set([...ROT13_WORDS].map(wordHash));
const ROT13_PROBE = probeOf(ROT13_MARKER);

/** Is one of the marker words a word of the text (from its index)? Needed for the marker to match. */
function hasRot13Word(index: TextIndex): boolean {
  if (!ROT13_PROBE(index)) return false;
  const { words, wordCount } = index.grams;
  for (let w = 0; w < wordCount; w++) {
    if (!ROT13_HASHES.has(words[3 * w]!)) continue;
    if (ROT13_WORDS.has(index.lower.slice(words[3 * w + 1], words[3 * w + 2]))) return true;
  }
  return false;
}

/** Lines (bounded chunks) that are far more English after ROT13 than before. */
function findRot13(text: string, out: DecodedSpan[]): void {
  const CHUNK = 2000;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    if (end - pos > CHUNK) end = pos + CHUNK;
    const line = text.slice(pos, end);
    const before = commonWordCount(line);
    if (before.words >= 4 && before.common / before.words < 0.25) {
      const rotated = rot13(line);
      const after = commonWordCount(rotated);
      if (
        after.common >= 3 &&
        after.common / after.words >= 0.3 &&
        after.common >= 3 * Math.max(1, before.common)
      ) {
        out.push({ start: pos, end, encoding: 'rot13', text: rotated });
      }
    }
    pos = end + (text[end] === '\n' ? 1 : 0);
  }
}

/**
 * A decoded span as a view of its own. ROT13 keeps lengths, so it maps character by character;
 * the other encodings map as a whole onto the encoded original span.
 */
export function decodedView(parent: TextView, span: DecodedSpan): TextView {
  const via = [...parent.via, span.encoding];
  if (span.encoding === 'rot13') {
    const b = new ViewBuilder(parent.map, span.text.length);
    b.pushAligned(span.text, span.start);
    return b.finish(via, parent.depth + 1);
  }
  const o = toOriginal(parent, span.start, span.end);
  return {
    text: span.text,
    map: { kind: 'constant', start: o.start, end: o.end },
    via,
    depth: parent.depth + 1,
  };
}
