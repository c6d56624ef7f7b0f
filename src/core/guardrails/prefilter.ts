/**
 * Regex prefilters: from a pattern's source, the literal strings any match must contain (an AND/OR
 * formula, as in RE2's prefilter and Russ Cox's trigram index), checked against a bitset of the
 * character trigrams of the text built in one pass. A prefilter never rejects a text the pattern
 * matches: it only lets the scanners skip patterns that cannot match, so a text with no key words
 * costs one pass instead of one regex scan per pattern.
 *
 * Both sides see characters through one mapping: ASCII letters folded to lower case, whitespace and
 * the markup characters the injection scanner blanks (_ \ * `) to a space, other ASCII as itself,
 * every non-ASCII UTF-16 unit to one "other" symbol. The index is built over the lower-cased text,
 * which holds every ASCII letter any view of the text (original or lower-cased) can show.
 */

/** A formula over literals (strings of mapped symbols) that a text must satisfy. */
export type Query = true | { and: Query[] } | { or: Query[] } | { lit: string };

const OTHER = 0;
const SPACE = 32;

/** Symbol of one UTF-16 unit (see the module comment). */
export function symbolOf(c: number): number {
  if (c >= 128) return OTHER;
  if (c >= 65 && c <= 90) return c + 32;
  if (c === 9 || c === 10 || c === 11 || c === 12 || c === 13 || c === 95 || c === 92 || c === 42 || c === 96)
    return SPACE;
  return c;
}

const SYMBOL = new Uint8Array(128);
for (let c = 0; c < 128; c++) SYMBOL[c] = symbolOf(c);

const BITS = 1 << 15;
const MASK = BITS - 1;
/** Bit of a trigram (a, b, c); bigrams and single symbols use 128/129 as the missing symbols. */
const gram = (a: number, b: number, c: number): number => (Math.imul((a << 16) | (b << 8) | c, 0x9e3779b1) >>> 17) & MASK;

/** The trigrams (and bigrams and symbols) present in a text, as a 32 Kbit set. */
export class GramIndex {
  readonly bits = new Uint32Array(BITS >>> 5);

  constructor(lower: string) {
    const bits = this.bits;
    let a = 128;
    let b = 128;
    for (let i = 0; i < lower.length; i++) {
      const u = lower.charCodeAt(i);
      const c = u < 128 ? SYMBOL[u]! : OTHER;
      let g = gram(a, b, c);
      bits[g >>> 5]! |= 1 << (g & 31);
      g = gram(129, b, c);
      bits[g >>> 5]! |= 1 << (g & 31);
      g = gram(129, 129, c);
      bits[g >>> 5]! |= 1 << (g & 31);
      a = b;
      b = c;
    }
  }

  private has(g: number): boolean {
    return (this.bits[g >>> 5]! & (1 << (g & 31))) !== 0;
  }

  /** False only when the literal (already mapped) cannot occur in the text. */
  mayContain(lit: string): boolean {
    const n = lit.length;
    if (n === 0) return true;
    if (n === 1) return this.has(gram(129, 129, lit.charCodeAt(0)));
    if (n === 2) return this.has(gram(129, lit.charCodeAt(0), lit.charCodeAt(1)));
    for (let i = 2; i < n; i++)
      if (!this.has(gram(lit.charCodeAt(i - 2), lit.charCodeAt(i - 1), lit.charCodeAt(i)))) return false;
    return true;
  }
}

/** Maps a string to symbols (for literals written by hand, e.g. anchors). */
export function mapLiteral(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(symbolOf(s.charCodeAt(i)));
  return out;
}

// ------------------------------------------------------------------ parsing (a JS regex subset)

type Node =
  | { t: 'set'; syms: number[] | undefined } // one character from a set of symbols (undefined: too many)
  | { t: 'empty' } // assertions, lookaround: consume nothing
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number };

class Unsupported extends Error {}

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

class RegexParser {
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
        if (!m) return node; // a literal '{' (handled as an atom next)
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
      return { t: 'set', syms: undefined };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'empty' };
    }
    if (c === '\\') return this.escape();
    if (c === ')' || c === '*' || c === '+' || c === '?') throw new Unsupported();
    this.i++;
    return { t: 'set', syms: [symbolOf(c.charCodeAt(0))] };
  }

  private escape(): Node {
    const s = this.src;
    const e = s[this.i + 1];
    if (e === undefined) throw new Unsupported();
    this.i += 2;
    if (e === 'b' || e === 'B') return { t: 'empty' };
    if (/[dDwWsS]/.test(e)) return { t: 'set', syms: e === 'd' ? symSet(DIGITS) : undefined };
    if (e === 'k') throw new Unsupported();
    if (/[1-9]/.test(e)) return { t: 'set', syms: undefined }; // backreference: text unknown here
    const code = this.escapedCode(e);
    return { t: 'set', syms: [symbolOf(code)] };
  }

  /** The code unit of a character escape whose letter (after the backslash) is `e`. */
  private escapedCode(e: string): number {
    const s = this.src;
    const hex = (len: number): number => {
      const h = s.slice(this.i, this.i + len);
      if (!/^[0-9A-Fa-f]+$/.test(h) || h.length !== len) throw new Unsupported();
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
      case 'c':
        throw new Unsupported();
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
    while (this.i < s.length && s[this.i] !== ']') {
      let lo: number;
      if (s[this.i] === '\\') {
        const e = s[this.i + 1]!;
        this.i += 2;
        if (/[dDwWsS]/.test(e)) {
          if (e === 'd') codes.push(...DIGITS);
          else big = true;
          continue;
        }
        lo = e === 'b' ? 8 : e === '-' ? 45 : this.escapedCode(e);
      } else {
        lo = s.charCodeAt(this.i);
        this.i++;
      }
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        this.i++;
        let hi: number;
        if (s[this.i] === '\\') {
          const e = s[this.i + 1]!;
          this.i += 2;
          if (/[dDwWsS]/.test(e)) throw new Unsupported();
          hi = e === 'b' ? 8 : e === '-' ? 45 : this.escapedCode(e);
        } else {
          hi = s.charCodeAt(this.i);
          this.i++;
        }
        if (hi - lo > 64) big = true;
        else for (let k = lo; k <= hi; k++) codes.push(k);
      } else codes.push(lo);
    }
    if (s[this.i] !== ']') throw new Unsupported();
    this.i++;
    if (negated || big) return { t: 'set', syms: undefined };
    return { t: 'set', syms: symSet(codes) };
  }
}

