/**
 * What the scanners share about one view, computed once: the lower-cased text (same length, so
 * offsets carry over) and the trigram index the regex prefilters are checked against.
 */
import { GramIndex, gramsOf, mapLiteral } from './gram-index.js';
import { compileQuery, queryOf, queryPasses, type Query } from './prefilter.js';
import { literalPrefixes } from './regex-anchors.js';

export interface TextIndex {
  text: string;
  /** Lower-cased ASCII letters (and any other lower-casing that keeps the length). */
  lower: string;
  grams: GramIndex;
  /**
   * The words of `lower` (runs of a-z, see GramIndex.words) are those of `text` too: each of them
   * is a run of ASCII letters in `text`, and every run of ASCII letters of `text` is one of them.
   * Only U+212A KELVIN SIGN lower-cases to an ASCII letter (keeping the length), so this is false
   * only for texts holding it; scanners that read candidates from the words then run plainly.
   */
  wordsOfText: boolean;
}

/** See TextIndex.wordsOfText. */
export const sameWords = (text: string): boolean => text.indexOf('\u212A') < 0;

/** Lower case with the length kept: full lower-casing when it keeps it, ASCII letters otherwise. */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  return lower.length === text.length ? lower : text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function indexText(text: string, lower = lowerSameLength(text)): TextIndex {
  return { text, lower, grams: new GramIndex(lower), wordsOfText: sameWords(text) };
}

/** A compiled prefilter: false only when `re` cannot match the indexed text (or its lower case). */
export type Probe = (index: TextIndex) => boolean;

export function probeOf(re: RegExp): Probe {
  const q: Query = queryOf(re);
  if (q === true) return () => true;
  const compiled = compileQuery(q);
  return (index) => queryPasses(compiled, index.grams);
}

/**
 * The matches a global search with `re` would find, when no match can start anywhere but at the
 * candidate positions (ascending): `sticky` (the same pattern with the y flag) is tried at each
 * candidate not inside the previous match. Turns a scan of every position into a few anchored
 * tries where cheap facts about the text (a separator, a run of digit groups) mark the candidates.
 */
export function* matchesAt(
  sticky: RegExp,
  text: string,
  starts: Iterable<number>,
): Generator<RegExpExecArray> {
  let next = 0;
  for (const p of starts) {
    if (p < next) continue;
    const m = stickyAt(sticky, text, p);
    if (!m) continue;
    yield m;
    next = m.index + Math.max(1, m[0].length);
  }
}

/**
 * The match of a sticky pattern at `p`, or null. Most candidates fail: `test` says so for a small
 * fraction of what a failing `exec` costs (no match object), and `exec` runs only on success.
 */
export function stickyAt(sticky: RegExp, text: string, p: number): RegExpExecArray | null {
  sticky.lastIndex = p;
  if (!sticky.test(text)) return null;
  sticky.lastIndex = p;
  return sticky.exec(text);
}

/** Every position where one of the literals occurs, ascending. */
export function literalStarts(text: string, literals: readonly string[]): number[] {
  const starts: number[] = [];
  for (const lit of literals)
    for (let p = text.indexOf(lit); p >= 0; p = text.indexOf(lit, p + 1)) starts.push(p);
  return literals.length > 1 ? starts.sort((a, b) => a - b) : starts;
}

/**
 * The matches of a global `re` in a text, as `for (m = re.exec(text); m; m = re.exec(text))` finds
 * them. When every match opens with one of a few literal strings (prefilter.ts `literalPrefixes`),
 * they are found with indexOf and the pattern is tried only there; given the text's gram index,
 * only the literals whose grams all occur in it are looked for.
 */
export function searcher(re: RegExp): (text: string, grams?: GramIndex) => Iterable<RegExpExecArray> {
  const literals = literalPrefixes(re);
  if (!literals) {
    return function* (text) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        yield m;
        if (m[0].length === 0) re.lastIndex++;
      }
    };
  }
  const sticky = new RegExp(re.source, re.flags.replace('g', '') + 'y');
  const needs = literals.map((lit) => gramsOf(mapLiteral(lit)));
  return (text, grams) => {
    const present = grams ? literals.filter((_, i) => hasAll(grams, needs[i]!)) : literals;
    return matchesAt(sticky, text, literalStarts(text, present));
  };
}

function hasAll(grams: GramIndex, need: Int32Array): boolean {
  for (let i = 0; i < need.length; i++) if (!grams.has(need[i]!)) return false;
  return true;
}
