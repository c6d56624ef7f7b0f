import type { ActionV1, ContextV1 } from '../core/action.js';
import type { JsonObject } from '../core/json.js';

/** Which scanner looked at which part of the input, or why it did not. */
export interface ScanCoverage {
  scanner: string;
  part: string;
  status: 'ran' | 'skipped' | 'failed';
  reason?: string;
}

export interface GuardVerdict {
  /** Facts for policy as `findings`: types, spans, scores. Never raw values. */
  findings: JsonObject;
  coverage: ScanCoverage[];
  /** A BLOCK action fired: the pipeline denies regardless of policy. */
  blocked: boolean;
  blockReasons: string[];
  /** A scanner threw or ran out of time: the pipeline denies (never a silent pass). */
  failed: boolean;
  /** Arguments with ANONYMIZE actions applied: what is executed. */
  redactedArgs: JsonObject;
  redactedPrompt?: string;
  /** Arguments with every PII and secret finding masked, whatever the action: what the ledger keeps. */
  auditArgs: JsonObject;
  auditPrompt?: string;
}

/** Input guardrails (src/adapters/guard/guardrails-guard.ts fills this port with the real scanners). */
export interface GuardPort {
  readonly name: string;
  scanInput(action: ActionV1, context: ContextV1 | undefined, session: string): Promise<GuardVerdict>;
}
