/**
 * What every PII recognizer receives, and the context-word helper: many identifiers are only
 * recognisable with a nearby word ("passport", "MRN", "DOB"), which also raises confidence of
 * checksum-validated ones.
 */
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
}

export type Recognizer = (input: PiiInput, out: RawFinding[]) => void;

export function makePiiInput(text: string, checksums: boolean, phoneRegions: readonly string[]): PiiInput {
  let lower = text.toLowerCase();
  if (lower.length !== text.length) lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return { text, lower, runs: findNumberRuns(text), checksums, phoneRegions };
}

/** Does `re` match in the `back` characters before `start` or the `fwd` characters after `end`? */
export function nearContext(input: PiiInput, start: number, end: number, re: RegExp, back = 40, fwd = 16): boolean {
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
