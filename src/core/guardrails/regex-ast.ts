/**
 * A parser for the JavaScript regex syntax the scanners' patterns use, into a small tree that keeps
 * what the analyses (prefilter.ts, regex-anchors.ts) need: per character position, the set of
 * symbols it can be (see gram-index.ts), whether they are all token characters, whether a letter
 * is possible, and the raw characters when few. Anything unknown throws Unsupported, and the
 * analyses then give no filter (the pattern simply runs).
 */
import { symbolOf } from './gram-index.js';

export type Node =
  // One character from a set of symbols (undefined: too many to list); tok: all of them token
  // characters; lt: it can be an ASCII letter; raw: the characters themselves, when very few.
  | { t: 'set'; syms: number[] | undefined; tok: boolean; lt: boolean; raw?: number[] }
  | { t: 'empty'; wb?: true } // assertions and lookaround consume nothing (wb: the \b assertion)
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number };

/** A construct the analysis does not know; the pattern then gets no prefilter (always runs). */
export class Unsupported extends Error {}

export const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Token characters: the alphabet of keys and tokens (letters, digits, _ + / = -). */
export const isToken = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 ||
  c === 43 ||
  c === 47 ||
  c === 61 ||
  c === 45;

const MAX_CLASS = 6;
const DIGITS = [...'0123456789'].map((c) => c.charCodeAt(0));

function symSet(codes: Iterable<number>): number[] | undefined {
  const s = new Set<number>();
  for (const c of codes) {
    s.add(symbolOf(c));
    if (s.size > MAX_CLASS) return undefined;
  }
  return [...s];
}

export class RegexParser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i !== this.src.length) throw new Unsupported();
    return n;
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.src[this.i] === '|') {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private cat(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      items.push(this.quantified(this.atom()));
    }
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  private quantified(node: Node): Node {
    const s = this.src;
    for (;;) {
      const c = s[this.i];
      let min: number;
      let max: number;
      if (c === '*' || c === '+' || c === '?') {
        this.i++;
        min = c === '+' ? 1 : 0;
        max = c === '?' ? 1 : Infinity;
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
        if (!m) return node; // a literal '{' (read as an atom next)
        this.i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      } else return node;
      if (s[this.i] === '?') this.i++; // lazy
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(): Node {
    const s = this.src;
    const c = s[this.i]!;
    if (c === '(') {
      this.i++;
      let look = false;
      if (s[this.i] === '?') {
        const rest = s.slice(this.i, this.i + 3);
        if (rest.startsWith('?:')) this.i += 2;
        else if (rest.startsWith('?=') || rest.startsWith('?!')) {
          this.i += 2;
          look = true;
        } else if (rest === '?<=' || rest === '?<!') {
          this.i += 3;
          look = true;
        } else if (rest.startsWith('?<')) {
          const close = s.indexOf('>', this.i);
          if (close < 0) throw new Unsupported();
          this.i = close + 1;
        } else throw new Unsupported();
      }
      const inner = this.alt();
      if (s[this.i] !== ')') throw new Unsupported();
      this.i++;
      return look ? { t: 'empty' } : inner;
    }
    if (c === '[') return this.cls();
    if (c === '.') {
      this.i++;
      return { t: 'set', syms: undefined, tok: false, lt: true };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'empty' };
    }
    if (c === '\\') return this.escape();
    if (c === ')' || c === '*' || c === '+' || c === '?') throw new Unsupported();
    this.i++;
    const code = c.charCodeAt(0);
    return { t: 'set', syms: [symbolOf(code)], tok: isToken(code), lt: isLetter(code), raw: [code] };
  }

  private escape(): Node {
    const s = this.src;
    const e = s[this.i + 1];
    if (e === undefined) throw new Unsupported();
    this.i += 2;
    if (e === 'b') return { t: 'empty', wb: true };
    if (e === 'B') return { t: 'empty' };
    if (/[dDwWsS]/.test(e))
      return {
        t: 'set',
        syms: e === 'd' ? symSet(DIGITS) : undefined,
        tok: e === 'd' || e === 'w',
        lt: e === 'D' || e === 'w' || e === 'S',
      };
    if (e === 'k') throw new Unsupported();
    if (/[1-9]/.test(e)) return { t: 'set', syms: undefined, tok: false, lt: true }; // a backreference
    const code = this.escapedCode(e);
    return { t: 'set', syms: [symbolOf(code)], tok: isToken(code), lt: isLetter(code), raw: [code] };
  }

  /** The code unit of a character escape whose letter (after the backslash) is `e`. */
  private escapedCode(e: string): number {
    const s = this.src;
    const hex = (len: number): number => {
      const h = s.slice(this.i, this.i + len);
      if (h.length !== len || !/^[0-9A-Fa-f]+$/.test(h)) throw new Unsupported();
      this.i += len;
      return parseInt(h, 16);
    };
    switch (e) {
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case '0':
        return 0;
      case 'x':
        return hex(2);
      case 'u':
        if (s[this.i] === '{') throw new Unsupported();
        return hex(4);
      default:
        if (/[A-Za-z0-9]/.test(e)) throw new Unsupported();
        return e.charCodeAt(0);
    }
  }

  private cls(): Node {
    const s = this.src;
    this.i++;
    let negated = false;
    if (s[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const codes: number[] = [];
    let big = false;
    let tok = true;
    let lt = false;
    const classAtom = (): number | undefined => {
      if (s[this.i] !== '\\') return s.charCodeAt(this.i++);
      const e = s[this.i + 1];
      if (e === undefined) throw new Unsupported();
      this.i += 2;
      if (/[dDwWsS]/.test(e)) {
        if (e === 'd') codes.push(...DIGITS);
        else big = true;
        if (e !== 'd' && e !== 'w') tok = false;
        if (e === 'D' || e === 'w' || e === 'S') lt = true;
        return undefined;
      }
      return e === 'b' ? 8 : e === '-' ? 45 : this.escapedCode(e);
    };
    while (this.i < s.length && s[this.i] !== ']') {
      const lo = classAtom();
      if (lo === undefined) continue;
      if (s[this.i] === '-' && this.i + 1 < s.length && s[this.i + 1] !== ']') {
        this.i++;
        const hi = classAtom();
        if (hi === undefined) throw new Unsupported();
        if (hi >= 128) tok = false;
        else for (let k = lo; k <= hi; k++) if (!isToken(k)) tok = false;
        for (let k = lo; k <= Math.min(hi, 127); k++) if (isLetter(k)) lt = true;
        if (hi - lo > 64) big = true;
        else for (let k = lo; k <= hi; k++) codes.push(k);
      } else {
        codes.push(lo);
        if (!isToken(lo)) tok = false;
        if (isLetter(lo)) lt = true;
      }
    }
    if (s[this.i] !== ']') throw new Unsupported();
    this.i++;
    if (negated) return { t: 'set', syms: undefined, tok: false, lt: true };
    const raw = !big && codes.length <= 4 ? [...new Set(codes)] : undefined;
    return { t: 'set', syms: big ? undefined : symSet(codes), tok, lt, ...(raw ? { raw } : {}) };
  }
}
