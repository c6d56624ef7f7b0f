/**
 * The PII scanner: runs the recognizers for the enabled entity types over one view, drops
 * findings below the confidence floor and resolves overlaps (the more confident finding wins;
 * URLs and street addresses may contain other findings).
 */
import { indexText, type TextIndex } from '../../text-index.js';
import type { RawFinding } from '../../types.js';
import { recognizeAddress } from './address.js';
import { recognizeEmail, recognizePhone, recognizeUrl } from './contact.js';
import { makePiiInput, type Recognizer } from './context.js';
import { recognizeDates } from './dates.js';
import { recognizeAccount, recognizeCards, recognizeIban, recognizeRouting } from './financial.js';
import {
  recognizeCertificate,
  recognizeDeviceId,
  recognizeHealthPlan,
  recognizeImei,
  recognizeLicensePlate,
  recognizeMbi,
  recognizeMrn,
  recognizeNpi,
  recognizeVin,
} from './health.js';
import {
  recognizeDriverLicense,
  recognizeNhs,
  recognizeNino,
  recognizePassport,
  recognizeSsnItin,
} from './national-ids.js';
import { recognizeCryptoWallet, recognizeIpv4, recognizeIpv6, recognizeMac } from './network.js';

/** Entity type -> the recognizers that can produce it. */
const RECOGNIZERS: Record<string, Recognizer[]> = {
  EMAIL: [recognizeEmail],
  PHONE: [recognizePhone],
  CREDIT_CARD: [recognizeCards],
  IBAN: [recognizeIban],
  US_SSN: [recognizeSsnItin],
  US_ITIN: [recognizeSsnItin],
  US_BANK_ROUTING: [recognizeRouting],
  ACCOUNT_NUMBER: [recognizeAccount],
  PASSPORT: [recognizePassport],
  DRIVER_LICENSE: [recognizeDriverLicense],
  UK_NHS: [recognizeNhs],
  UK_NINO: [recognizeNino],
  IP_ADDRESS: [recognizeIpv4, recognizeIpv6],
  MAC_ADDRESS: [recognizeMac],
  URL: [recognizeUrl],
  CRYPTO_WALLET: [recognizeCryptoWallet],
  DATE_OF_BIRTH: [recognizeDates],
  DATE: [recognizeDates],
  STREET_ADDRESS: [recognizeAddress],
  ZIP_CODE: [recognizeAddress],
  MEDICAL_RECORD_NUMBER: [recognizeMrn],
  HEALTH_PLAN_ID: [recognizeHealthPlan],
  US_MBI: [recognizeMbi],
  US_NPI: [recognizeNpi],
  DEVICE_ID: [recognizeDeviceId, recognizeImei],
  VIN: [recognizeVin],
  LICENSE_PLATE: [recognizeLicensePlate],
  LICENSE_NUMBER: [recognizeCertificate],
};

export const PII_ENTITIES = Object.keys(RECOGNIZERS);

/** Entity types that may contain other findings (an IP inside a URL stays a finding of its own). */
const CONTAINERS = new Set(['URL', 'STREET_ADDRESS']);

export interface PiiOptions {
  entities: ReadonlySet<string>;
  minConfidence: number;
  checksums: boolean;
  phoneRegions: readonly string[];
}

/** Is no character of occ[s, e) taken? */
function free(occ: Int32Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (occ[i] !== -1) return false;
  return true;
}

/**
 * Keeps the most confident of overlapping findings; containers keep what lies wholly inside them.
 * Occupancy arrays over the covered range make this linear in the total length of the spans.
 */
export function resolveOverlaps(findings: RawFinding[]): RawFinding[] {
  if (findings.length < 2) return findings;
  // Usually nothing overlaps: then every non-empty finding is kept, in order of start.
  const byStart = findings.filter((f) => f.end > f.start).sort((a, b) => a.start - b.start);
  let disjoint = true;
  for (let i = 1; i < byStart.length && disjoint; i++) disjoint = byStart[i]!.start >= byStart[i - 1]!.end;
  if (disjoint) return byStart;
  const sorted = [...findings].sort(
    (a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  let lo = Infinity;
  let hi = 0;
  for (const f of findings) {
    lo = Math.min(lo, f.start);
    hi = Math.max(hi, f.end);
  }
  const plain = new Int32Array(hi - lo).fill(-1); // index (in `kept`) of the plain finding covering each char
  const box = new Int32Array(hi - lo).fill(-1); // same for containers
  const kept: RawFinding[] = [];
  for (const f of sorted) {
    if (f.end <= f.start) continue;
    if (CONTAINERS.has(f.type)) {
      if (!free(box, f.start - lo, f.end - lo)) continue;
      // A plain finding may sit inside the container, but must not straddle its edges.
      const a = plain[f.start - lo]!;
      const b = plain[f.end - 1 - lo]!;
      if ((a !== -1 && kept[a]!.start < f.start) || (b !== -1 && kept[b]!.end > f.end)) continue;
      box.fill(kept.length, f.start - lo, f.end - lo);
    } else {
      if (!free(plain, f.start - lo, f.end - lo)) continue;
      const a = box[f.start - lo]!;
      const b = box[f.end - 1 - lo]!;
      if (a !== b || (a !== -1 && (kept[a]!.start > f.start || kept[a]!.end < f.end))) continue;
      plain.fill(kept.length, f.start - lo, f.end - lo);
    }
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/**
 * Recognizers run in this order; phone numbers last, so that digit runs already claimed by a
 * validated identifier (card, IBAN, SSN...) are not sent to libphonenumber, the costliest check.
 */
const ORDER: Recognizer[] = [
  ...new Set(
    Object.entries(RECOGNIZERS)
      .filter(([e]) => e !== 'PHONE')
      .flatMap(([, r]) => r),
  ),
  recognizePhone,
];

/** The recognizers an entity set needs, in ORDER; remembered per set (configurations reuse theirs). */
const PLANS = new WeakMap<ReadonlySet<string>, Recognizer[]>();

function planFor(entities: ReadonlySet<string>): Recognizer[] {
  let plan = PLANS.get(entities);
  if (!plan) {
    const wanted = new Set<Recognizer>();
    for (const entity of entities) for (const r of RECOGNIZERS[entity] ?? []) wanted.add(r);
    PLANS.set(entities, (plan = ORDER.filter((r) => wanted.has(r))));
  }
  return plan;
}

export function scanPii(text: string, opts: PiiOptions, index?: TextIndex): RawFinding[] {
  if (text.length === 0) return [];
  const input = makePiiInput(
    text,
    opts.checksums,
    opts.phoneRegions,
    opts.entities,
    index ?? indexText(text),
  );
  const raw: RawFinding[] = [];
  for (const r of planFor(opts.entities)) {
    if (r === recognizePhone)
      input.claimed = raw.filter((f) => f.confidence >= 0.85 && opts.entities.has(f.type));
    r(input, raw);
  }
  return resolveOverlaps(raw.filter((f) => opts.entities.has(f.type) && f.confidence >= opts.minConfidence));
}
