/**
 * Parser for the safe pattern dialect (see safe-regex.ts): pattern source to a syntax tree, with
 * backreferences and lookaround rejected as PatternError.
 */
export class PatternError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'PatternError';
  }
}

export type Pred = (c: number) => boolean;
export type Node =
  | { t: 'char'; pred: Pred }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number; lazy: boolean }
  | { t: 'assert'; kind: 'bol' | 'eol' | 'wordb' | 'nwordb' };

const MAX_COUNT = 1000;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isWord = (c: number): boolean =>
  isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (c: number): boolean =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0xfeff ||
  c === 0x2028 ||
  c === 0x2029 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x1680 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000;

export class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly flags: { i: boolean; s: boolean },
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) throw new PatternError(`unexpected '${this.src[this.i]}'`, this.i);
    return node;
  }

  private alternation(): Node {
    const items = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      items.push(this.quantified());
    }
    return { t: 'seq', items };
  }

  private quantified(): Node {
    const start = this.i;
    const atom = this.atom();
    const c = this.src[this.i];
    let min = -1;
    let max = -1;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (m) {
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT))
          throw new PatternError(`repetition count above ${MAX_COUNT}`, this.i);
        if (max < min) throw new PatternError('repetition {n,m} with m < n', this.i);
        this.i += m[0].length - 1;
      }
    }
    if (min < 0) return atom;
    if (atom.t === 'assert') throw new PatternError('quantifier on an assertion', start);
    this.i++;
    const lazy = this.src[this.i] === '?';
    if (lazy) this.i++;
    return { t: 'rep', node: atom, min, max, lazy };
  }

  private atom(): Node {
    const c = this.src[this.i]!;
    const pos = this.i;
    switch (c) {
      case '(': {
        this.i++;
        if (this.src.startsWith('?:', this.i)) this.i += 2;
        else if (/^\?<[A-Za-z_$][\w$]*>/.test(this.src.slice(this.i)))
          this.i = this.src.indexOf('>', this.i) + 1;
        else if (this.src[this.i] === '?')
          throw new PatternError(
            'lookaround and inline modifiers are not supported (no linear-time equivalent)',
            pos,
          );
        const inner = this.alternation();
        if (this.src[this.i] !== ')') throw new PatternError('unclosed group', pos);
        this.i++;
        return inner;
      }
      case ')':
        throw new PatternError('unmatched )', pos);
      case '[':
        return this.charClass();
      case '.':
        this.i++;
        return {
          t: 'char',
          pred: this.flags.s ? () => true : (x) => x !== 10 && x !== 13 && x !== 0x2028 && x !== 0x2029,
        };
      case '^':
        this.i++;
        return { t: 'assert', kind: 'bol' };
      case '$':
        this.i++;
        return { t: 'assert', kind: 'eol' };
      case '\\':
        return this.escape(false);
      case '*':
      case '+':
      case '?':
        throw new PatternError(`nothing to repeat before '${c}'`, pos);
      default:
        this.i++;
        return this.literal(c.charCodeAt(0));
    }
  }

  private literal(code: number): Node {
    if (!this.flags.i) return { t: 'char', pred: (x) => x === code };
    const lo = String.fromCharCode(code).toLowerCase().charCodeAt(0);
    const up = String.fromCharCode(code).toUpperCase().charCodeAt(0);
    return { t: 'char', pred: (x) => x === lo || x === up };
  }

  /** An escape outside or (inClass) inside a character class. */
  private escape(inClass: boolean): Node {
    const pos = this.i;
    const e = this.src[this.i + 1];
    if (e === 'b' && !inClass) {
      this.i += 2;
      return { t: 'assert', kind: 'wordb' };
    }
    if (e === 'B' && !inClass) {
      this.i += 2;
      return { t: 'assert', kind: 'nwordb' };
    }
    const atom = this.escapeAtom(inClass);
    if (typeof atom === 'number') return this.literal(atom);
    if (pos === this.i) throw new PatternError('bad escape', pos);
    return { t: 'char', pred: atom };
  }

  /** One escaped character (its code) or class escape (its predicate); advances past it. */
  private escapeAtom(inClass: boolean): number | Pred {
    const pos = this.i;
    const e = this.src[this.i + 1];
    if (e === undefined) throw new PatternError('trailing backslash', pos);
    this.i += 2;
    const simple: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, v: 11, '0': 0 };
    if (simple[e] !== undefined) return simple[e];
    if (e === 'b' && inClass) return 8;
    const classes: Record<string, Pred> = {
      d: isDigit,
      D: (x) => !isDigit(x),
      w: isWord,
      W: (x) => !isWord(x),
      s: isSpace,
      S: (x) => !isSpace(x),
    };
    if (classes[e]) return classes[e];
    if (e === 'x' || e === 'u') {
      const len = e === 'x' ? 2 : 4;
      const h = new RegExp(`^[0-9A-Fa-f]{${len}}`).exec(this.src.slice(this.i));
      if (!h) throw new PatternError(`bad \\${e} escape`, pos);
      this.i += len;
      return parseInt(h[0], 16);
    }
    if (e === 'k' || /[1-9]/.test(e))
      throw new PatternError('backreferences are not supported (no linear-time equivalent)', pos);
    if (/[A-Za-z]/.test(e)) throw new PatternError(`unknown escape \\${e}`, pos);
    return e.charCodeAt(0);
  }

  private charClass(): Node {
    const pos = this.i;
    this.i++;
    const negate = this.src[this.i] === '^';
    if (negate) this.i++;
    const preds: Pred[] = [];
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      const lo = this.classAtom();
      if (
        this.src[this.i] === '-' &&
        this.src[this.i + 1] !== ']' &&
        this.i + 1 < this.src.length &&
        typeof lo === 'number'
      ) {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi !== 'number') throw new PatternError('bad range in class', this.i);
        if (hi < lo) throw new PatternError('range out of order in class', this.i);
        preds.push(this.rangePred(lo, hi));
      } else {
        preds.push(typeof lo === 'number' ? this.rangePred(lo, lo) : lo);
      }
    }
    if (this.src[this.i] !== ']') throw new PatternError('unclosed character class', pos);
    this.i++;
    const any: Pred = (x) => preds.some((p) => p(x));
    return { t: 'char', pred: negate ? (x) => !any(x) : any };
  }

  private classAtom(): number | Pred {
    if (this.src[this.i] === '\\') return this.escapeAtom(true);
    return this.src.charCodeAt(this.i++);
  }

  private rangePred(lo: number, hi: number): Pred {
    if (!this.flags.i) return (x) => x >= lo && x <= hi;
    return (x) => {
      if (x >= lo && x <= hi) return true;
      const ch = String.fromCharCode(x);
      const l = ch.toLowerCase().charCodeAt(0);
      const u = ch.toUpperCase().charCodeAt(0);
      return (l >= lo && l <= hi) || (u >= lo && u <= hi);
    };
  }
}
