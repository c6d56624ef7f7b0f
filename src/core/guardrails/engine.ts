/**
 * The guardrails engine: `createGuardrails(config, deps)` validates and compiles a configuration
 * once; `scan(parts, direction)` runs the scanners over every part, applies the configured actions
 * (BLOCK / ANONYMIZE / NONE per detector and direction) and returns findings for policy, coverage
 * and the anonymised text. Pure: time comes from `deps.now`, keys from `deps.hmacKey`.
 */
import { GatewayError } from '../errors.js';
import {
  guardrailsConfigSchema,
  INJECTION_THRESHOLDS,
  type AnonymizeConfig,
  type GuardrailsConfig,
  type GuardrailsConfigInput,
} from './config.js';
import type { Encoding } from './decode.js';
import { compileDetectors, type CompiledDetectors } from './detectors.js';
import type { PrepareOptions } from './prepare.js';
import { applyRedactions, newRedactionContext, type Redaction } from './redact.js';
import { scanPart, type Clock } from './scan-part.js';
import type { InjectionContext } from './scanners/injection/index.js';
import { createTokenizer, type TokenVault, type Tokenizer } from './tokenize.js';
import type {
  Action,
  Direction,
  Finding,
  PartResult,
  PolicyFindings,
  ScanCoverage,
  ScanPart,
  ScanResult,
} from './types.js';

export interface GuardrailsDeps {
  /** Key for keyed hashes and reversible tokens (from the key store); at least 16 bytes. */
  hmacKey?: Uint8Array | undefined;
  /** Milliseconds (monotonic preferred) for deadlines and scanner budgets; without it none apply. */
  now?: (() => number) | undefined;
  /** Default vault for tokenize mode (a scan may pass its own). */
  vault?: TokenVault | undefined;
}

export interface ScanOptions {
  /** Session for tokenisation: same value -> same token within it. */
  session?: string;
  /** Budget for this whole scan in ms from its start (needs deps.now). */
  deadlineMs?: number;
  vault?: TokenVault;
  /** How injection is judged: 'prompt' (default for input) or 'data' (default for output: tool results). */
  injectionContext?: InjectionContext;
}

export interface Guardrails {
  readonly config: GuardrailsConfig;
  /** Score at or above which a text counts as an injection, from config.injection.strength. */
  readonly injectionThreshold: number;
  scan(parts: ReadonlyArray<ScanPart>, direction: Direction, opts?: ScanOptions): ScanResult;
  /** Restores tokens of `session` in `text` (for an authorised reader). */
  detokenize(text: string, session: string, vault?: TokenVault): string;
}

function parseConfig(input: GuardrailsConfigInput | GuardrailsConfig): GuardrailsConfig {
  const r = guardrailsConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  const path = ['guardrails', ...first.path.map(String)].join('.');
  throw new GatewayError('guardrail_config_invalid', `${path}: ${first.message}`, {
    location: { path },
    extra: {
      issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    },
  });
}

function anonymizeModes(config: GuardrailsConfig): AnonymizeConfig[] {
  return [
    config.pii.anonymize,
    ...Object.values(config.pii.entityOverrides).flatMap((o) => (o?.anonymize ? [o.anonymize] : [])),
    config.secrets.anonymize,
    ...config.words.map((w) => w.anonymize),
    ...config.custom.map((c) => c.anonymize),
  ];
}

