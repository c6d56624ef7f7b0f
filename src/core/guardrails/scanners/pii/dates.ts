/**
 * Dates: DATE_OF_BIRTH when a birth context word precedes the date, DATE for other full dates
 * (HIPAA treats every date tied to an individual, except the year, as an identifier; admission,
 * discharge and death dates get higher confidence from their context words).
 */
import { probeOf } from '../../text-index.js';
import { push, type Recognizer } from './context.js';

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const MONTH_INDEX: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const group = (alts: string[]): RegExp => new RegExp(alts.map((a) => `(?:${a})`).join('|'), 'gi');

/** Dates that start with a digit. */
const DATE_NUMERIC = group([
  // ISO 8601 date, optionally with time and zone
  String.raw`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?`,
  // numeric day/month/year in either order
  String.raw`\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})`,
  // 5 March 1985, 5th of March, 1985, 5-MAR-2021, 21-May
  String.raw`\d{1,2}(?:st|nd|rd|th)?(?: of)?[ -](?:${MONTHS})\.?,?[ -]\d{4}|\d{1,2}-(?:${MONTHS})`,
  // numeric month/year
  String.raw`\d{1,2}/\d{4}|\d{1,2}/\d{2}`,
]);
/** Dates that start with a month name: March 5, 1985 / May 2021 / May-21. */
const DATE_MONTH = group([
  String.raw`(?:${MONTHS})\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}`,
  String.raw`(?:${MONTHS})[ -]\d{4}|(?:${MONTHS})-\d{2}`,
]);
const MONTH_PROBE = new RegExp(String.raw`\b(?:${MONTHS})`, 'i');

const BIRTH =
  /\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born(?: on)?|b\.)\W{0,4}(?:is\W{0,2}|on\W{0,2})?$/;
const MEDICAL =
  /\b(?:admitted|admission|discharged?|discharge date|date of death|died|deceased|dod|date of service|dos|seen on|visit(?:ed)? on|surgery on)\W{0,4}(?:is\W{0,2}|on\W{0,2})?$/;

function plausible(s: string): { ok: boolean; full: boolean } {
  const lower = s.toLowerCase();
  const nums = (lower.match(/\d+/g) ?? []).map(Number);
  if (/^\d{4}-/.test(s))
    return { ok: nums[1]! >= 1 && nums[1]! <= 12 && nums[2]! >= 1 && nums[2]! <= 31, full: true };
  const month = /[a-z]+/.exec(lower)?.[0];
  if (month) {
    if (MONTH_INDEX[month.slice(0, 3)] === undefined) return { ok: false, full: false };
    const day = nums.find((n) => n <= 31 && n >= 1);
    const year = nums.find((n) => n >= 1000);
    return { ok: day !== undefined || year !== undefined, full: day !== undefined && year !== undefined };
  }
  if (nums.length === 2) return { ok: nums[0]! >= 1 && nums[0]! <= 12, full: false };
  const [a, b] = nums as [number, number];
  const ok = a >= 1 && b >= 1 && ((a <= 12 && b <= 31) || (b <= 12 && a <= 31));
  return { ok, full: true };
}

function* dateMatches(text: string): Generator<{ index: number; value: string }> {
  const found: Array<{ index: number; value: string }> = [];
  for (const re of MONTH_PROBE.test(text) ? [DATE_NUMERIC, DATE_MONTH] : [DATE_NUMERIC]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) found.push({ index: m.index, value: m[0] });
  }
  found.sort((a, b) => a.index - b.index || b.value.length - a.value.length);
  let end = -1;
  for (const f of found) {
    if (f.index < end) continue; // overlaps a longer, earlier date
    end = f.index + f.value.length;
    yield f;
  }
}

/** Without a birth context word in the text, only plain dates can be found. */
const BIRTH_PROBE = probeOf(BIRTH);

export const recognizeDates: Recognizer = (input, out) => {
  const text = input.text;
  if (!input.entities.has('DATE') && !BIRTH_PROBE(input.index)) return;
  for (const m of dateMatches(text)) {
    const s = m.index;
    const e = s + m.value.length;
    const prev = s > 0 ? text[s - 1]! : ' ';
    const next = e < text.length ? text[e]! : ' ';
    if (
      /[A-Za-z0-9]/.test(prev) ||
      /[A-Za-z0-9]/.test(next) ||
      (next === '.' && /\d/.test(text[e + 1] ?? ''))
    )
      continue;
    const p = plausible(m.value);
    if (!p.ok) continue;
    const before = input.lower.slice(Math.max(0, s - 32), s);
    if (BIRTH.test(before)) {
      push(out, 'DATE_OF_BIRTH', s, e, 0.95, ['context:birth']);
    } else if (MEDICAL.test(before)) {
      push(out, 'DATE', s, e, 0.85, ['context:medical']);
    } else {
      push(out, 'DATE', s, e, p.full ? 0.6 : 0.3, [p.full ? 'date-format' : 'partial-date']);
    }
  }
};
