/**
 * Where a pattern's matches can start: right after \b at one of a few words, or at literal text.
 * With that known, a scanner tries the pattern (sticky) only at those places, found from the
 * text's word list or with indexOf, instead of running it across the whole text; the matches are
 * the same (see matchesAt in text-index.ts).
 */
import { analyse, MAX_EXACT } from './prefilter.js';
import { RegexParser, Unsupported, type Node } from './regex-ast.js';

const isLetterSym = (c: number): boolean => c >= 1 && c <= 26;

/**
 * Whether a match of the node can begin with a letter, and whether it can be empty with no \b met
 * first (a \b right after a letter means no letter follows).
 */
function firstLetter(n: Node): { letter: boolean; pass: boolean } {
  switch (n.t) {
    case 'empty':
      return { letter: false, pass: !n.wb };
    case 'set':
      return { letter: n.lt, pass: false };
    case 'cat': {
      let letter = false;
      for (const item of n.items) {
        const r = firstLetter(item);
        letter ||= r.letter;
        if (!r.pass) return { letter, pass: false };
      }
      return { letter, pass: true };
    }
    case 'alt': {
      const rs = n.items.map(firstLetter);
      return { letter: rs.some((r) => r.letter), pass: rs.some((r) => r.pass) };
    }
    case 'rep': {
      const r = firstLetter(n.node);
      return { letter: r.letter, pass: n.min === 0 || r.pass };
    }
  }
}

/** The items of a sequence, with nested sequences spliced in. */
function flatten(items: readonly Node[]): Node[] {
  return items.flatMap((n) => (n.t === 'cat' ? flatten(n.items) : [n]));
}

/**
 * The first words (runs of letters) of the matches of `seq`, which starts right after a \b (so at a
 * word start); undefined when not known. Branches and optional parts at the head are followed
 * into; then the literal strings at the head give the word.
 */
function wordsAfterBoundary(seq: Node[], depth = 0): Set<string> | undefined {
  if (depth > 8 || seq.length === 0) return undefined;
  const head = seq[0]!;
  const rest = seq.slice(1);
  const union = (alternatives: Node[][]): Set<string> | undefined => {
    const out = new Set<string>();
    for (const a of alternatives) {
      const w = wordsAfterBoundary(flatten(a), depth + 1);
      if (!w) return undefined;
      for (const x of w) out.add(x);
    }
    return out;
  };
  const headExact = analyse(head).exact;
  if (head.t === 'alt' && !headExact) return union(head.items.map((b) => [b, ...rest]));
  if (head.t === 'rep' && head.min === 0 && head.max === 1 && !headExact)
    return union([[head.node, ...rest], rest]);
  let strs = [''];
  let k = 0;
  for (; k < seq.length; k++) {
    const item = seq[k]!;
    if (item.t === 'empty' && item.wb) break; // keep the \b for `after`
    const x = analyse(item);
    if (!x.exact || strs.length * x.exact.length > MAX_EXACT) break;
    const cross = new Set<string>();
    for (const a of strs) for (const b of x.exact) cross.add(a + b);
    strs = [...cross];
  }
  const after = firstLetter({ t: 'cat', items: seq.slice(k) });
  const words = new Set<string>();
  for (const s of strs) {
    let w = 0;
    while (w < s.length && isLetterSym(s.charCodeAt(w))) w++;
    if (w === 0) return undefined; // does not start with a letter
    if (w === s.length && (after.letter || after.pass)) return undefined; // the word may go on
    let word = '';
    for (let i = 0; i < w; i++) word += String.fromCharCode(96 + s.charCodeAt(i));
    words.add(word);
  }
  return words;
}

/** The first words of one top-level branch: it must open with \b. */
function branchWords(branch: Node): Set<string> | undefined {
  const items = flatten([branch]);
  const first = items[0];
  if (!first || first.t !== 'empty' || !first.wb) return undefined;
  return wordsAfterBoundary(items.slice(1));
}

const MAX_LITERALS = 24;

/** Every string (raw characters) the node can match, when few; undefined otherwise. */
function rawExact(n: Node): string[] | undefined {
  switch (n.t) {
    case 'empty':
      return [''];
    case 'set':
      return n.raw?.map((c) => String.fromCharCode(c));
    case 'cat': {
      let strs = [''];
      for (const item of n.items) {
        const x = rawExact(item);
        if (!x || strs.length * x.length > MAX_LITERALS) return undefined;
        strs = strs.flatMap((a) => x.map((b) => a + b));
      }
      return strs;
    }
    case 'alt': {
      const xs = n.items.map(rawExact);
      if (xs.some((x) => !x)) return undefined;
      const all = xs.flat() as string[];
      return all.length <= MAX_LITERALS ? all : undefined;
    }
    case 'rep': {
      if (n.max !== 1) return undefined;
      const x = rawExact(n.node);
      return x && (n.min === 0 ? ['', ...x] : x);
    }
  }
}

/** Raw literal prefixes of one branch (from its start, zero-width items included); undefined if none. */
function branchLiterals(branch: Node): string[] | undefined {
  let strs = [''];
  for (const item of flatten([branch])) {
    const x = rawExact(item);
    if (!x || strs.length * x.length > MAX_LITERALS) break;
    strs = strs.flatMap((a) => x.map((b) => a + b));
  }
  return strs.some((s) => s.length === 0) ? undefined : strs;
}

/**
 * Where matches of `re` can start, branch by branch: at the start of one of `words` (branches
 * opening with \b and a literal word) or at an occurrence of one of `literals` (branches opening
 * with literal text). Undefined when some branch says neither (or for /i patterns when a branch
 * needs literals).
 */
export function matchAnchors(re: RegExp): { words: string[]; literals: string[] } | undefined {
  if (/[uv]/.test(re.flags)) return undefined;
  try {
    const root = new RegexParser(re.source).parse();
    const words = new Set<string>();
    const literals = new Set<string>();
    for (const branch of root.t === 'alt' ? root.items : [root]) {
      const w = branchWords(branch);
      if (w) {
        for (const x of w) words.add(x);
        continue;
      }
      const l = re.flags.includes('i') ? undefined : branchLiterals(branch);
      if (!l) return undefined;
      for (const x of l) literals.add(x);
    }
    const all = [...literals];
    return {
      words: [...words],
      literals: all.filter((s) => !all.some((t) => t !== s && s.startsWith(t))),
    };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/**
 * Strings (raw characters, case as written) one of which every match of `re` starts with, when
 * the pattern opens with literal text in each branch; undefined otherwise (or for /i patterns).
 * The matches can then be looked for with indexOf and tried only there (see matchesAt).
 */
export function literalPrefixes(re: RegExp): string[] | undefined {
  if (/[iuv]/.test(re.flags)) return undefined;
  try {
    const root = new RegexParser(re.source).parse();
    const out = new Set<string>();
    for (const branch of root.t === 'alt' ? root.items : [root]) {
      let strs = [''];
      for (const item of flatten([branch])) {
        const x = rawExact(item);
        if (!x || strs.length * x.length > MAX_LITERALS) break;
        strs = strs.flatMap((a) => x.map((b) => a + b));
      }
      if (strs.some((s) => s.length === 0)) return undefined;
      for (const s of strs) out.add(s);
    }
    // A prefix that has another one as its own prefix adds no start.
    const all = [...out];
    const kept = all.filter((s) => !all.some((t) => t !== s && s.startsWith(t)));
    return kept.length <= MAX_LITERALS ? kept : undefined;
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
