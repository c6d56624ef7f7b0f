/**
 * Word gates and anchors of the signal patterns. A gate lists words one of which (per list) a text
 * must hold for a signal to be possible; an anchor says where a pattern's matches can start (at
 * some words, or at literal text), so the pattern is tried there instead of across the text. Both
 * are read from the word list of the text's index in one pass; neither changes what a pattern finds
 * (test/guardrails-injection-gates.test.ts and test/guardrails-prefilter.test.ts check it).
 */
import { GramIndex, gramsOf, mapLiteral, wordHash } from '../../gram-index.js';
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
  /** Its first letter's code. */
  first: number;
  /** Index in ENTRIES (and in the tables built from it below). */
  id: number;
  bits: Array<[number, number]>;
  /** Pattern slots that can start at this word. */
  leads: number[];
}
const WORD_TABLE = new Map<string, WordEntry>();
const ENTRIES: WordEntry[] = [];
export const FULL_MASK = new Uint32Array(SIGNALS.length);

function wordEntry(word: string): WordEntry {
  let entry = WORD_TABLE.get(word);
  if (!entry) {
    entry = { word, first: word.charCodeAt(0), id: ENTRIES.length, bits: [], leads: [] };
    WORD_TABLE.set(word, entry);
    ENTRIES.push(entry);
  }
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

/** The gate bits of entry e as (signal, bit) pairs: GATE_BITS[BITS_FROM[e] .. BITS_FROM[e + 1]). */
const BITS_FROM = new Int32Array(ENTRIES.length + 1);
ENTRIES.forEach((e, i) => (BITS_FROM[i + 1] = BITS_FROM[i]! + 2 * e.bits.length));
const GATE_BITS = Int32Array.from(ENTRIES.flatMap((e) => e.bits.flat()));

/** The pattern slots that can start at entry e's word, as two 32-bit masks (slots 0-31, 32-63). */
if (SLOT_PATTERNS.length > 64) throw new Error('gates: more than 64 pattern slots');
const LEAD_LO = new Int32Array(ENTRIES.length);
const LEAD_HI = new Int32Array(ENTRIES.length);
ENTRIES.forEach((e, i) => {
  for (const k of e.leads) {
    if (k < 32) LEAD_LO[i]! |= 1 << k;
    else LEAD_HI[i]! |= 1 << (k - 32);
  }
});
const ENTRY_LEN = Int32Array.from(ENTRIES.map((e) => e.word.length));
const ENTRY_FIRST = Int32Array.from(ENTRIES.map((e) => e.first));

/**
 * The entries as an open-addressing table over their words' hashes (one probe per word of the text
 * in the common case, no Map lookups): SLOT_HASH[s] holds a hash, SLOT_ENTRY[s] 1 + the entry.
 * Entries whose words share a hash sit in consecutive slots of the same probe sequence.
 */
const SLOTS = 1 << Math.ceil(Math.log2(ENTRIES.length * 4 + 16));
const SLOT_MASK = SLOTS - 1;
const SLOT_HASH = new Int32Array(SLOTS);
const SLOT_ENTRY = new Int32Array(SLOTS);
const SLOT_SHIFT = 32 - Math.log2(SLOTS);
const slotOf = (h: number): number => Math.imul(h, 0x9e3779b1 | 0) >>> SLOT_SHIFT;
ENTRIES.forEach((e, i) => {
  const h = wordHash(e.word);
  let s = slotOf(h);
  while (SLOT_ENTRY[s] !== 0) s = (s + 1) & SLOT_MASK;
  SLOT_HASH[s] = h;
  SLOT_ENTRY[s] = i + 1;
});
const MAX_WORD = Math.max(...ENTRIES.map((e) => e.word.length));

export interface GateScan {
  masks: Uint32Array;
  /**
   * The words of the text that anchored slots can start at: entry hitId[i] at hitStart[i], for
   * i < hits, in text order. leadLo / leadHi: the slots some of them are for (bit k of 0-31 / 32-63).
   */
  hits: number;
  hitId: Int32Array;
  hitStart: Int32Array;
  leadLo: number;
  leadHi: number;
}

/**
 * Per signal, the mask of its gate word lists satisfied by the words of `text` (lower-cased), read
 * from the word list of the text's index (same words: both split on runs of a-z).
 */
export function gateMasks(text: string, index: GramIndex = new GramIndex(text)): Uint32Array {
  return scanGates(text, index).masks.slice();
}

/**
 * What scanGates returns lives in these, reused by every call (a scan reads one view's gates
 * before it computes the next view's): nothing is allocated per word.
 */
const GATES: GateScan = {
  masks: new Uint32Array(SIGNALS.length),
  hits: 0,
  hitId: new Int32Array(256),
  hitStart: new Int32Array(256),
  leadLo: 0,
  leadHi: 0,
};

/** The gates' masks and the lead words of a text; valid until the next call. */
export function scanGates(text: string, index: GramIndex): GateScan {
  const masks = GATES.masks;
  masks.fill(0);
  let hitId = GATES.hitId;
  let hitStart = GATES.hitStart;
  let hits = 0;
  let lo = 0;
  let hi = 0;
  const words = index.words;
  const count = index.wordCount;
  for (let w = 0; w < count; w++) {
    const h = words[3 * w]!;
    const start = words[3 * w + 1]!;
    const len = words[3 * w + 2]! - start;
    if (len > MAX_WORD) continue;
    for (let s = slotOf(h); ; s = (s + 1) & SLOT_MASK) {
      const e1 = SLOT_ENTRY[s]!;
      if (e1 === 0) break;
      if (SLOT_HASH[s] !== h) continue;
      const e = e1 - 1;
      // Same hash, same length, same first letter: taken as the word without comparing the rest.
      // A collision (one in billions) could only let a gate pass or add a start where the pattern
      // then fails to match: the gates and starts stay supersets, so no match is hidden or made.
      if (ENTRY_LEN[e] !== len || text.charCodeAt(start) !== ENTRY_FIRST[e]) continue;
      for (let i = BITS_FROM[e]!; i < BITS_FROM[e + 1]!; i += 2) masks[GATE_BITS[i]!]! |= GATE_BITS[i + 1]!;
      const l = LEAD_LO[e]!;
      const u = LEAD_HI[e]!;
      if ((l | u) === 0) continue;
      if (hits === hitId.length) {
        const ids = new Int32Array(2 * hits);
        const starts = new Int32Array(2 * hits);
        ids.set(hitId);
        starts.set(hitStart);
        GATES.hitId = hitId = ids;
        GATES.hitStart = hitStart = starts;
      }
      hitId[hits] = e;
      hitStart[hits] = start;
      hits++;
      lo |= l;
      hi |= u;
    }
  }
  GATES.hits = hits;
  GATES.leadLo = lo;
  GATES.leadHi = hi;
  return GATES;
}

/** Candidate starts of anchored slot k: its words' starts and its literals' occurrences. */
function anchorStarts(k: number, a: Anchored, text: string, gates: GateScan): number[] {
  const leads = k < 32 ? LEAD_LO : LEAD_HI;
  const bit = 1 << (k & 31);
  const starts: number[] = [];
  for (let i = 0; i < gates.hits; i++)
    if ((leads[gates.hitId[i]!]! & bit) !== 0) starts.push(gates.hitStart[i]!);
  if (a.literals.length === 0) return starts;
  return [...starts, ...literalStarts(text, a.literals)].sort((x, y) => x - y);
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

/** Per signal with substring gates: the grams each substring needs (see GramIndex.mayContain). */
const SUBSTRING_GRAMS = SIGNALS.map((sig) => sig.gate.substrings?.map((x) => gramsOf(mapLiteral(x))));

/**
 * gatePasses for signal k, from the masks of `gateMasks` (same answer, see the gates test). With the
 * text's index, a substring whose grams the text lacks is not looked for.
 */
export function gatePassesMasked(k: number, text: string, masks: Uint32Array, index?: GramIndex): boolean {
  const gate = SIGNALS[k]!.gate;
  if (gate.words && masks[k] === FULL_MASK[k]) return true;
  const subs = gate.substrings;
  if (subs) {
    const grams = SUBSTRING_GRAMS[k]!;
    for (let i = 0; i < subs.length; i++)
      if ((!index || index.hasAll(grams[i]!)) && text.includes(subs[i]!)) return true;
    return false;
  }
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
  return !a || a.literals.length > 0 || ((k < 32 ? gates.leadLo : gates.leadHi) & (1 << (k & 31))) !== 0;
}
