/**
 * Prompt-injection and jailbreak scoring: weighted signals (signals.ts) over every view of a text
 * (normalised, decoded, hidden), plus obfuscation evidence from normalisation. Distinct signals
 * combine as independent evidence (noisy-OR); a decoded span carrying signals adds
 * `encoded_payload`. No model, no I/O: microseconds per kilobyte.
 */
import type { PrepareStats } from '../../prepare.js';
import { indexText, probeOf, type TextIndex } from '../../text-index.js';
import type { TextView } from '../../text-view.js';
import {
  CASED,
  GENERIC_MODEL_NAMES,
  identityWeight,
  PERSONA_KEY,
  PERSONA_NAME,
  personaSheetWeight,
  RULE_STATEMENT,
  ruleDensityWeight,
} from './counted.js';
import {
  CASED_SLOT,
  FULL_MASK,
  finder,
  gatePassesMasked,
  IDENTITY_SLOT,
  mayStart,
  PERSONA_SLOT,
  RULE_SLOT,
  scanGates,
  type GateScan,
} from './gates.js';
import { SIGNALS } from './signals.js';

export { gateMasks, gatePasses, gatePassesMasked, scanGates, wordSet } from './gates.js';

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

/** Lower case, with markdown/escape punctuation blanked out; same length, so spans still map. */
const MARKUP = /[_\\*`]/g;
function signalText(tindex: TextIndex): string {
  return tindex.grams.markup ? tindex.lower.replace(MARKUP, ' ') : tindex.lower;
}

const NEGATION = /\b(?:not|never|without|no|don'?t|doesn'?t|won'?t|cannot|can'?t|nor)\s+(?:\w+\s+)?$/;

/** Matches of one signal counted up to this many (long jailbreaks repeat themselves). */
const MAX_REPEATS = 4;

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
const SHEET_PROBE = probeOf(/personality|persona|character|assistant|awareness/);

/** Matches of counted slot k, up to `max`; `ok` may reject a match (the search goes on after it). */
function countMatches(
  k: number,
  text: string,
  gates: GateScan,
  max: number,
  ok: (m: RegExpExecArray) => boolean = () => true,
): { count: number; first: number } {
  let count = 0;
  let first = -1;
  if (!mayStart(k, gates)) return { count, first };
  const find = finder(k, text, gates);
  for (let m = find(0); m && count < max; m = find(m.index + Math.max(1, m[0].length))) {
    if (!ok(m)) continue;
    if (count === 0) first = m.index;
    count++;
  }
  return { count, first };
}

/** A search for a cased pattern slot over the view's own text (undefined: it cannot start). */
function casedFinder(
  k: number,
  text: string,
  gates: GateScan,
  anchors: boolean,
): ((from: number) => RegExpExecArray | null) | undefined {
  return anchors && !mayStart(k, gates) ? undefined : finder(k, text, gates, anchors);
}

/** Scores one view; hits are appended to `out`. */
function scanView(
  view: TextView,
  tindex: TextIndex,
  index: number,
  context: InjectionContext,
  out: InjectionHit[],
): void {
  const text = signalText(tindex);
  const gates = scanGates(text, tindex.grams);
  const masks = gates.masks;
  for (let k = 0; k < SIGNALS.length; k++) {
    const sig = SIGNALS[k]!;
    const gate = sig.gate;
    // Cheapest first: the word gate's mask, the anchors, the prefilter, substring gates.
    if (gate.words && masks[k] !== FULL_MASK[k] && !gate.substrings) continue;
    if (!mayStart(k, gates) || !SIGNAL_PROBES[k]!(tindex)) continue;
    if (!gatePassesMasked(k, text, masks, tindex.grams)) continue;
    const find = finder(k, text, gates);
    const weight = context === 'data' ? sig.indirect : sig.weight;
    let from = 0;
    for (let n = 0, m = find(0); m && n < MAX_REPEATS; n++, m = find(from)) {
      from = m.index + Math.max(1, m[0].length);
      if (sig.start && !startsAt(text, m.index, sig.start)) {
        from = m.index + 1;
        n--;
        continue;
      }
      if (sig.negatable && NEGATION.test(text.slice(Math.max(0, m.index - 24), m.index))) continue;
      const start = sig.verify ? sig.verify(text, m.index) : m.index;
      if (start === undefined) {
        n--;
        continue;
      }
      out.push({ name: sig.name, weight, view: index, start, end: m.index + m[0].length });
    }
  }
  // The cased patterns read the view's own text; its words are the index's (see sameWords).
  const anchors = tindex.wordsOfText;
  const c = CASED_PROBE(tindex) ? (casedFinder(CASED_SLOT, view.text, gates, anchors)?.(0) ?? null) : null;
  if (c)
    out.push({
      name: 'jailbreak_term',
      weight: context === 'data' ? 0.65 : 0.55,
      view: index,
      start: c.index,
      end: c.index + c[0].length,
    });
  // Counts are evidence about the whole text (view -1): they add to the signal of any one sentence.
  const rules = RULE_PROBE(tindex) ? countMatches(RULE_SLOT, text, gates, 12) : { count: 0, first: -1 };
  const rw = ruleDensityWeight(rules.count);
  if (rw > 0) out.push({ name: 'behaviour_rules', weight: rw, view: -1, start: 0, end: 0 });
  const ids = countMatches(IDENTITY_SLOT, text, gates, 8, (m) => startsAt(text, m.index, 'sentence'));
  const iw = identityWeight(ids.count);
  if (iw > 0) out.push({ name: 'identity_statements', weight: iw, view: -1, start: 0, end: 0 });
  if (SHEET_PROBE(tindex)) {
    const keys = new Set<string>();
    PERSONA_KEY.lastIndex = 0;
    for (let m = PERSONA_KEY.exec(text); m && keys.size < 8; m = PERSONA_KEY.exec(text)) keys.add(m[1]!);
    const sw = personaSheetWeight(keys);
    if (sw > 0) out.push({ name: 'persona_sheet', weight: sw, view: -1, start: 0, end: 0 });
  }
  const findName = PERSONA_PROBE(tindex) ? casedFinder(PERSONA_SLOT, view.text, gates, anchors) : undefined;
  for (let m = findName?.(0); m; m = findName!(m.index + Math.max(1, m[0].length))) {
    const name = m[1] ?? m[2] ?? m[3]!;
    if (GENERIC_MODEL_NAMES.test(name)) continue;
    // The span is the name itself: evidence of its own next to "you are now" or "act as".
    const at = m.index + m[0].lastIndexOf(name);
    out.push({
      name: 'persona_name',
      weight: context === 'data' ? 0.45 : 0.35,
      view: index,
      start: at,
      end: at + name.length,
    });
    break;
  }
}

/** Scores the views of a text; each view's index is the one it carries (built if missing). */
export function scoreInjection(
  views: readonly TextView[],
  stats: PrepareStats,
  context: InjectionContext,
): InjectionScore {
  const hits: InjectionHit[] = [];
  for (let i = 0; i < views.length; i++) {
    const v = views[i]!;
    const before = hits.length;
    scanView(v, (v.index ??= indexText(v.text)), i, context, hits);
    if (v.via.length > 0 && hits.length > before) {
      const first = hits[before]!;
      hits.push({ name: 'encoded_payload', weight: 0.4, view: i, start: first.start, end: first.end });
    }
  }
  // Obfuscation is evidence about the whole text, not a span: view -1 keeps it out of overlap merging.
  // Mixed-script words also occur in stylised or multilingual text: evidence only with content.
  if (stats.mixedScript >= 2) hits.push(wholeText('homoglyph_obfuscation', 0.5));
  if (stats.tags > 0) hits.push(wholeText('hidden_tag_text', 0.6));
  if (stats.bidi > 0) hits.push(wholeText('bidi_control', 0.3));
  if (stats.invisible - stats.tags - stats.bidi >= 3) hits.push(wholeText('invisible_characters', 0.3));
  return { score: combine(hits), hits };
}

/** A hit that is evidence about the whole text (view -1), not a span. */
function wholeText(name: string, weight: number): InjectionHit {
  return { name, weight, view: -1, start: 0, end: 0 };
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