export function createGuardrails(
  input: GuardrailsConfigInput | GuardrailsConfig,
  deps: GuardrailsDeps = {},
): Guardrails {
  const config = parseConfig(input);
  const needsKey = anonymizeModes(config).some((a) => a.mode === 'hash' || a.mode === 'tokenize');
  if (needsKey && (!deps.hmacKey || deps.hmacKey.length < 16)) {
    throw new GatewayError(
      'guardrail_config_invalid',
      'anonymize mode "hash" or "tokenize" needs a key of at least 16 bytes (deps.hmacKey)',
    );
  }
  const tokenizer: Tokenizer | undefined =
    deps.hmacKey && deps.hmacKey.length >= 16 ? createTokenizer(deps.hmacKey) : undefined;
  const detectors: CompiledDetectors = compileDetectors(config);
  const n = config.normalise;
  const prepOpts: PrepareOptions = {
    nfkc: n.nfkc,
    confusables: n.confusables,
    stripInvisible: n.stripInvisible,
    foldDiacritics: n.foldDiacritics,
    encodings: new Set<Encoding>(n.decode.encodings),
    maxDepth: n.decode.maxDepth,
    maxDecodedChars: n.decode.maxDecodedChars,
  };
  const threshold = INJECTION_THRESHOLDS[config.injection.strength];

  const actionFor = (
    f: { detector: string; type: string },
    direction: Direction,
    listIndex: number,
  ): { action: Action; anonymize: AnonymizeConfig } => {
    switch (f.detector) {
      case 'pii': {
        const o = config.pii.entityOverrides[f.type];
        return {
          action: (o?.action ?? config.pii.action)[direction],
          anonymize: o?.anonymize ?? config.pii.anonymize,
        };
      }
      case 'secrets':
        return { action: config.secrets.action[direction], anonymize: config.secrets.anonymize };
      case 'topics':
        return { action: config.topics[listIndex]!.action[direction], anonymize: config.pii.anonymize };
      case 'words':
        return {
          action: config.words[listIndex]!.action[direction],
          anonymize: config.words[listIndex]!.anonymize,
        };
      default:
        return {
          action: config.custom[listIndex]!.action[direction],
          anonymize: config.custom[listIndex]!.anonymize,
        };
    }
  };
  const listIndex = (detector: string, type: string): number =>
    detector === 'topics'
      ? config.topics.findIndex((t) => t.name === type)
      : detector === 'words'
        ? config.words.findIndex((w) => w.name === type)
        : detector === 'custom'
          ? config.custom.findIndex((c) => c.name === type)
          : -1;

  function scan(parts: ReadonlyArray<ScanPart>, direction: Direction, opts: ScanOptions = {}): ScanResult {
    const coverage: ScanCoverage[] = [];
    const policy: PolicyFindings = {
      pii: [],
      secrets: [],
      injection: { score: 0, strength_threshold: threshold, detected: false, signals: [] },
      topics: [],
      words: [],
      custom: [],
    };
    const blockReasons: string[] = [];
    const results: PartResult[] = [];
    if (!config.enabled) {
      for (const p of parts)
        coverage.push({
          scanner: 'guardrails',
          part: p.part,
          status: 'skipped',
          reason: 'guardrails disabled by configuration',
        });
      return {
        direction,
        parts: parts.map((p) => ({ part: p.part, findings: [], text: p.text, changed: false })),
        findings: policy,
        coverage,
        action: 'NONE',
        blocked: false,
        blockReasons,
        failed: false,
      };
    }
    const clock: Clock | undefined = deps.now
      ? { now: deps.now, deadline: opts.deadlineMs === undefined ? Infinity : deps.now() + opts.deadlineMs }
      : undefined;
    const context = opts.injectionContext ?? (direction === 'output' ? 'data' : 'prompt');
    const redaction = newRedactionContext(tokenizer, opts.vault ?? deps.vault, opts.session ?? '');

    for (const { part, text } of parts) {
      const scanned = scanPart(part, text, config, detectors, prepOpts, context, clock);
      coverage.push(...scanned.coverage);
      const redactions: Redaction[] = [];
      const findings: Finding[] = [];
      for (const f of scanned.findings) {
        const idx = listIndex(f.detector, f.type);
        const { action, anonymize } = actionFor(f, direction, idx);
        // Built field by field (not spread): same keys in the same order, a fraction of the cost.
        const finding: Finding = f.via
          ? {
              type: f.type,
              start: f.start,
              end: f.end,
              confidence: f.confidence,
              evidence: f.evidence,
              detector: f.detector,
              via: f.via,
              part,
              action,
            }
          : {
              type: f.type,
              start: f.start,
              end: f.end,
              confidence: f.confidence,
              evidence: f.evidence,
              detector: f.detector,
              part,
              action,
            };
        if (tokenizer) finding.valueHash = tokenizer.hash(text.slice(f.start, f.end)).slice(0, 32);
        findings.push(finding);
        if (action === 'BLOCK') blockReasons.push(`${f.detector}:${f.type} in ${part}`);
        else if (action === 'ANONYMIZE')
          redactions.push({ start: f.start, end: f.end, type: f.type, confidence: f.confidence, anonymize });
        addPolicyFinding(policy, finding);
      }
      if (scanned.injection) {
        const inj = scanned.injection;
        if (inj.score > policy.injection.score) policy.injection.score = inj.score;
        const seen = new Set<string>();
        for (const h of inj.hits) {
          if (seen.has(h.name)) continue;
          seen.add(h.name);
          policy.injection.signals.push({ name: h.name, part, weight: h.weight });
        }
        if (inj.score >= threshold) {
          const action = config.injection.action[direction];
          const top = [...inj.hits].sort((a, b) => b.weight - a.weight)[0];
          findings.push({
            type: 'PROMPT_INJECTION',
            detector: 'injection',
            part,
            start: top?.origStart ?? 0,
            end: top?.origEnd ?? text.length,
            confidence: inj.score,
            evidence: [...seen],
            action,
          });
          if (action === 'BLOCK')
            blockReasons.push(`injection:score ${inj.score} >= ${threshold} in ${part}`);
        }
      }
      let out = text;
      try {
        out = applyRedactions(text, redactions, redaction);
      } catch (e) {
        coverage.push({ scanner: 'redact', part, status: 'failed', reason: (e as Error).message });
      }
      results.push({ part, findings, text: out, changed: out !== text });
    }
    policy.injection.detected = policy.injection.score >= threshold;
    const blocked = blockReasons.length > 0;
    const failed = coverage.some((c) => c.status === 'failed');
    return {
      direction,
      parts: results,
      findings: policy,
      coverage,
      action: blocked || results.some((r) => r.changed) ? 'INTERVENED' : 'NONE',
      blocked,
      blockReasons,
      failed,
    };
  }

  return {
    config,
    injectionThreshold: threshold,
    scan,
    detokenize(text, session, vault) {
      const v = vault ?? deps.vault;
      if (!tokenizer || !v)
        throw new GatewayError('guardrail_config_invalid', 'detokenize needs deps.hmacKey and a vault');
      return tokenizer.detokenize(text, session, v);
    },
  };
}

function addPolicyFinding(policy: PolicyFindings, f: Finding): void {
  switch (f.detector) {
    case 'pii':
      policy.pii.push({ type: f.type, part: f.part, start: f.start, end: f.end, confidence: f.confidence });
      break;
    case 'secrets':
      policy.secrets.push({
        type: f.type,
        part: f.part,
        start: f.start,
        end: f.end,
        confidence: f.confidence,
      });
      break;
    case 'topics':
      policy.topics.push({ name: f.type, part: f.part, score: f.confidence });
      break;
    case 'words':
      policy.words.push({ list: f.type, part: f.part, start: f.start, end: f.end });
      break;
    case 'custom':
      policy.custom.push({ name: f.type, part: f.part, start: f.start, end: f.end });
      break;
    case 'injection':
      break;
  }
}
