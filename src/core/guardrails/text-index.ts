/**
 * What the scanners share about one view, computed once: the lower-cased text (same length, so
 * offsets carry over) and the trigram index the regex prefilters are checked against.
 */
import { GramIndex, queryOf, queryPasses, type Query } from './prefilter.js';

export interface TextIndex {
  text: string;
  /** Lower-cased ASCII letters (and any other lower-casing that keeps the length). */
  lower: string;
  grams: GramIndex;
}

/** Lower case with the length kept: full lower-casing when it keeps it, ASCII letters otherwise. */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  return lower.length === text.length ? lower : text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function indexText(text: string, lower = lowerSameLength(text)): TextIndex {
  return { text, lower, grams: new GramIndex(lower) };
}

/** A compiled prefilter: false only when `re` cannot match the indexed text (or its lower case). */
export type Probe = (index: TextIndex) => boolean;

export function probeOf(re: RegExp): Probe {
  const q: Query = queryOf(re);
  return q === true ? () => true : (index) => queryPasses(q, index.grams);
}