// ------------------------------------------------------------------ literal analysis

interface Info {
  /** Every string the node can match, when few (mapped symbols); undefined when unknown or many. */
  exact: string[] | undefined;
  /** What the text must contain besides (already accounted for by) `exact`. */
  q: Query;
}

const MAX_EXACT = 256;

const and = (qs: Query[]): Query => {
  const items: Query[] = [];
  for (const q of qs) {
    if (q === true) continue;
    if ('and' in q) items.push(...q.and);
    else items.push(q);
  }
  return items.length === 0 ? true : items.length === 1 ? items[0]! : { and: items };
};

const or = (qs: Query[]): Query => {
  const items: Query[] = [];
  for (const q of qs) {
    if (q === true) return true;
    if ('or' in q) items.push(...q.or);
    else items.push(q);
  }
  return items.length === 0 ? true : items.length === 1 ? items[0]! : { or: items };
};

/** The condition "one of these strings occurs" (true when one of them is empty). */
function ofExact(exact: readonly string[]): Query {
  if (exact.some((s) => s.length === 0)) return true;
  return or([...new Set(exact)].map((lit) => ({ lit })));
}

const full = (x: Info): Query => (x.exact ? and([x.q, ofExact(x.exact)]) : x.q);

function analyse(n: Node): Info {
  switch (n.t) {
    case 'empty':
      return { exact: [''], q: true };
    case 'set':
      return n.syms ? { exact: n.syms.map((c) => String.fromCharCode(c)), q: true } : { exact: undefined, q: true };
    case 'cat': {
      // `strs`: the strings the match so far is (whole) or ends with (after an unknown part).
      let whole = true;
      let strs = [''];
      let q: Query = true;
      for (const item of n.items) {
        const x = analyse(item);
        if (x.exact && strs.length * x.exact.length <= MAX_EXACT) {
          const cross = new Set<string>();
          for (const a of strs) for (const b of x.exact) cross.add(a + b);
          strs = [...cross];
          q = and([q, x.q]);
        } else {
          q = and([q, ofExact(strs), x.q]);
          strs = x.exact ?? [''];
          whole = false;
        }
      }
      return whole ? { exact: strs, q } : { exact: undefined, q: and([q, ofExact(strs)]) };
    }
    case 'alt': {
      const xs = n.items.map(analyse);
      if (xs.every((x) => x.exact) && xs.reduce((k, x) => k + x.exact!.length, 0) <= MAX_EXACT)
        return { exact: [...new Set(xs.flatMap((x) => x.exact!))], q: or(xs.map((x) => x.q)) };
      return { exact: undefined, q: or(xs.map(full)) };
    }
    case 'rep': {
      const x = analyse(n.node);
      if (n.min === 0) {
        if (n.max === 1 && x.exact && x.exact.length < MAX_EXACT) return { exact: ['', ...x.exact], q: true };
        return { exact: undefined, q: true };
      }
      if (n.min === 1 && n.max === 1) return x;
      return { exact: undefined, q: full(x) };
    }
  }
}

/** Drops literals too short to say anything (one symbol is nearly always present). */
function prune(q: Query): Query {
  if (q === true) return true;
  if ('lit' in q) return q.lit.length >= 2 ? q : true;
  if ('and' in q) return and(q.and.map(prune));
  return or(q.or.map(prune));
}

/** The condition any text matched by `re` satisfies (true when nothing useful is known). */
export function queryOf(re: RegExp): Query {
  if (re.flags.includes('u') || re.flags.includes('v')) return true;
  try {
    return prune(full(analyse(new RegexParser(re.source).parse())));
  } catch (e) {
    if (e instanceof Unsupported) return true;
    throw e;
  }
}

/** Evaluates a query against a text's gram index. */
export function queryPasses(q: Query, index: GramIndex): boolean {
  if (q === true) return true;
  if ('lit' in q) return index.mayContain(q.lit);
  if ('and' in q) {
    for (const x of q.and) if (!queryPasses(x, index)) return false;
    return true;
  }
  for (const x of q.or) if (queryPasses(x, index)) return true;
  return false;
}
