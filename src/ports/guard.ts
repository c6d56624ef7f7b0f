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
  /** Arguments with ANONYMIZE actions applied; what is executed and logged. */
  redactedArgs: JsonObject;
  redactedPrompt?: string;
}

/** Input and output guardrails (issue 4 fills this port with the real scanners). */
export interface GuardPort {
  readonly name: string;
  scanInput(action: ActionV1, context: ContextV1 | undefined): Promise<GuardVerdict>;
}
