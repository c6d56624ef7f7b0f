/**
 * Building blocks of the prompt-injection signals: the signal shape, word gates and helpers.
 */
import { OUTPUT_TARGET, OUTPUT_VERB } from './lexicon.js';

/**
 * Words (letters only) one of which must occur for a signal to be possible; every inner list must
 * be satisfied (AND of ORs). `substrings` pass the gate on their own. Gates only skip regexes that
 * cannot match; they never change what a regex finds.
 */
export interface Gate {
  words?: string[][];
  substrings?: string[];
}

export const w = (words: string): string[] => words.split(' ');

export interface Signal {
  name: string;
  gate: Gate;
  /**
   * Confirms a match in code and returns where the evidence starts (or undefined to reject); used
   * when the cheap part of a pattern is the end of the phrase.
   */
  verify?: (text: string, index: number) => number | undefined;
  /**
   * Where a match must begin: at a sentence start (after . ! ? : " or a line break) or a line start
   * (only punctuation, markup or spaces before it on its line). Checked in code, not in the regex,
   * because a leading (?:^|[.!?]\s*) makes the regex engine try every position.
   */
  start?: 'sentence' | 'line';
  /** A negation right before the match ("without bypassing", "never ignore") cancels it. */
  negatable?: boolean;
  /** Weight when the text is a prompt (direct input). */
  weight: number;
  /** Weight when the text is data the model will read (tool output, documents). */
  indirect: number;
  re: RegExp;
}

const OUTPUT_LEAD = new RegExp(
  String.raw`^(?:please\s+|kindly\s+|also\s+|additionally,?\s+)?${OUTPUT_VERB}\b`,
);
const OUTPUT_FRONT = new RegExp(
  String.raw`^(?:in|within|throughout|at the end of|at the start of)\s+your\s+(?:\w+\s+)?${OUTPUT_TARGET}\s*,?\s*(?:please\s+)?${OUTPUT_VERB}\b`,
);

/**
 * An instruction about what the assistant should write: within the 130 characters before `index`
 * (not crossing a line break or the end of a sentence), a sentence start is followed by an output
 * verb ("Add ...", "Please include ...") or by "In your <output>, <verb>". Returns that start.
 */
export function outputSentenceStart(text: string, index: number): number | undefined {
  let s = index;
  while (
    s > 0 &&
    index - s <= 130 &&
    text[s - 1] !== '\n' &&
    !(text[s - 1] === '.' && /\s/.test(text[s] ?? ' '))
  )
    s--;
  if (index - s > 130) return undefined;
  for (let k = s; k <= index; k++) {
    const atStart = k === s || '.!?:"'.includes(text[k - 1]!);
    if (!atStart) continue;
    let t = k;
    while (t < index && /[\s"':]/.test(text[t]!)) t++;
    const sentence = text.slice(t, index + 200);
    if (OUTPUT_LEAD.test(sentence) || OUTPUT_FRONT.test(sentence)) return t;
  }
  return undefined;
}

export const GAP = (n: number): string => String.raw`(?:\S+[\s,:]+){0,${n}}?`;
export const r = (src: string): RegExp => new RegExp(src, 'g');
