/**
 * Prompt-injection and jailbreak scoring: weighted signals (signals.ts) over every view of a text
 * (normalised, decoded, hidden), plus obfuscation evidence from normalisation. Distinct signals
 * combine as independent evidence (noisy-OR); a decoded span carrying signals adds
 * `encoded_payload`. No model, no I/O: microseconds per kilobyte.
 */
import type { PrepareStats } from '../../prepare.js';
import type { TextView } from '../../text-view.js';
import { SIGNALS } from './signals.js';

export type InjectionContext = 'prompt' | 'data';

export interface InjectionHit {
  name: string;
  weight: number;
  /** Index of the view the hit was seen in, and its span in that view. */
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

function lowerSameLength(s: string): string {
  const l = s.toLowerCase();
  return l.length === s.length ? l : s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Scores one view; hits are appended to `out`. */
function scanView(view: TextView, index: number, context: InjectionContext, out: InjectionHit[]): void {
  const text = lowerSameLength(view.text);
  for (const sig of SIGNALS) {
    sig.re.lastIndex = 0;
    const m = sig.re.exec(text);
    if (!m) continue;
    out.push({ name: sig.name, weight: context === 'data' ? sig.indirect : sig.weight, view: index, start: m.index, end: m.index + m[0].length });
  }
  CASED.lastIndex = 0;
  const c = CASED.exec(view.text);
  if (c) out.push({ name: 'jailbreak_term', weight: context === 'data' ? 0.65 : 0.55, view: index, start: c.index, end: c.index + c[0].length });
}

export function scoreInjection(views: readonly TextView[], stats: PrepareStats, context: InjectionContext): InjectionScore {
  const hits: InjectionHit[] = [];
  views.forEach((v, i) => {
    const before = hits.length;
    scanView(v, i, context, hits);
    if (v.via.length > 0 && hits.length > before) {
      const first = hits[before]!;
      hits.push({ name: 'encoded_payload', weight: 0.4, view: i, start: first.start, end: first.end });
    }
  });
  const whole = views[0]?.text.length ?? 0;
  const obfuscation = (name: string, weight: number): void => {
    hits.push({ name, weight, view: 0, start: 0, end: whole });
  };
  if (stats.mixedScript >= 2) obfuscation('homoglyph_obfuscation', 0.45);
  if (stats.tags > 0) obfuscation('hidden_tag_text', 0.6);
  if (stats.bidi > 0) obfuscation('bidi_control', 0.3);
  if (stats.invisible - stats.tags - stats.bidi >= 3) obfuscation('invisible_characters', 0.3);
  return { score: combine(hits), hits };
}

/** Noisy-OR over the strongest hit of each signal name. */
export function combine(hits: readonly InjectionHit[]): number {
  const best = new Map<string, number>();
  for (const h of hits) best.set(h.name, Math.max(best.get(h.name) ?? 0, h.weight));
  let miss = 1;
  for (const w of best.values()) miss *= 1 - w;
  return Math.round((1 - miss) * 1000) / 1000;
}
