/**
 * Scans an action's prompt and JSON arguments in one pass and writes the anonymised texts back:
 * what the gateway needs to build a GuardVerdict (findings, coverage, blocked, redactedArgs,
 * redactedPrompt).
 */
import type { JsonObject, JsonValue } from '../json.js';
import type { Guardrails, ScanOptions } from './engine.js';
import { applyParts, collectParts } from './json-parts.js';
import type { Direction, ScanResult } from './types.js';

export interface JsonScan {
  result: ScanResult;
  /** Arguments with ANONYMIZE actions applied (a copy; the input is not modified). */
  redactedArgs: JsonObject;
  /** The prompt with ANONYMIZE actions applied, when a prompt was given. */
  redactedPrompt?: string;
}

export function scanJson(
  guardrails: Guardrails,
  input: { prompt?: string | undefined; args: JsonObject | JsonValue },
  direction: Direction,
  opts: ScanOptions & { root?: string } = {},
): JsonScan {
  const root = opts.root ?? 'args';
  const parts = collectParts(input.args, root);
  if (input.prompt !== undefined) parts.unshift({ part: 'prompt', text: input.prompt });
  const result = guardrails.scan(parts, direction, opts);
  const replaced = new Map<string, string>();
  let redactedPrompt: string | undefined;
  for (const p of result.parts) {
    if (p.part === 'prompt' && input.prompt !== undefined) redactedPrompt = p.text;
    else if (p.changed) replaced.set(p.part, p.text);
  }
  const redactedArgs = applyParts(input.args, root, replaced) as JsonObject;
  return { result, redactedArgs, ...(redactedPrompt !== undefined ? { redactedPrompt } : {}) };
}
