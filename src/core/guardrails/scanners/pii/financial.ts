/** Payment cards, IBANs, ABA routing and bank account numbers. */
import { abaValid, cardNetwork, ibanLength, ibanMod97, luhnValid } from '../../validators.js';
import { nearContext, push, type PiiInput, type Recognizer } from './context.js';
import { windowDigits, windowSeps, windowSpan, type NumberRun } from './number-runs.js';

const CARD_CONTEXT =
  /\b(?:card|visa|master ?card|amex|american express|credit|debit|cc|pan|discover|maestro|jcb)\b/;
const ROUTING_CONTEXT = /\b(?:routing|aba|rtn|transit|bank|wire|ach)\b/;
const ACCOUNT_CONTEXT = /\b(?:account|acct|a\/c|bank)\b[^\n]{0,12}?(?:n(?:umber|o\.?)|#|:)?\s*$/;

/** Same separator between every group of the window (or a single group). */
export function uniformSeps(run: NumberRun, from: number, to: number, allowed: string): boolean {
  const seps = windowSeps(run, from, to);
  if (seps.length === 0) return true;
  return seps.every((s) => s === seps[0]) && allowed.includes(seps[0]!) && seps[0] !== '';
}

function hasParen(run: NumberRun, from: number, to: number): boolean {
  for (let g = from; g <= to; g++) if (run.groups[g]!.paren) return true;
  return false;
}

export const recognizeCards: Recognizer = (input, out) => {
  for (const run of input.runs) {
    if (run.digits < 12 || run.embedded || run.plus) continue;
    const G = run.groups.length;
    let s = 0;
    while (s < G) {
      let found = -1;
      let digits = 0;
      const candidates: number[] = [];
      for (let e = s; e < G && e - s < 6; e++) {
        digits += run.groups[e]!.end - run.groups[e]!.start;
        if (digits > 19) break;
        if (digits >= 12) candidates.push(e);
      }
      for (let k = candidates.length - 1; k >= 0 && found < 0; k--) {
        const e = candidates[k]!;
        if (hasParen(run, s, e) || !uniformSeps(run, s, e, ' -')) continue;
        const d = windowDigits(input.text, run, s, e);
        const network = cardNetwork(d);
        if (!network) continue;
        const luhn = luhnValid(d);
        if (input.checksums && !luhn) continue;
        const span = windowSpan(run, s, e);
        const ctx = nearContext(input, span.start, span.end, CARD_CONTEXT);
        const conf = luhn ? (ctx ? 0.99 : 0.9) : ctx ? 0.75 : 0.55;
        push(out, 'CREDIT_CARD', span.start, span.end, conf, [
          luhn ? 'luhn' : 'format',
          `iin:${network}`,
          ...(ctx ? ['context'] : []),
        ]);
        found = e;
      }
      s = found >= 0 ? found + 1 : s + 1;
    }
  }
};

const isAlnumCode = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isLetterCode = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Where an IBAN can start: two letters after no letter or digit, then two digits
 * (`(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}`). The first digit follows a letter, so it is a number start of
 * the index: the places are read from those instead of a regex run over the text (ascending).
 */
function ibanStarts(text: string, numberStarts: readonly number[]): number[] {
  const out: number[] = [];
  for (const p of numberStarts) {
    if (p < 2 || !isDigitCode(text.charCodeAt(p)) || !isDigitCode(text.charCodeAt(p + 1))) continue;
    if (!isLetterCode(text.charCodeAt(p - 1)) || !isLetterCode(text.charCodeAt(p - 2))) continue;
    if (p > 2 && isAlnumCode(text.charCodeAt(p - 3))) continue;
    out.push(p - 2);
  }
  return out;
}

export const recognizeIban: Recognizer = (input, out) => {
  const text = input.text;
  let next = 0; // after an IBAN the search goes on from its end
  for (const at of ibanStarts(text, input.index.grams.numberStarts)) {
    if (at < next) continue;
    const len = ibanLength(text.slice(at, at + 2));
    if (len === undefined) continue;
    // Collect `len` alphanumerics, allowing one space or hyphen between them.
    let compact = '';
    let i = at;
    while (i < text.length && compact.length < len) {
      const c = text.charCodeAt(i);
      if (isAlnumCode(c)) {
        compact += text[i]!;
        i++;
      } else if ((c === 32 || c === 45) && isAlnumCode(text.charCodeAt(i + 1)) && compact.length >= 4) {
        i++;
      } else break;
    }
    if (compact.length !== len || isAlnumCode(text.charCodeAt(i))) continue;
    const upper = compact.toUpperCase();
    if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(upper)) continue;
    const mod97 = ibanMod97(upper);
    if (input.checksums && !mod97) continue;
    push(out, 'IBAN', at, i, mod97 ? 0.95 : 0.55, [mod97 ? 'mod97' : 'format', `country:${upper.slice(0, 2)}`]);
    next = i;
  }
};

export const recognizeRouting: Recognizer = (input, out) => {
  for (const run of input.runs) {
    if (run.digits !== 9 || run.embedded || run.plus) continue;
    const lens = run.groups.map((g) => g.end - g.start);
    let span: { start: number; end: number } | undefined;
    if (run.groups.length === 1 && lens[0] === 9) span = windowSpan(run, 0, 0);
    else if (lens.join(',') === '4,4,1' && uniformSeps(run, 0, 2, '-')) span = windowSpan(run, 0, 2);
    if (!span) continue;
    const d = windowDigits(input.text, run, 0, run.groups.length - 1);
    if (!abaValid(d)) continue;
    const ctx = nearContext(input, span.start, span.end, ROUTING_CONTEXT);
    push(out, 'US_BANK_ROUTING', span.start, span.end, ctx ? 0.9 : 0.4, [
      'aba-checksum',
      ...(ctx ? ['context'] : []),
    ]);
  }
};

export const recognizeAccount: Recognizer = (input: PiiInput, out) => {
  for (const run of input.runs) {
    if (run.digits < 6 || run.digits > 17 || run.embedded || run.plus) continue;
    const d = windowDigits(input.text, run, 0, run.groups.length - 1);
    if (d.length < 6 || d.length > 17 || !uniformSeps(run, 0, run.groups.length - 1, ' -')) continue;
    const span = windowSpan(run, 0, run.groups.length - 1);
    if (!ACCOUNT_CONTEXT.test(input.lower.slice(Math.max(0, span.start - 32), span.start))) continue;
    push(out, 'ACCOUNT_NUMBER', span.start, span.end, 0.75, ['context:account']);
  }
};
