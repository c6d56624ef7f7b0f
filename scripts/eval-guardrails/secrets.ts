/**
 * Secrets: detect-secrets test cases and gitleaks rule examples, in scope (the providers the issue
 * names, and values assigned to secret names) and in all.
 */
import type { RawFinding } from '../../src/core/guardrails/index.js';
import { scanSecrets } from '../../src/core/guardrails/scanners/secrets/index.js';
import { readLines } from './corpora.js';

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

export interface SecretCase {
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
 * Negatives that gitleaks rejects only through an exact-value allowlist: published sample
 * credentials that are well-formed keys, so no format or content check can tell them from live
 * ones. Quoted from the rule sources (gitleaks cmd/generate/config/rules/*.go).
 */
const VALUE_ALLOWLISTED: Record<string, { why: string; values: string[] }> = {
  'gcp-api-key': {
    why: 'gcp.go: example keys from github.com/firebase/firebase-android-sdk',
    values: [
      'AIzaSyabcdefghijklmnopqrstuvwxyz1234567',
      'AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs',
      'AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM',
      'AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU',
      'AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0',
      'AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A',
      'AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c',
      'AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4',
      'AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY',
      'AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM',
      'AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ',
      'AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g',
      'AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU',
      'AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw',
      'AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE',
      'AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY',
    ],
  },
  'nuget-config-password': {
    why: 'nuget.go: samples from learn.microsoft.com/nuget/reference/nuget-config-file',
    values: ['33f!!lloppa', 'hal+9ooo_da!sY'],
  },
  'generic-api-key': {
    why: 'generic.go stop word: the public search-only Algolia key of npm-search (yarnpkg/berry#6201)',
    values: ['6fe4476ee5a1832882e326b506d14126'],
  },
};

/** Why a negative is listed only by value, if it is. */
export function valueAllowlisted(c: { rule: string; text: string; positive: boolean }): string | undefined {
  const entry = c.positive ? undefined : VALUE_ALLOWLISTED[c.rule];
  return entry?.values.some((v) => c.text.includes(v)) ? entry.why : undefined;
}

/**
 * Finding types a rule speaks for. A rule's negative example says "this rule must not fire"; a
 * finding of another provider's self-validating format in it (a JWT inside a malformed Basic
 * header) is not contradicted by that label. Findings by context (assignments, headers, URLs,
 * Kubernetes data) always count: they have no format of their own to stand on.
 */
const FAMILIES: Array<[RegExp, RegExp]> = [
  [/^aws/, /^AWS_/],
  [/^gcp/, /^GCP_/],
  [/^azure/, /^AZURE_/],
  [/^github/, /^GITHUB_/],
  [/^gitlab/, /^GITLAB_/],
  [/^slack/, /^SLACK_/],
  [/^stripe/, /^STRIPE_/],
  [/^openai/, /^OPENAI_/],
  [/^anthropic/, /^ANTHROPIC_/],
  [/^npm/, /^NPM_/],
  [/^jwt/, /^JWT$/],
  [/^private[-_]key/, /^PRIVATE_KEY$/],
  [/^sendgrid/, /^SENDGRID_/],
  [/^twilio/, /^TWILIO_/],
  [/^huggingface/, /^HUGGINGFACE_/],
  [/^discord/, /^DISCORD_/],
  [/^telegram/, /^TELEGRAM_/],
  [/^pypi/, /^PYPI_/],
  [/^mailchimp/, /^MAILCHIMP_/],
  [/^square/, /^SQUARE_/],
  [/^shopify/, /^SHOPIFY_/],
  [/^databricks/, /^DATABRICKS_/],
  [/^(?:hashicorp|vault)/, /^VAULT_|^TERRAFORM_/],
  [/^curl-auth-header/, /^AUTH_HEADER$/],
  [/^curl-auth-user/, /^BASIC_AUTH$/],
  [/^generic-api-key/, /^SECRET_ASSIGNMENT$/],
];
const CONTEXT_TYPES = /^(?:SECRET_ASSIGNMENT|CONNECTION_STRING|BASIC_AUTH|AUTH_HEADER|KUBERNETES_SECRET)$/;

/** Does the scanner's answer flag this row (see FAMILIES for negatives of a provider rule)? */
export function flags(c: SecretCase, findings: readonly RawFinding[]): boolean {
  if (findings.length === 0) return false;
  const family = FAMILIES.find(([rule]) => rule.test(c.rule))?.[1];
  if (c.positive || !family) return true;
  return findings.some((f) => CONTEXT_TYPES.test(f.type) || family.test(f.type));
}

/**
 * Rows that cannot be judged: positives extracted without their secret (a bare file name, an
 * assignment with nothing after it, a prefix alone), negatives whose exact text is a positive
 * elsewhere in the same corpora (a GitHub token listed as a non-GitLab-token, for instance), and
 * negatives that are negatives only by an exact-value allowlist (VALUE_ALLOWLISTED).
 */
export function excludedReason(c: SecretCase, positives: ReadonlySet<string>): string | undefined {
  if (!c.positive) {
    if (positives.has(c.text)) return 'same text is a positive of another rule';
    const listed = valueAllowlisted(c);
    return listed && `allowlisted by exact value (${listed})`;
  }
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
        const hit = flags(c, scanSecrets(c.text));
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
    const hit = flags(c, scanSecrets(c.text));
    if (c.positive !== hit)
      out.push({
        rule: c.rule,
        kind: c.positive ? 'missed' : 'false positive',
        text: c.text.replace(/\s+/g, ' ').slice(0, 90),
      });
  }
  return out;
}

export interface GroupScore {
  group: string;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * detect-secrets keyword cases per group. The groups are languages (config files, Go, C, C++, the
 * languages that quote strings): the same line can be a secret in one and not in another, so the
 * scanner reads the syntax it can see (see keyword.ts) and this table shows where that suffices.
 */
export function keywordGroups(): GroupScore[] {
  const out = new Map<string, GroupScore>();
  for (const c of secretCases()) {
    if (c.source !== 'detect-secrets/keyword_cases') continue;
    const group = c.rule.replace(/^keyword:/, '').replace(/_TEST_CASES$/, '');
    const g = out.get(group) ?? { group, tp: 0, fp: 0, fn: 0, tn: 0 };
    const hit = flags(c, scanSecrets(c.text));
    if (c.positive) g[hit ? 'tp' : 'fn']++;
    else g[hit ? 'fp' : 'tn']++;
    out.set(group, g);
  }
  return [...out.values()];
}

/** How many rows each exclusion reason removed (all sources, all rules). */
export function exclusions(): Array<{ reason: string; rows: number }> {
  const cases = secretCases();
  const positives = new Set(cases.filter((c) => c.positive).map((c) => c.text));
  const counts = new Map<string, number>();
  for (const c of cases) {
    const reason = excludedReason(c, positives);
    if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, rows]) => ({ reason, rows }));
}
