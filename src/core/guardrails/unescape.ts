/**
 * Inline escapes (percent-encoding, HTML entities, \u / \x escapes) decoded in place: each decoded
 * character maps back to its escape in the parent view. One left-to-right pass, bounded pattern.
 */
import { ViewBuilder, type TextView } from './text-view.js';

export type Encoding =
  'base64' | 'base32' | 'hex' | 'percent' | 'html' | 'unicode_escape' | 'rot13' | 'morse';

const utf8 = new TextDecoder('utf-8');

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '\u00ad',
  zwj: '\u200d',
  zwnj: '\u200c',
  lrm: '\u200e',
  rlm: '\u200f',
  hellip: '...',
  mdash: '-',
  ndash: '-',
  lsquo: "'",
  rsquo: "'",
  ldquo: '"',
  rdquo: '"',
  laquo: '"',
  raquo: '"',
  tab: '\t',
  newline: '\n',
  colon: ':',
  sol: '/',
  bsol: '\\',
  commat: '@',
  period: '.',
  comma: ',',
  excl: '!',
  quest: '?',
  num: '#',
  dollar: '$',
  percnt: '%',
  lpar: '(',
  rpar: ')',
  ast: '*',
  plus: '+',
  equals: '=',
  lowbar: '_',
  lsqb: '[',
  rsqb: ']',
  lcub: '{',
  rcub: '}',
  verbar: '|',
  grave: '`',
  semi: ';',
  copy: '(c)',
  reg: '(r)',
  middot: '.',
  bull: '*',
};

const INLINE =
  /(?:%[0-9A-Fa-f]{2})+|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,15});|(?:\\u\{[0-9A-Fa-f]{1,6}\}|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2})+/g;

export function hexBytes(run: string, step: number, skip: number): Uint8Array {
  const out = new Uint8Array(Math.floor(run.length / step));
  for (let k = 0; k < out.length; k++) out[k] = parseInt(run.slice(k * step + skip, k * step + skip + 2), 16);
  return out;
}

/**
 * Well-formed UTF-8 (the WHATWG decoder's fatal mode rejects exactly these): no stray continuation
 * or invalid lead bytes, no overlong forms, no surrogates, nothing above U+10FFFF, no truncation.
 * Checked by hand because a throwing decoder costs microseconds per rejected span.
 */
export function utf8Valid(b: Uint8Array): boolean {
  return utf8Check(b, b.length, true);
}

/** Are the first n bytes of b the start of well-formed UTF-8 (a last sequence may be cut short)? */
export function utf8PrefixValid(b: Uint8Array, n: number): boolean {
  return utf8Check(b, n, false);
}

function utf8Check(b: Uint8Array, n: number, whole: boolean): boolean {
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + need >= n) {
      // Truncated, unless only the prefix ends here: then check the bytes that are there.
      if (whole) return false;
      for (let k = 1; i + k < n; k++) {
        const x = b[i + k]!;
        if (x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return false;
      }
      return true;
    }
    const second = b[i + 1]!;
    if (second < lo || second > hi) return false;
    for (let k = 2; k <= need; k++) {
      const x = b[i + k]!;
      if (x < 0x80 || x > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

/** The text of well-formed UTF-8 bytes, or undefined. */
export function bytesToText(bytes: Uint8Array): string | undefined {
  return utf8Valid(bytes) ? utf8.decode(bytes) : undefined;
}

/** Decodes one escape run; undefined leaves it as it was. Each output piece covers [from, to). */
function decodeEscape(m: string): Array<{ out: string; from: number; to: number }> | undefined {
  if (m.charCodeAt(0) === 0x25 /* % */) {
    const text = bytesToText(hexBytes(m, 3, 1));
    return text === undefined ? undefined : [{ out: text, from: 0, to: m.length }];
  }
  if (m.charCodeAt(0) === 0x26 /* & */) {
    const body = m.slice(1, -1);
    let out: string | undefined;
    if (body[0] === '#') {
      const cp =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      out =
        cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : undefined;
    } else {
      out = ENTITIES[body] ?? ENTITIES[body.toLowerCase()];
    }
    return out === undefined ? undefined : [{ out, from: 0, to: m.length }];
  }
  // \u / \x escape run: \x runs are bytes (UTF-8 when valid, else Latin-1); \u are UTF-16 units.
  if (m[1] === 'x') {
    const bytes = hexBytes(m, 4, 2);
    const text = bytesToText(bytes) ?? String.fromCharCode(...bytes);
    return [{ out: text, from: 0, to: m.length }];
  }
  const pieces: Array<{ out: string; from: number; to: number }> = [];
  const re = /\\u\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})/g;
  for (let e = re.exec(m); e; e = re.exec(m)) {
    const cp = parseInt(e[1] ?? e[2] ?? e[3]!, 16);
    if (cp > 0x10ffff) return undefined;
    pieces.push({
      out: e[1] ? String.fromCodePoint(cp) : String.fromCharCode(cp),
      from: e.index,
      to: e.index + e[0].length,
    });
  }
  return pieces;
}

/** Decodes inline escapes in place; returns undefined when the view has none. */
export function unescapeInline(view: TextView): { view: TextView; encodings: Encoding[] } | undefined {
  const text = view.text;
  if (text.indexOf('%') < 0 && text.indexOf('&') < 0 && text.indexOf('\\') < 0) return undefined;
  INLINE.lastIndex = 0;
  let b: ViewBuilder | undefined;
  let last = 0;
  const encodings = new Set<Encoding>();
  for (let m = INLINE.exec(text); m; m = INLINE.exec(text)) {
    const pieces = decodeEscape(m[0]);
    if (!pieces) continue;
    b ??= new ViewBuilder(view.map, text.length);
    b.copy(text, last, m.index);
    for (const p of pieces) b.push(p.out, m.index + p.from, m.index + p.to);
    last = m.index + m[0].length;
    const c = m[0].charCodeAt(0);
    encodings.add(c === 0x25 ? 'percent' : c === 0x26 ? 'html' : 'unicode_escape');
  }
  if (!b) return undefined;
  b.copy(text, last, text.length);
  return { view: b.finish(view.via, view.depth), encodings: [...encodings] };
}
