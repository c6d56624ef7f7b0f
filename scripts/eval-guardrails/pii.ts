/**
 * PII: presidio-synthetic per entity (with and without checksum gating) and the presidio
 * recognizer test tables.
 */
import { createGuardrails, type Guardrails } from '../../src/core/guardrails/index.js';
import { readJson } from './corpora.js';

export interface PrfRow {
  entity: string;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

const prf = (entity: string, tp: number, fp: number, fn: number): PrfRow => {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  return {
    entity,
    tp,
    fp,
    fn,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
};

/** presidio-synthetic label -> our entity types. */
const SYNTH_MAP: Record<string, string[]> = {
  CREDIT_CARD: ['CREDIT_CARD'],
  IBAN_CODE: ['IBAN'],
  EMAIL_ADDRESS: ['EMAIL'],
  PHONE_NUMBER: ['PHONE'],
  US_SSN: ['US_SSN'],
  IP_ADDRESS: ['IP_ADDRESS'],
  DOMAIN_NAME: ['URL'],
  STREET_ADDRESS: ['STREET_ADDRESS'],
  ZIP_CODE: ['ZIP_CODE'],
  DATE_TIME: ['DATE', 'DATE_OF_BIRTH'],
  US_DRIVER_LICENSE: ['DRIVER_LICENSE'],
};

/** Python code-point offset -> JS UTF-16 offset. */
function cpToU16(text: string, cp: number): number {
  let u = 0;
  let c = 0;
  for (const ch of text) {
    if (c === cp) return u;
    u += ch.length;
    c++;
  }
  return u;
}

function piiGuard(checksums: boolean, entities?: string[], minConfidence = 0.5): Guardrails {
  return createGuardrails({
    pii: { checksums, minConfidence, ...(entities ? { entities } : {}) },
    secrets: { enabled: false },
    injection: { enabled: false },
    normalise: { decode: { onLimit: 'allow' } },
  });
}

/**
 * Span-level scoring: a prediction is a true positive when it overlaps an unmatched gold span of
 * the same entity; every other prediction of a mapped type is a false positive; unmatched gold
 * spans are false negatives. Predictions of types with no presidio label are not scored.
 */
export function evalSynthetic(checksums: boolean): PrfRow[] {
  const data = readJson<
    Array<{
      full_text: string;
      spans: Array<{ entity_type: string; start_position: number; end_position: number }>;
    }>
  >('presidio-synthetic/synth_dataset_v2.json');
  const guard = piiGuard(checksums, [...new Set(Object.values(SYNTH_MAP).flat())]);
  const ours = new Map<string, string>();
  for (const [gold, types] of Object.entries(SYNTH_MAP)) for (const t of types) ours.set(t, gold);
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const c = (e: string): { tp: number; fp: number; fn: number } => {
    let v = counts.get(e);
    if (!v) counts.set(e, (v = { tp: 0, fp: 0, fn: 0 }));
    return v;
  };
  for (const rec of data) {
    const text = rec.full_text;
    const gold = rec.spans
      .filter((s) => SYNTH_MAP[s.entity_type])
      .map((s) => ({
        type: s.entity_type,
        start: cpToU16(text, s.start_position),
        end: cpToU16(text, s.end_position),
      }));
    const used = new Set<number>();
    for (const f of guard.scan([{ part: 'text', text }], 'input').parts[0]!.findings) {
      const type = ours.get(f.type);
      if (!type) continue;
      const i = gold.findIndex(
        (g, k) => !used.has(k) && g.type === type && f.start < g.end && g.start < f.end,
      );
      if (i >= 0) {
        used.add(i);
        c(type).tp++;
      } else c(type).fp++;
    }
    gold.forEach((g, k) => void (used.has(k) || c(g.type).fn++));
  }
  return Object.keys(SYNTH_MAP).map((e) => {
    const v = c(e);
    return prf(e, v.tp, v.fp, v.fn);
  });
}

/** presidio recognizer name -> our entity type. */
const RECOGNIZER_MAP: Record<string, string> = {
  credit_card: 'CREDIT_CARD',
  iban: 'IBAN',
  email: 'EMAIL',
  phone: 'PHONE',
  ip: 'IP_ADDRESS',
  us_ssn: 'US_SSN',
  crypto: 'CRYPTO_WALLET',
  url: 'URL',
  mac: 'MAC_ADDRESS',
  us_itin: 'US_ITIN',
  aba_routing: 'US_BANK_ROUTING',
  uk_nino: 'UK_NINO',
  uk_nhs: 'UK_NHS',
  us_npi: 'US_NPI',
  us_mbi: 'US_MBI',
  us_passport: 'PASSPORT',
  us_driver_license: 'DRIVER_LICENSE',
  date: 'DATE',
};

export interface RecognizerScore {
  recognizer: string;
  rows: number;
  /** Rows where we find exactly the expected spans (count and offsets). */
  exact: number;
  /** Expected spans found / expected spans. */
  recall: number;
  /** Rows expecting nothing where we find nothing / rows expecting nothing. */
  negativesClean: number;
  negatives: number;
}

/** Rows are judged at minConfidence 0.3: presidio expects low-score (context-free) matches too. */
export function evalRecognizers(): RecognizerScore[] {
  const data = readJson<Record<string, { tables: Array<{ rows: Array<Record<string, unknown>> }> }>>(
    'presidio-recognizer-tests/recognizer_cases.json',
  );
  const out: RecognizerScore[] = [];
  for (const [name, type] of Object.entries(RECOGNIZER_MAP)) {
    const guard = piiGuard(true, [type], 0.3);
    const s: RecognizerScore = {
      recognizer: name,
      rows: 0,
      exact: 0,
      recall: 0,
      negativesClean: 0,
      negatives: 0,
    };
    let expected = 0;
    let found = 0;
    for (const table of data[name]?.tables ?? []) {
      for (const row of table.rows) {
        if (row.leniency !== undefined && row.leniency !== 1) continue; // default leniency only
        const text = (row.text ?? row.iban) as string | undefined;
        if (typeof text !== 'string') continue;
        const spans = ((row.expected_positions ?? row.expected_res ?? []) as Array<[number, number]>).map(
          ([a, b]) => ({ start: a, end: b }),
        );
        const got = guard
          .scan([{ part: 't', text }], 'input')
          .parts[0]!.findings.filter(
            (f) => f.type === type || (type === 'DATE' && f.type === 'DATE_OF_BIRTH'),
          );
        s.rows++;
        if (spans.length === 0) {
          s.negatives++;
          if (got.length === 0) s.negativesClean++;
        }
        expected += spans.length;
        found += spans.filter((e) => got.some((g) => g.start === e.start && g.end === e.end)).length;
        if (
          got.length === spans.length &&
          spans.every((e) => got.some((g) => g.start === e.start && g.end === e.end))
        )
          s.exact++;
      }
    }
    s.recall = expected === 0 ? 1 : found / expected;
    out.push(s);
  }
  return out;
}
