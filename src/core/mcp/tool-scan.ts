/**
 * Tool poisoning: every tool (and prompt) definition is scanned when an upstream connects or
 * announces a new list, with the guardrails' tool-definition scanner — the injection detector in
 * the 'data' context plus signals specific to poisoned tools (hidden-instruction tags, reads of
 * local secrets, instructions about other tools, invisible tag characters) over every string of
 * the definition, since descriptions, property descriptions, defaults and enums all reach the model.
 */
import { scanToolDefinition } from '../guardrails/index.js';

export interface ToolScanSignal {
  name: string;
  /** JSON path of the string in the definition, e.g. `inputSchema.properties.path.description`. */
  path: string;
}

export interface ToolScanReport {
  suspicious: boolean;
  signals: ToolScanSignal[];
}

export type ScanStrength = 'LOW' | 'MEDIUM' | 'HIGH';

/** LOW flags only strong evidence; HIGH flags weaker evidence too (more false positives). */
export function scanTool(definition: unknown, strength: ScanStrength = 'MEDIUM'): ToolScanReport {
  const r = scanToolDefinition(definition, { strength });
  return { suspicious: r.detected, signals: r.signals.map(({ name, path }) => ({ name, path })) };
}
