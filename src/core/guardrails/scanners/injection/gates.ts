/**
 * Word gates and anchors of the signal patterns. A gate lists words one of which (per list) a text
 * must hold for a signal to be possible; an anchor says where a pattern's matches can start (at
 * some words, or at literal text), so the pattern is tried there instead of across the text. Both
 * are read from the word list of the text's index in one pass; neither changes what a pattern finds
 * (test/guardrails-injection-gates.test.ts and test/guardrails-prefilter.test.ts check it).
 */
import { GramIndex, wordHash } from '../../gram-index.js';
import { matchAnchors } from '../../regex-anchors.js';
import { literalStarts, sameWords, stickyAt } from '../../text-index.js';
import { CASED, IDENTITY_STATEMENT, PERSONA_NAME, RULE_STATEMENT } from './counted.js';
import { SIGNALS, type Gate } from './signals.js';

/**
 * Pattern slots: the signals, then the counted and cased patterns. The cased ones run on the view's
 * own text, whose word starts are those of its lower case unless it holds a character that
 * lower-cases to an ASCII letter (only U+212A KELVIN SIGN does, keeping the length): see
 * `sameWords`.
 */
export const RULE_SLOT = SIGNALS.length;
export const IDENTITY_SLOT = SIGNALS.length + 1;
export const CASED_SLOT = SIGNALS.length + 2;
export const PERSONA_SLOT = SIGNALS.length + 3;
const SLOT_PATTERNS = [...SIGNALS.map((s) => s.re), RULE_STATEMENT, IDENTITY_STATEMENT, CASED, PERSONA_NAME];

/** May a pattern run on `text` use the word anchors of its lower case? (see TextIndex.wordsOfText) */
export { sameWords };

/** Every gate word, by hash: scanning compares hashes and only slices on a hit. */
const GATE_WORDS = new Map<number, string[]>();
for (const sig of SIGNALS) {
  for (const list of sig.gate.words ?? []) {
    for (const word of list) {
      const h = wordHash(word);
      const bucket = GATE_WORDS.get(h) ?? [];
      if (!bucket.includes(word)) bucket.push(word);
      GATE_WORDS.set(h, bucket);
    }
  }
}

/** The gate words present in a lower-cased text, in one pass without allocating per word. */
export function wordSet(text: string): Set<string> {
  const found = new Set<string>();
  const n = text.length;
  let h = 0;
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0;
    if (c >= 97 && c <= 122) {
      if (start < 0) {
        start = i;
        h = 0;
      }
      h = (Math.imul(h, 31) + c) | 0;
    } else if (start >= 0) {
      const bucket = GATE_WORDS.get(h);
      if (bucket)
        for (const w of bucket) if (w.length === i - start && text.startsWith(w, start)) found.add(w);
      start = -1;
    }
  }
  return found;
}

/**
 * The same gates evaluated together: for every gate word, the signals and word lists it satisfies.
 * One pass over the text's words sets, per signal, a bit for each satisfied list (signal k's word
 * lists all hold when its mask equals FULL_MASK[k]); no per-signal loops over word lists.
 *
 * The same pass collects where patterns can start: most open with \b and one of a few words
 * (prefilter.ts `matchAnchors`), so they are tried only at those words (see `finder`) instead of
 * being run across the whole text.
 */
interface WordEntry {
  word: string;
  /** Index in ENTRIES (of its gate bits in FLAT_BITS). */
  id: number;
  bits: Array<[number, number]>;
  /** Pattern slots that can start at this word. */
  leads: number[];
}
const WORD_TABLE = new Map<number, WordEntry[]>();
const ENTRIES: WordEntry[] = [];
export const FULL_MASK = new Uint32Array(SIGNALS.length);

function wordEntry(word: string): WordEntry {
  const h = wordHash(word);
  const bucket = WORD_TABLE.get(h) ?? [];
  let entry = bucket.find((e) => e.word === word);
  if (!entry) {
    entry = { word, id: ENTRIES.length, bits: [], leads: [] };
    bucket.push(entry);
    ENTRIES.push(entry);
  }
  WORD_TABLE.set(h, bucket);
  return entry;
}

SIGNALS.forEach((sig, k) => {
  const lists = sig.gate.words ?? [];
  if (lists.length > 31) throw new Error(`signal ${sig.name}: too many gate lists`);
  FULL_MASK[k] = lists.length === 0 ? 0 : 2 ** lists.length - 1;
  lists.forEach((list, j) => {
    for (const word of list) wordEntry(word).bits.push([k, 1 << j]);
  });
});

/**
 * Per pattern slot, where its matches can start (prefilter.ts `matchAnchors`): at the start of
 * some words (registered in WORD_TABLE, so scanGates collects their positions) or at literal text
 * found with indexOf ("<|", "!["); a sticky copy is tried there. Undefined: run the pattern.
 */
interface Anchored {
  sticky: RegExp;
  literals: string[];
}
export const ANCHORED: Array<Anchored | undefined> = SLOT_PATTERNS.map((re, k) => {
  const anchors = matchAnchors(re);
  if (!anchors || anchors.literals.length > 6) return undefined;
  for (const w of anchors.words) {
    const leads = wordEntry(w).leads;
    if (!leads.includes(k)) leads.push(k);
  }
  return { sticky: new RegExp(re.source, re.flags.replace('g', '') + 'y'), literals: anchors.literals };
});

