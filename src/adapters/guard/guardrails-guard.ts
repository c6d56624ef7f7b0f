/**
 * The GuardPort over the guardrails engine (src/core/guardrails): scans an action's prompt and
 * every string in its arguments on the way in, and tool results or model answers on the way
 * out. Two redacted copies come out of an input scan: what is executed (the configured
 * ANONYMIZE actions) and what the ledger keeps (every PII and secret finding masked, whatever
 * the action), so raw values never reach the ledger.
 */
import type { ActionV1 } from '../../core/action.js';
import {
  applyParts,
  collectParts,
  scanJson,
  type Guardrails,
  type TokenVault,
} from '../../core/guardrails/index.js';
import type { Finding, PartResult, ScanResult } from '../../core/guardrails/types.js';
import type { JsonObject } from '../../core/json.js';
import type { GuardPort, GuardVerdict } from '../../ports/guard.js';

export interface GuardrailsGuardOptions {
  guardrails: Guardrails;
  vault: TokenVault;
  /** Budget for one whole scan, in ms. */
  deadlineMs: number;
}

/** Findings whose values must never be stored: PII and secrets (topics, words, custom are labels). */
const SENSITIVE = new Set<Finding['detector']>(['pii', 'secrets']);

/** Replaces every sensitive finding's span by `[TYPE]`, right to left so offsets stay valid. */
export function maskFindings(text: string, findings: readonly Finding[]): string {
  const spans = findings
    .filter((f) => SENSITIVE.has(f.detector) && f.end > f.start)
    .sort((a, b) => b.start - a.start);
  let out = text;
  let floor = Number.POSITIVE_INFINITY;
  for (const f of spans) {
    const end = Math.min(f.end, floor);
    if (end <= f.start) continue;
    out = `${out.slice(0, f.start)}[${f.type}]${out.slice(end)}`;
    floor = f.start;
  }
  return out;
}

function auditCopies(
  action: ActionV1,
  scanned: readonly PartResult[],
): { args: JsonObject; prompt?: string } {
  const originals = new Map(collectParts(action.args, 'args').map((p) => [p.part, p.text]));
  const replaced = new Map<string, string>();
  let prompt: string | undefined;
  for (const p of scanned) {
    if (p.findings.length === 0) continue;
    if (p.part === 'prompt' && action.prompt !== undefined) prompt = maskFindings(action.prompt, p.findings);
    else {
      const original = originals.get(p.part);
      if (original !== undefined) replaced.set(p.part, maskFindings(original, p.findings));
    }
  }
  const args = applyParts(action.args, 'args', replaced);
  return prompt === undefined ? { args } : { args, prompt };
}

/** Why a scan blocked or failed: its block reasons, else each failed scanner with its reason. */
export function reasonsOf(result: ScanResult): string[] {
  if (result.blockReasons.length > 0) return result.blockReasons;
  return result.coverage
    .filter((c) => c.status === 'failed')
    .map((c) => `scanner ${c.scanner} failed on ${c.part}: ${c.reason ?? 'error'}`);
}

export class GuardrailsGuard implements GuardPort {
  readonly name = 'guardrails';
  constructor(private readonly options: GuardrailsGuardOptions) {}

  scanInput(action: ActionV1, _context: unknown, session: string): Promise<GuardVerdict> {
    const { guardrails, vault, deadlineMs } = this.options;
    const scan = scanJson(guardrails, { prompt: action.prompt, args: action.args }, 'input', {
      session,
      vault,
      deadlineMs,
    });
    const audit = auditCopies(action, scan.result.parts);
    const verdict: GuardVerdict = {
      findings: scan.result.findings as unknown as JsonObject,
      coverage: scan.result.coverage,
      blocked: scan.result.blocked,
      blockReasons: reasonsOf(scan.result),
      failed: scan.result.failed,
      redactedArgs: scan.redactedArgs,
      auditArgs: audit.args,
    };
    if (scan.redactedPrompt !== undefined) verdict.redactedPrompt = scan.redactedPrompt;
    if (audit.prompt !== undefined) verdict.auditPrompt = audit.prompt;
    return Promise.resolve(verdict);
  }

  /** Output direction: tool results and model answers, judged as data (indirect injection). */
  scanOutput(parts: Array<{ part: string; text: string }>, session: string): ScanResult {
    const { guardrails, vault, deadlineMs } = this.options;
    return guardrails.scan(parts, 'output', { session, vault, deadlineMs, injectionContext: 'data' });
  }
}
