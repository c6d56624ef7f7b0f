/** National identifiers: US SSN, ITIN, passport and driver licence numbers; UK NHS and NINO. */
import { probeOf, searcher } from '../../text-index.js';
import { itinValid, nhsValid, ninoValid, ssnValid } from '../../validators.js';
import { nearContext, push, type PiiInput, type Recognizer } from './context.js';
import { uniformSeps } from './financial.js';
import { windowDigits, windowSpan } from './number-runs.js';

const SSN_CONTEXT = /\b(?:ssn|ssns|social security|soc\.? ?sec|ss ?#|ss no|taxpayer|tin)\b/;
const ITIN_CONTEXT = /\b(?:itin|tax ?id|taxpayer|tin)\b/;
const NHS_CONTEXT = /\bnhs\b|\bhealth service\b/;
const NINO_CONTEXT = /\b(?:national insurance|nino|ni (?:number|no))\b/;

/** SSN and ITIN share one shape: AAA-GG-SSSS (dash, space or dot) or nine bare digits. */
export const recognizeSsnItin: Recognizer = (input, out) => {
  for (const run of input.runs) {
    if (run.digits !== 9 || run.embedded || run.plus) continue;
    const lens = run.groups.map((g) => g.end - g.start).join(',');
    const grouped = lens === '3,2,4' && uniformSeps(run, 0, 2, '- .');
    if (!grouped && lens !== '9') continue;
    if (run.groups.some((g) => g.paren)) continue;
    const d = windowDigits(input.text, run, 0, run.groups.length - 1);
    const span = windowSpan(run, 0, run.groups.length - 1);
    if (ssnValid(d)) {
      const ctx = nearContext(input, span.start, span.end, SSN_CONTEXT);
      const conf = ctx ? 0.95 : grouped ? 0.8 : 0.35;
      push(out, 'US_SSN', span.start, span.end, conf, ['ssn-structure', ...(ctx ? ['context'] : [])]);
    } else if (itinValid(d)) {
      const ctx = nearContext(input, span.start, span.end, ITIN_CONTEXT);
      const conf = ctx ? 0.95 : grouped ? 0.8 : 0.35;
      push(out, 'US_ITIN', span.start, span.end, conf, ['itin-structure', ...(ctx ? ['context'] : [])]);
    }
  }
};

export const recognizeNhs: Recognizer = (input, out) => {
  for (const run of input.runs) {
    if (run.digits !== 10 || run.embedded || run.plus) continue;
    const lens = run.groups.map((g) => g.end - g.start).join(',');
    const grouped = lens === '3,3,4' && uniformSeps(run, 0, 2, ' -');
    if (!grouped && lens !== '10') continue;
    const d = windowDigits(input.text, run, 0, run.groups.length - 1);
    if (!nhsValid(d)) continue;
    const span = windowSpan(run, 0, run.groups.length - 1);
    const ctx = nearContext(input, span.start, span.end, NHS_CONTEXT);
    push(out, 'UK_NHS', span.start, span.end, ctx ? 0.95 : grouped ? 0.5 : 0.4, [
      'mod11',
      ...(ctx ? ['context'] : []),
    ]);
  }
};

const NINO = /(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d](?![A-Za-z0-9])/g;

export const recognizeNino: Recognizer = (input, out) => {
  NINO.lastIndex = 0;
  for (let m = NINO.exec(input.text); m; m = NINO.exec(input.text)) {
    if (!ninoValid(m[0].replace(/ /g, ''))) continue;
    const end = m.index + m[0].length;
    const ctx = nearContext(input, m.index, end, NINO_CONTEXT);
    push(out, 'UK_NINO', m.index, end, ctx ? 0.95 : 0.75, ['nino-structure', ...(ctx ? ['context'] : [])]);
  }
};

/**
 * Identifiers recognisable only by a context word right before them: "passport no. X1234567",
 * "driver's license: D123-4567". The token must contain at least `minDigits` digits.
 */
function contextToken(
  type: string,
  context: RegExp,
  token: RegExp,
  minDigits: number,
  confidence: number,
): Recognizer {
  const probe = probeOf(context);
  const search = searcher(context);
  return (input: PiiInput, out) => {
    if (!probe(input.index)) return;
    for (const m of search(input.lower, input.index.grams)) {
      const from = m.index + m[0].length;
      token.lastIndex = 0;
      const t = token.exec(input.text.slice(from, from + 48));
      if (!t) continue;
      const digits = t[1]!.replace(/\D/g, '').length;
      if (digits < minDigits) continue;
      const start = from + t.index + t[0].length - t[1]!.length;
      push(out, type, start, start + t[1]!.length, confidence, [`context:${m[0].trim().split(/\s+/)[0]}`]);
    }
  };
}

const TOKEN =
  /^[^A-Za-z0-9\n]{0,4}(?:(?:number|num|no|nr|id|#)\b[^A-Za-z0-9\n]{0,4})?(?:is\s+|of\s+)?([A-Z0-9][A-Z0-9-]{4,19}[A-Z0-9])(?![A-Za-z0-9])/i;

export const recognizePassport = contextToken('PASSPORT', /\bpassport\b/g, TOKEN, 5, 0.85);
export const recognizeDriverLicense = contextToken(
  'DRIVER_LICENSE',
  /\b(?:driver'?s?|driving)\s+licen[cs]e\b|\bdl\s?(?=#|no\b|number\b)|\blicen[cs]e\s+(?=#|no\b|number\b)/g,
  TOKEN,
  4,
  0.8,
);
