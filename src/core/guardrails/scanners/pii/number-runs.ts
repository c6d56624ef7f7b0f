/**
 * One linear pass that finds runs of digit groups ("415 555-0132", "+46 (0)8 928", "4111-1111-...")
 * shared by the numeric recognizers (card, phone, SSN, routing, NHS...). A run is a maximal
 * sequence of digit groups joined by ONE separator character (space, '-', '.', '/') or by a
 * parenthesised group; recognizers then test windows of consecutive groups.
 */
export interface DigitGroup {
  start: number;
  end: number;
  /** Separator that precedes this group ('' for the first group or none). */
  sep: string;
  paren: boolean;
}

export interface NumberRun {
  start: number;
  end: number;
  groups: DigitGroup[];
  /** '+' immediately before the first group. */
  plus: boolean;
  /** The run touches a letter or digit-like character on either side (part of a bigger token). */
  embedded: boolean;
  /** Total number of digits in the run's groups (recognizers skip runs too short for them). */
  digits: number;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordish = (c: number): boolean =>
  isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 0x7f;
/** Separators between digit groups: space, '-', '.', '/'. */
const isSep = (c: number): boolean => c === 32 || c === 45 || c === 46 || c === 47;

/**
 * `starts`, when given, lists every position where a run can begin (digits after a non-digit, '('
 * before a digit; see GramIndex.numberStarts): the scan jumps between them instead of reading
 * every character, with the same result.
 */
export function findNumberRuns(text: string, starts?: readonly number[]): NumberRun[] {
  const runs: NumberRun[] = [];
  const n = text.length;
  let i = 0;
  let si = 0;
  while (i < n) {
    if (starts) {
      while (si < starts.length && starts[si]! < i) si++;
      if (si === starts.length) break;
      i = starts[si]!;
    }
    const c = text.charCodeAt(i);
    const startsParen = c === 40 && i + 1 < n && isDigit(text.charCodeAt(i + 1));
    if (!isDigit(c) && !startsParen) {
      i++;
      continue;
    }
    let start = i;
    const plus = i > 0 && text.charCodeAt(i - 1) === 43;
    if (plus) start = i - 1;
    const before = start > 0 ? text.charCodeAt(start - 1) : 32;
    const groups: DigitGroup[] = [];
    let digits = 0;
    let sep = '';
    let j = i;
    for (;;) {
      const paren = text.charCodeAt(j) === 40;
      let k = paren ? j + 1 : j;
      const gs = k;
      while (k < n && isDigit(text.charCodeAt(k))) k++;
      if (paren) {
        if (k === gs || text.charCodeAt(k) !== 41) break;
        groups.push({ start: gs, end: k, sep, paren: true });
        k++; // ')'
      } else {
        groups.push({ start: gs, end: k, sep, paren: false });
      }
      digits += k - gs - (paren ? 1 : 0);
      j = k;
      // One separator (or none before a parenthesis) then another group?
      const s = text.charCodeAt(j);
      if (isSep(s)) {
        const nx = text.charCodeAt(j + 1);
        if (isDigit(nx) || (nx === 40 && isDigit(text.charCodeAt(j + 2)))) {
          sep = text[j]!;
          j++;
          continue;
        }
      } else if (s === 40 && isDigit(text.charCodeAt(j + 1))) {
        sep = '';
        continue;
      } else if (groups[groups.length - 1]!.paren && isDigit(s)) {
        sep = '';
        continue;
      }
      break;
    }
    if (groups.length === 0) {
      i++;
      continue;
    }
    const end = j;
    const after = end < n ? text.charCodeAt(end) : 32;
    // "555-0132x789": an extension marker right after the run does not make it part of a word.
    const extension = (after === 120 || after === 88) && isDigit(text.charCodeAt(end + 1));
    const embedded =
      isWordish(before) ||
      (isWordish(after) && !extension) ||
      (before === 46 && start > 1 && isDigit(text.charCodeAt(start - 2)));
    runs.push({ start, end, groups, plus, embedded, digits });
    i = end > i ? end : i + 1;
    // Skip the rest of an alphanumeric token so that we never restart in its middle.
    while (i < n && isWordish(text.charCodeAt(i))) i++;
  }
  return runs;
}

/** Digits of groups [from, to] of a run. */
export function windowDigits(text: string, run: NumberRun, from: number, to: number): string {
  let d = '';
  for (let g = from; g <= to; g++) d += text.slice(run.groups[g]!.start, run.groups[g]!.end);
  return d;
}

/** Span of groups [from, to] (including the parentheses of parenthesised groups, and '+' at run start). */
export function windowSpan(run: NumberRun, from: number, to: number): { start: number; end: number } {
  const first = run.groups[from]!;
  const last = run.groups[to]!;
  let start = first.paren ? first.start - 1 : first.start;
  if (from === 0 && run.plus) start = run.start;
  return { start, end: last.paren ? last.end + 1 : last.end };
}

/** Separators between the groups of a window (excluding the one before the first group). */
export function windowSeps(run: NumberRun, from: number, to: number): string[] {
  const seps: string[] = [];
  for (let g = from + 1; g <= to; g++) seps.push(run.groups[g]!.sep);
  return seps;
}

/** Digit counts of groups [from, to] of a run. */
export function windowLengths(run: NumberRun, from: number, to: number): number[] {
  const out: number[] = [];
  for (let g = from; g <= to; g++) out.push(run.groups[g]!.end - run.groups[g]!.start);
  return out;
}
