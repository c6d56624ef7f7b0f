/**
 * Prompt-injection and jailbreak scoring: weighted signals (signals.ts) over every view of a text
 * (normalised, decoded, hidden), plus obfuscation evidence from normalisation. Distinct signals
 * combine as independent evidence (noisy-OR); a decoded span carrying signals adds
 * `encoded_payload`. No model, no I/O: microseconds per kilobyte.
 */
import type { PrepareStats } from '../../prepare.js';
import { indexText, probeOf, type TextIndex } from '../../text-index.js';
import type { TextView } from '../../text-view.js';
import { SIGNALS, type Gate } from './signals.js';

export type InjectionContext = 'prompt' | 'data';

export interface InjectionHit {
  name: string;
  weight: number;
  /** Index of the view the hit was seen in (-1: the whole part), and its span in that view. */
  view: number;
  start: number;
  end: number;
}

export interface InjectionScore {
  score: number;
  hits: InjectionHit[];
}

/** Case-sensitive persona names: "DAN" is a jailbreak, "Dan" is a person. */
const CASED = /\bDANs?\b|\bSTAN\b|\bDUDE\b|\bAIM\b(?= (?:stands|is|will))|\bDo Anything Now\b/g;

/**
 * A persona given a made-up model name: "you are JAMES", "act as BG4", "called BasedGPT". Read on
 * the original casing; ordinary capitalised words are excluded.
 */
