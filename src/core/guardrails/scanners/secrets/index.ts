/** The secrets scanner: provider formats first, then secrets recognised by their surroundings. */
import { tokenRunOf } from '../../prefilter.js';
import { indexText, probeOf, type TextIndex } from '../../text-index.js';
import type { RawFinding } from '../../types.js';
import { resolveOverlaps } from '../pii/index.js';
import { scanSecretsByContext } from './keyword.js';
import { SECRET_RULES } from './patterns.js';

/**
 * Prefilters of the provider patterns: most texts hold neither their prefixes nor a run of token
 * characters as long as their keys (see prefilter.ts).
 */
const RULE_PROBES = SECRET_RULES.map((r) => probeOf(r.re));
const RULE_RUNS = SECRET_RULES.map((r) => tokenRunOf(r.re));

export const SECRET_TYPES = [
  ...new Set([
    ...SECRET_RULES.map((r) => r.type),
    'SECRET_ASSIGNMENT',
    'CONNECTION_STRING',
    'BASIC_AUTH',
    'AUTH_HEADER',
  ]),
];

export function scanSecrets(text: string, minConfidence = 0.5, index?: TextIndex): RawFinding[] {
  if (text.length === 0) return [];
  const idx = index ?? indexText(text);
  const out: RawFinding[] = [];
  for (let k = 0; k < SECRET_RULES.length; k++) {
    const rule = SECRET_RULES[k]!;
    if (idx.grams.tokenRun < RULE_RUNS[k]! || !RULE_PROBES[k]!(idx)) continue;
    if (rule.anchor !== undefined && text.indexOf(rule.anchor) < 0) continue;
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(text); m; m = rule.re.exec(text)) {
      const secret = rule.group === undefined ? m[0] : m[rule.group];
      if (secret === undefined || (rule.validate && !rule.validate(secret, m))) continue;
      const start = rule.group === undefined ? m.index : m.index + m[0].lastIndexOf(secret);
      out.push({
        type: rule.type,
        start,
        end: start + secret.length,
        confidence: rule.confidence,
        evidence: ['format'],
      });
    }
  }
  scanSecretsByContext(text, out, idx);
  return resolveOverlaps(out.filter((f) => f.confidence >= minConfidence));
}
