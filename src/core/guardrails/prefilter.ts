/**
 * Regex prefilters: from a pattern's source, the literal strings any match must contain (an AND/OR
 * formula, as in RE2's prefilter and Russ Cox's trigram index), checked against the character
 * trigrams and pairs of the text, collected in one pass. A prefilter never rejects a text the
 * pattern matches: it only lets the scanners skip patterns that cannot match, so a text without
 * their key words costs one pass instead of one regex scan per pattern.
 *
 * Both sides see characters through one mapping to 32 symbols (gram-index.ts). The index is built
 * over the lower-cased text, which holds every ASCII letter any view of the text (original or
 * lower-cased) can show.
 */
import { gramsOf, type GramIndex } from './gram-index.js';
import { RegexParser, Unsupported, type Node } from './regex-ast.js';

/** A formula over literals (strings of mapped symbols) that a text must satisfy. */
export type Query = true | { and: Query[] } | { or: Query[] } | { lit: string };

// ------------------------------------------------------------------ literal analysis

export interface Info {
  /** Every string the node can match, when few (mapped symbols); undefined when unknown or many. */
  exact: string[] | undefined;
  /** What the text must contain besides what `exact` says. */
  q: Query;
}

export const MAX_EXACT = 256;

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

export function analyse(n: Node): Info {
  switch (n.t) {
    case 'empty':
      return { exact: [''], q: true };
    case 'set':
      return n.syms
        ? { exact: n.syms.map((c) => String.fromCharCode(c)), q: true }
        : { exact: undefined, q: true };
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

interface Runs {
  /** Shortest match. */
  min: number;
  /** Every character of every match is a token character. */
  all: boolean;
  /** Token characters every match starts / ends with, and holds in a row somewhere. */
  pre: number;
  suf: number;
  best: number;
}

/** The run of token characters every match of the node contains (lower bounds throughout). */
function runs(n: Node): Runs {
  switch (n.t) {
    case 'empty':
      return { min: 0, all: true, pre: 0, suf: 0, best: 0 };
    case 'set':
      return n.tok
        ? { min: 1, all: true, pre: 1, suf: 1, best: 1 }
        : { min: 1, all: false, pre: 0, suf: 0, best: 0 };
    case 'cat': {
      let acc: Runs = { min: 0, all: true, pre: 0, suf: 0, best: 0 };
      for (const item of n.items) {
        const b = runs(item);
        acc = {
          min: acc.min + b.min,
          all: acc.all && b.all,
          pre: acc.all ? acc.min + b.pre : acc.pre,
          suf: b.all ? acc.suf + b.min : b.suf,
          best: Math.max(acc.best, b.best, acc.suf + b.pre),
        };
      }
      return acc;
    }
    case 'alt': {
      const xs = n.items.map(runs);
      return {
        min: Math.min(...xs.map((x) => x.min)),
        all: xs.every((x) => x.all),
        pre: Math.min(...xs.map((x) => x.pre)),
        suf: Math.min(...xs.map((x) => x.suf)),
        best: Math.min(...xs.map((x) => x.best)),
      };
    }
    case 'rep': {
      const x = runs(n.node);
      if (n.min === 0) return { min: 0, all: x.all, pre: 0, suf: 0, best: 0 };
      const min = n.min * x.min;
      if (x.all) return { min, all: true, pre: min, suf: min, best: min };
      return {
        min,
        all: false,
        pre: x.pre,
        suf: x.suf,
        best: Math.max(x.best, n.min >= 2 ? x.suf + x.pre : 0),
      };
    }
  }
}

/** The longest run of token characters (letters, digits, _ + / = -) every match of `re` contains. */
export function tokenRunOf(re: RegExp): number {
  if (re.flags.includes('u') || re.flags.includes('v')) return 0;
  try {
    return runs(new RegexParser(re.source).parse()).best;
  } catch (e) {
    if (e instanceof Unsupported) return 0;
    throw e;
  }
}

/** Drops one-symbol literals (nearly always present, and not in the index). */
function prune(q: Query): Query {
  if (q === true) return true;
  if ('lit' in q) return q.lit.length >= 2 ? q : true;
  if ('and' in q) return and(q.and.map(prune));
  const items = or(q.or.map(prune));
  if (items === true || !('or' in items)) return items;
  // In an OR, a literal that contains another literal of it adds nothing ("ignores" when "ignore"
  // is there): drop it, so evaluation checks fewer literals.
  const lits = items.or.flatMap((x) => (x !== true && 'lit' in x ? [x.lit] : []));
  return or(
    items.or.filter(
      (x) => x === true || !('lit' in x) || !lits.some((l) => l !== x.lit && x.lit.includes(l)),
    ),
  );
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

/**
 * A query ready to evaluate: every node has one shape (so evaluation stays monomorphic), and an OR
 * of literals, the common case, is one node whose literals' grams sit in one array.
 */
export interface CompiledQuery {
  /** 0: always true; 1: one of the literals (grams[ends[i-1]..ends[i]) all present); 2: AND; 3: OR. */
  kind: 0 | 1 | 2 | 3;
  grams: Int32Array;
  ends: Int32Array;
  items: CompiledQuery[];
}

const NONE = new Int32Array(0);

function literals(lits: string[]): CompiledQuery {
  const parts = lits.map(gramsOf);
  const grams = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  const ends = new Int32Array(parts.length);
  let at = 0;
  parts.forEach((p, i) => {
    grams.set(p, at);
    ends[i] = at += p.length;
  });
  return { kind: 1, grams, ends, items: [] };
}

export function compileQuery(q: Query): CompiledQuery {
  if (q === true) return { kind: 0, grams: NONE, ends: NONE, items: [] };
  if ('lit' in q) return literals([q.lit]);
  if ('and' in q) return { kind: 2, grams: NONE, ends: NONE, items: q.and.map(compileQuery) };
  const lits = q.or.flatMap((x) => (x !== true && 'lit' in x ? [x.lit] : []));
  if (lits.length === q.or.length) return literals(lits);
  return { kind: 3, grams: NONE, ends: NONE, items: q.or.map(compileQuery) };
}

/** Evaluates a compiled query against a text's gram index. */
export function queryPasses(q: CompiledQuery, index: GramIndex): boolean {
  switch (q.kind) {
    case 0:
      return true;
    case 1: {
      const bits = index.bits;
      const { grams, ends } = q;
      let from = 0;
      for (let i = 0; i < ends.length; i++) {
        const to = ends[i]!;
        let all = true;
        for (let j = from; j < to; j++) {
          const g = grams[j]!;
          if (g < 0 ? !index.has(g) : (bits[g >>> 5]! & (1 << (g & 31))) === 0) {
            all = false;
            break;
          }
        }
        if (all) return true;
        from = to;
      }
      return false;
    }
    case 2:
      for (let i = 0; i < q.items.length; i++) if (!queryPasses(q.items[i]!, index)) return false;
      return true;
    case 3:
      for (let i = 0; i < q.items.length; i++) if (queryPasses(q.items[i]!, index)) return true;
      return false;
  }
}
