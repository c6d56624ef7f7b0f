/**
 * Tool-poisoning scan of tool definitions when an upstream connects.
 *
 * WIRING POINT for the guardrails: when src/core/guardrails/index.ts exports
 * `scanToolDescription`, make `scanToolDefinitionWithGuardrails` call it (and keep the built-in
 * check as a second opinion, or drop it). Until then the built-in check in
 * src/core/mcp/tool-poisoning.ts is used alone.
 */
import { scanToolDefinition, type ToolScanReport } from '../../core/mcp/tool-poisoning.js';

export function scanToolDefinitionWithGuardrails(definition: unknown): ToolScanReport {
  return scanToolDefinition(definition);
}