const PERSONA_NAME =
  /\b(?:[Aa]s(?= [A-Z][A-Za-z0-9]+,? you\b)|[Yy]ou are(?: now)?|[Yy]ou're(?: now)?|[Aa]ct as|[Cc]alled|[Nn]amed|known as|go by(?: the name)?|[Yy]our name is(?: now)?)\s+["'“«]?(?!(?:NOT|NOW|THE|AN?|ALWAYS|NEVER|ONLY|GOING|TO|ALLOWED|ABLE|FREE|ALL|NO|IN|ON|MY|AI|I|OK)\b)([A-Z][A-Z0-9^._-]{1,15}\b|[A-Z]?[a-z0-9]*(?:GPT|Gpt|GPt)[A-Za-z0-9]*)(?!['’]s)/g;
const GENERIC_MODEL_NAMES = /^(?:chatgpt|gpt|gpt\d\w*)$/i;

/** Lower case, with markdown/escape punctuation blanked out; same length, so spans still map. */
const MARKUP = /[_\\*`]/g;
function signalText(lower: string): string {
  MARKUP.lastIndex = 0;
  return MARKUP.test(lower) ? lower.replace(MARKUP, ' ') : lower;
}

const NEGATION = /\b(?:not|never|without|no|don'?t|doesn'?t|won'?t|cannot|can'?t|nor)\s+(?:\w+\s+)?$/;

/** Matches of one signal counted up to this many (long jailbreaks repeat themselves). */
const MAX_REPEATS = 4;

/**
 * Behaviour rules laid down for the model: "you will...", "it must never...", "your responses...".
 * One or two are ordinary requests; many in one text are a persona or rule-set being installed.
 */
const RULE_STATEMENT =
  /\b(?:you|he|she|it|they)\s+(?:will|must|should|shall|can|cannot|can't|won't|will not|have to|need to|always|never|are not allowed|are allowed|do not|don't|does not|doesn't)\b|\byour (?:responses?|answers?|replies|reply|output|character|persona|goal|purpose|task|role|rules|instructions)\b/g;

function ruleDensityWeight(count: number): number {
  return count >= 10 ? 0.55 : count >= 6 ? 0.45 : count >= 3 ? 0.3 : 0;
}

/** Hash of a lower-case ASCII word, as computed incrementally by `wordSet`. */
function wordHash(word: string): number {
  let h = 0;
  for (let i = 0; i < word.length; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) | 0;
  return h;
}

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

export function gatePasses(gate: Gate, text: string, words: ReadonlySet<string>): boolean {
  if (gate.substrings?.some((s) => text.includes(s))) return true;
  if (!gate.words) return gate.substrings === undefined;
  return gate.words.every((list) => list.some((word) => words.has(word)));
}

const isSpaceCode = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** Does a match at `i` begin a sentence / a line (see Signal.start)? */
export function startsAt(text: string, i: number, kind: 'sentence' | 'line'): boolean {
  let j = i - 1;
  if (kind === 'sentence') {
    while (j >= 0 && isSpaceCode(text.charCodeAt(j))) {
      if (text.charCodeAt(j) === 10) return true;
      j--;
    }
    return j < 0 || '.!?:"\n'.includes(text[j]!);
  }
  for (let k = 0; j >= 0 && k < 12; j--, k++) {
    const c = text.charCodeAt(j);
    if (c === 10) return true;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127) return false;
  }
  return j < 0;
}

/** Prefilters of the signal patterns: a text lacking their literals skips them (see prefilter.ts). */
const SIGNAL_PROBES = SIGNALS.map((sig) => probeOf(sig.re));
const CASED_PROBE = probeOf(CASED);
const PERSONA_PROBE = probeOf(PERSONA_NAME);
const RULE_PROBE = probeOf(RULE_STATEMENT);

/** Scores one view; hits are appended to `out`. */
function scanView(
  view: TextView,
  tindex: TextIndex,
  index: number,
  context: InjectionContext,
  out: InjectionHit[],
): void {
  const text = signalText(tindex.lower);
  let words: Set<string> | undefined;
  for (let k = 0; k < SIGNALS.length; k++) {
    const sig = SIGNALS[k]!;
    if (!SIGNAL_PROBES[k]!(tindex)) continue;
    if (!gatePasses(sig.gate, text, (words ??= wordSet(text)))) continue;
    sig.re.lastIndex = 0;
    const weight = context === 'data' ? sig.indirect : sig.weight;
    for (let k = 0, m = sig.re.exec(text); m && k < MAX_REPEATS; k++, m = sig.re.exec(text)) {
      if (m[0].length === 0) sig.re.lastIndex++;
      if (sig.start && !startsAt(text, m.index, sig.start)) {
        sig.re.lastIndex = m.index + 1;
        k--;
        continue;
      }
      if (sig.negatable && NEGATION.test(text.slice(Math.max(0, m.index - 24), m.index))) continue;
      const start = sig.verify ? sig.verify(text, m.index) : m.index;
      if (start === undefined) {
        k--;
        continue;
      }
      out.push({ name: sig.name, weight, view: index, start, end: m.index + m[0].length });
    }
  }
  CASED.lastIndex = 0;
  const c = CASED_PROBE(tindex) ? CASED.exec(view.text) : null;
  if (c)
    out.push({
      name: 'jailbreak_term',
      weight: context === 'data' ? 0.65 : 0.55,
      view: index,
      start: c.index,
      end: c.index + c[0].length,
    });
  RULE_STATEMENT.lastIndex = 0;
  let rules = 0;
  let firstRule = -1;
  const anyRule = RULE_PROBE(tindex);
  for (let m = anyRule ? RULE_STATEMENT.exec(text) : null; m && rules < 12; m = RULE_STATEMENT.exec(text)) {
    if (rules === 0) firstRule = m.index;
    rules++;
  }
  const rw = ruleDensityWeight(rules);
  if (rw > 0)
    out.push({ name: 'behaviour_rules', weight: rw, view: index, start: firstRule, end: firstRule + 1 });
  PERSONA_NAME.lastIndex = 0;
  const anyPersona = PERSONA_PROBE(tindex);
  for (let m = anyPersona ? PERSONA_NAME.exec(view.text) : null; m; m = PERSONA_NAME.exec(view.text)) {
    if (GENERIC_MODEL_NAMES.test(m[1]!)) continue;
    out.push({
      name: 'persona_name',
      weight: context === 'data' ? 0.45 : 0.35,
      view: index,
      start: m.index,
      end: m.index + m[0].length,
    });
    break;
  }
}

export function scoreInjection(
  views: readonly TextView[],
  stats: PrepareStats,
  context: InjectionContext,
  indexes?: (i: number) => TextIndex,
): InjectionScore {
  const hits: InjectionHit[] = [];
  views.forEach((v, i) => {
    const before = hits.length;
    scanView(v, indexes ? indexes(i) : indexText(v.text), i, context, hits);
    if (v.via.length > 0 && hits.length > before) {
      const first = hits[before]!;
      hits.push({ name: 'encoded_payload', weight: 0.4, view: i, start: first.start, end: first.end });
    }
  });
  // Obfuscation is evidence about the whole text, not a span: view -1 keeps it out of overlap merging.
  const obfuscation = (name: string, weight: number): void => {
    hits.push({ name, weight, view: -1, start: 0, end: 0 });
  };
  if (stats.mixedScript >= 2) obfuscation('homoglyph_obfuscation', 0.55);
  if (stats.tags > 0) obfuscation('hidden_tag_text', 0.6);
  if (stats.bidi > 0) obfuscation('bidi_control', 0.3);
  if (stats.invisible - stats.tags - stats.bidi >= 3) obfuscation('invisible_characters', 0.3);
  return { score: combine(hits), hits };
}

/**
 * Combines hits into a score in [0, 1]:
 *  - two hits of different signals on overlapping text are one piece of evidence (the stronger);
 *  - distinct signals combine as independent evidence (noisy-OR of each signal's strongest hit);
 *  - every further hit, and a third or later distinct signal, adds a little (capped): persona
 *    jailbreaks restate their rules many times, ordinary text touches a signal once.
 */
export function combine(hits: readonly InjectionHit[]): number {
  const sorted = [...hits].sort((a, b) => b.weight - a.weight);
  const kept: InjectionHit[] = [];
  for (const h of sorted) {
    const dup = kept.some(
      (k) =>
        k.name !== h.name &&
        k.view === h.view &&
        h.start < k.end &&
        k.start < h.end &&
        h.end - h.start < 200 &&
        k.end - k.start < 200,
    );
    if (!dup) kept.push(h);
  }
  const best = new Map<string, number>();
  for (const h of kept) best.set(h.name, Math.max(best.get(h.name) ?? 0, h.weight));
  let miss = 1;
  for (const w of best.values()) miss *= 1 - w;
  const extra = kept.length - best.size + Math.max(0, best.size - 2);
  if (extra > 0) miss *= Math.max(0.6, Math.pow(0.93, extra));
  return Math.round((1 - miss) * 1000) / 1000;
}