/** Each word's gate bits as flat (signal, bit) pairs, for a tight loop. */
const FLAT_BITS = ENTRIES.map((e) => Int32Array.from(e.bits.flat()));

/**
 * WORD_TABLE as an open-addressing table over the word hashes (one probe per word of the text in
 * the common case, no Map lookups): SLOT_HASH[s] holds a hash, SLOT_BUCKET[s] 1 + its bucket index.
 */
const BUCKETS = [...WORD_TABLE.entries()];
const SLOTS = 1 << Math.ceil(Math.log2(BUCKETS.length * 4 + 16));
const SLOT_HASH = new Int32Array(SLOTS);
const SLOT_BUCKET = new Int32Array(SLOTS);
const SLOT_SHIFT = 32 - Math.log2(SLOTS);
const slotOf = (h: number): number => Math.imul(h, 0x9e3779b1) >>> SLOT_SHIFT;
BUCKETS.forEach(([h], b) => {
  let s = slotOf(h);
  while (SLOT_BUCKET[s] !== 0) s = (s + 1) & (SLOTS - 1);
  SLOT_HASH[s] = h;
  SLOT_BUCKET[s] = b + 1;
});
const MAX_WORD = Math.max(...BUCKETS.flatMap(([, es]) => es.map((e) => e.word.length)));

function bucketOf(h: number): WordEntry[] | undefined {
  for (let s = slotOf(h); ; s = (s + 1) & (SLOTS - 1)) {
    const b = SLOT_BUCKET[s]!;
    if (b === 0) return undefined;
    if (SLOT_HASH[s] === h) return BUCKETS[b - 1]![1];
  }
}

export interface GateScan {
  masks: Uint32Array;
  /**
   * Per anchored pattern slot: the starts of the words in the text it can start at (ascending:
   * the words are visited in text order), when there are any.
   */
  starts: Array<number[] | undefined>;
}

/**
 * Per signal, the mask of its gate word lists satisfied by the words of `text` (lower-cased), read
 * from the word list of the text's index (same words: both split on runs of a-z).
 */
export function gateMasks(text: string, index: GramIndex = new GramIndex(text)): Uint32Array {
  return scanGates(text, index).masks;
}

export function scanGates(text: string, index: GramIndex): GateScan {
  const masks = new Uint32Array(SIGNALS.length);
  const starts: Array<number[] | undefined> = [];
  const words = index.words;
  for (let w = 0; w < index.wordCount; w++) {
    const start = words[3 * w + 1]!;
    const len = words[3 * w + 2]! - start;
    if (len > MAX_WORD) continue;
    const bucket = bucketOf(words[3 * w]!);
    if (!bucket) continue;
    for (const e of bucket) {
      if (e.word.length !== len || !text.startsWith(e.word, start)) continue;
      const bits = FLAT_BITS[e.id]!;
      for (let i = 0; i < bits.length; i += 2) masks[bits[i]!]! |= bits[i + 1]!;
      for (const k of e.leads) (starts[k] ??= []).push(start);
    }
  }
  return { masks, starts };
}

/** Candidate starts of anchored slot k: its words' starts and its literals' occurrences. */
function anchorStarts(k: number, a: Anchored, text: string, gates: GateScan): number[] {
  const words = gates.starts[k] ?? [];
  if (a.literals.length === 0) return words;
  return [...words, ...literalStarts(text, a.literals)].sort((x, y) => x - y);
}

/**
 * A search for pattern slot `k` in `text`: find(from) is the first match starting at or after
 * `from` (what a global regex with lastIndex = from finds). Anchored, the sticky copy is tried at
 * each candidate start from `from` on; no match can start elsewhere, so the answer is the same.
 */
export function finder(
  k: number,
  text: string,
  gates: GateScan,
  useAnchors = true,
): (from: number) => RegExpExecArray | null {
  const re = SLOT_PATTERNS[k]!;
  const anchored = useAnchors ? ANCHORED[k] : undefined;
  if (!anchored) {
    return (from) => {
      re.lastIndex = from;
      return re.exec(text);
    };
  }
  const sticky = anchored.sticky;
  const starts = anchorStarts(k, anchored, text, gates);
  let i = 0;
  return (from) => {
    while (i < starts.length && starts[i]! < from) i++;
    for (; i < starts.length; i++) {
      const m = stickyAt(sticky, text, starts[i]!);
      if (m) return m;
    }
    return null;
  };
}

/** gatePasses for signal k, from the masks of `gateMasks` (same answer, see the gates test). */
export function gatePassesMasked(k: number, text: string, masks: Uint32Array): boolean {
  const gate = SIGNALS[k]!.gate;
  if (gate.words && masks[k] === FULL_MASK[k]) return true;
  if (gate.substrings) return gate.substrings.some((s) => text.includes(s));
  return !gate.words;
}

export function gatePasses(gate: Gate, text: string, words: ReadonlySet<string>): boolean {
  if (gate.substrings?.some((s) => text.includes(s))) return true;
  if (!gate.words) return gate.substrings === undefined;
  return gate.words.every((list) => list.some((word) => words.has(word)));
}

/** Can anchored slot k match at all (some candidate start)? Unanchored slots: true. */
export function mayStart(k: number, gates: GateScan): boolean {
  const a = ANCHORED[k];
  return !a || a.literals.length > 0 || gates.starts[k] !== undefined;
}
