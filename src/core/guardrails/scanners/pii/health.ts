/**
 * HIPAA Safe Harbor identifiers that pattern and context find: medical record numbers, health
 * plan / member numbers, Medicare MBIs, provider NPIs, device identifiers (IMEI, serial numbers),
 * vehicle identifiers (VIN, plates) and certificate/licence numbers.
 */
import { matchesAt, probeOf, searcher } from '../../text-index.js';
import { imeiValid, mbiValid, npiValid, vinCheckDigitValid } from '../../validators.js';
import {
  boundaryBefore,
  matchesWithBoundary,
  nearContext,
  push,
  type PiiInput,
  type Recognizer,
} from './context.js';
import { uniformSeps } from './financial.js';
import { windowDigits, windowSpan } from './number-runs.js';

const ID_TOKEN =
  /^[^A-Za-z0-9\n]{0,4}(?:(?:number|num|no|nr|id|#)\b[^A-Za-z0-9\n]{0,4})?(?:is\s+)?([A-Z0-9][A-Z0-9-]{3,19}[A-Z0-9])(?![A-Za-z0-9])/i;

/** A recognizer for a token after a context word (skipped when the text cannot hold the word). */
function afterContext(type: string, context: RegExp, minDigits: number, confidence: number): Recognizer {
  const probe = probeOf(context);
  const search = searcher(context);
  return (input: PiiInput, out) => {
    if (!probe(input.index)) return;
    for (const m of search(input.lower, input.index.grams)) {
      const from = m.index + m[0].length;
      const t = ID_TOKEN.exec(input.text.slice(from, from + 48));
      if (!t) continue;
      if (t[1]!.replace(/\D/g, '').length < minDigits) continue;
      const start = from + t[0].length - t[1]!.length;
      push(out, type, start, start + t[1]!.length, confidence, [`context:${m[0].trim()}`]);
    }
  };
}

export const recognizeMrn = afterContext(
  'MEDICAL_RECORD_NUMBER',
  /\b(?:mrn|medical record(?: number| no\.?| #)?|patient (?:id|number|no\.?)|chart (?:number|no\.?|#)|hospital (?:number|no\.?))/g,
  4,
  0.85,
);

export const recognizeHealthPlan = afterContext(
  'HEALTH_PLAN_ID',
  /\b(?:health ?plan(?: beneficiary)?(?: id| number| no\.?)?|member (?:id|number|no\.?)|subscriber (?:id|number)|policy (?:number|no\.?|#)|insurance (?:id|number|no\.?)|medicaid(?: id| number| no\.?)?|group (?:number|no\.?)|beneficiary (?:id|number))/g,
  4,
  0.8,
);

export const recognizeDeviceId = afterContext(
  'DEVICE_ID',
  /\b(?:serial (?:number|no\.?|#)|s\/n|device (?:id|serial)|udid|imei(?: number)?|meid)/g,
  4,
  0.8,
);

export const recognizeLicensePlate = afterContext(
  'LICENSE_PLATE',
  /\b(?:licen[cs]e plate|number plate|plate (?:number|no\.?)|registration (?:number|plate|no\.?)|reg\.? (?:no\.?|number))/g,
  1,
  0.8,
);

export const recognizeCertificate = afterContext(
  'LICENSE_NUMBER',
  /\b(?:certificate (?:number|no\.?|#)|licen[cs]e (?:number|no\.?|#)|dea (?:number|no\.?|#)|professional licen[cs]e)/g,
  3,
  0.75,
);

const MBI = /[1-9][A-Za-z][A-Za-z0-9]\d-?[A-Za-z][A-Za-z0-9]\d-?[A-Za-z]{2}\d{2}(?![A-Za-z0-9])/g;
const MBI_AT = new RegExp(MBI.source, 'y');
const MBI_CONTEXT = /\b(?:medicare|mbi|beneficiary)\b/;

const isLetterCode = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * An MBI starts at a digit 1-9 after no word character (or after '_'), with a letter next. Such a
 * digit follows a non-digit, so it is one of the index's number starts: only those are tried.
 */
function mbiStarts(text: string, numberStarts: readonly number[]): number[] {
  const out: number[] = [];
  for (const p of numberStarts) {
    const c = text.charCodeAt(p);
    if (c < 49 || c > 57 || !isLetterCode(text.charCodeAt(p + 1))) continue;
    if (boundaryBefore(text, p, '') || text.charCodeAt(p - 1) === 95) out.push(p);
  }
  return out;
}

export const recognizeMbi: Recognizer = (input, out) => {
  const text = input.text;
  for (const m of matchesAt(MBI_AT, text, mbiStarts(text, input.index.grams.numberStarts))) {
    const compact = m[0].replace(/-/g, '');
    const dashes = m[0].length - compact.length;
    if (dashes === 1 || !mbiValid(compact)) continue;
    const end = m.index + m[0].length;
    const ctx = nearContext(input, m.index, end, MBI_CONTEXT);
    push(out, 'US_MBI', m.index, end, ctx ? 0.95 : dashes ? 0.7 : 0.45, [
      'mbi-structure',
      ...(ctx ? ['context'] : []),
    ]);
  }
};

const NPI_CONTEXT = /\b(?:npi|provider|prescriber|physician)\b/;

export const recognizeNpi: Recognizer = (input, out) => {
  for (const run of input.runs) {
    if (run.digits !== 10 || run.embedded || run.plus) continue;
    const lens = run.groups.map((g) => g.end - g.start).join(',');
    if (lens !== '10' && !(lens === '4,3,3' && uniformSeps(run, 0, 2, ' -'))) continue;
    const d = windowDigits(input.text, run, 0, run.groups.length - 1);
    if (!npiValid(d)) continue;
    const span = windowSpan(run, 0, run.groups.length - 1);
    const ctx = nearContext(input, span.start, span.end, NPI_CONTEXT);
    push(out, 'US_NPI', span.start, span.end, ctx ? 0.9 : 0.45, ['npi-luhn', ...(ctx ? ['context'] : [])]);
  }
};

const IMEI_CONTEXT = /\bimei\b/;

export const recognizeImei: Recognizer = (input, out) => {
  for (const run of input.runs) {
    if (run.digits !== 15 || run.embedded || run.plus || run.groups.length > 4) continue;
    const d = windowDigits(input.text, run, 0, run.groups.length - 1);
    if (d.length !== 15 || !imeiValid(d)) continue;
    const span = windowSpan(run, 0, run.groups.length - 1);
    if (!nearContext(input, span.start, span.end, IMEI_CONTEXT)) continue;
    push(out, 'DEVICE_ID', span.start, span.end, 0.9, ['luhn', 'context:imei']);
  }
};

const VIN = /[A-HJ-NPR-Z0-9]{17}(?![A-Za-z0-9])/g;
const VIN_CONTEXT = /\b(?:vin|vehicle|chassis)\b/;

export const recognizeVin: Recognizer = (input, out) => {
  const text = input.text;
  if (input.index.grams.alnumRun < 17) return;
  for (const m of matchesWithBoundary(VIN, text, (i) => boundaryBefore(text, i, '') || text[i - 1] === '_')) {
    const v = m[0];
    if (!/\d/.test(v) || !/[A-Z]/.test(v)) continue;
    const end = m.index + 17;
    const check = vinCheckDigitValid(v);
    const ctx = nearContext(input, m.index, end, VIN_CONTEXT);
    if (!check && !ctx) continue;
    push(out, 'VIN', m.index, end, check ? (ctx ? 0.95 : 0.7) : 0.75, [
      check ? 'vin-check-digit' : 'format',
      ...(ctx ? ['context'] : []),
    ]);
  }
};
