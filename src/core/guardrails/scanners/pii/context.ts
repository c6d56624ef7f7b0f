/**
 * What every PII recognizer receives, and the context-word helper: many identifiers are only
 * recognisable with a nearby word ("passport", "MRN", "DOB"), which also raises confidence of
 * checksum-validated ones.
 */
import type { TextIndex } from '../../text-index.js';
import type { RawFinding } from '../../types.js';
import { findNumberRuns, type NumberRun } from './number-runs.js';

export interface PiiInput {
  text: string;
  /** Lower-cased text, same length as `text`. */
  lower: string;
  runs: NumberRun[];
  /** Require checksums (Luhn, mod 97, ...) where the identifier has one. */
  checksums: boolean;
  /** Regions tried for national phone numbers without a country code. */
  phoneRegions: readonly string[];
  /** Confident findings of other recognizers; a phone candidate inside one is not checked further. */
  claimed: RawFinding[];
  /** Entity types wanted; a recognizer may skip work whose findings would all be dropped. */
  entities: ReadonlySet<string>;
  /** Index for the recognizers' prefilters (see prefilter.ts), and the longest alphanumeric run. */
  index: TextIndex;
}

export type Recognizer = (input: PiiInput, out: RawFinding[]) => void;

export function makePiiInput(
  text: string,
  checksums: boolean,
  phoneRegions: readonly string[],
  entities: ReadonlySet<string>,
  index: TextIndex,
): PiiInput {
  return {
    text,
    lower: index.lower,
    runs: findNumberRuns(text, index.grams.numberStarts),
    checksums,
    phoneRegions,
    claimed: [],
    entities,
    index,
  };
}

/** Does `re` match in the `back` characters before `start` or the `fwd` characters after `end`? */
export function nearContext(
  input: PiiInput,
  start: number,
  end: number,
  re: RegExp,
  back = 40,
  fwd = 16,
): boolean {
  const b = input.lower.slice(Math.max(0, start - back), start);
  if (re.test(b)) return true;
  return fwd > 0 && re.test(input.lower.slice(end, end + fwd));
}

/** The context word found before `start` (for evidence), or undefined. */
export function contextWord(input: PiiInput, start: number, re: RegExp, back = 40): string | undefined {
  const m = re.exec(input.lower.slice(Math.max(0, start - back), start));
  return m ? m[0].trim() : undefined;
}

export function push(
  out: RawFinding[],
  type: string,
  start: number,
  end: number,
  confidence: number,
  evidence: string[],
): void {
  out.push({ type, start, end, confidence: Math.min(1, Math.round(confidence * 100) / 100), evidence });
}

const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** The character before `i` is none of `chars` and not a word character (when `word`). */
export function boundaryBefore(text: string, i: number, chars: string, word = true): boolean {
  if (i === 0) return true;
  const c = text.charCodeAt(i - 1);
  return !(word && isWordChar(c)) && !chars.includes(text[i - 1]!);
}

/**
 * Runs a global regex, keeping only matches whose left boundary `ok` accepts; a rejected match
 * restarts one character later, exactly as a leading lookbehind would. (A leading lookbehind
 * makes the regex engine test it at every position; checking it in code is much faster.)
 */
export function* matchesWithBoundary(
  re: RegExp,
  text: string,
  ok: (start: number) => boolean,
): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!ok(m.index)) {
      re.lastIndex = m.index + 1;
      continue;
    }
    yield m;
    if (m[0].length === 0) re.lastIndex++;
  }
}
