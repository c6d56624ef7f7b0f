/**
 * The catalog of one upstream's tools as the gateway offers them: qualified name, definition
 * hash, pin status, poisoning scan, and whether the tool is held back (and how). Pure: the
 * adapter lists the tools, this decides what becomes of each.
 */
import { qualifiedNameProblem, qualifyName } from './names.js';
import {
  hashToolDefinition,
  pinStatus,
  type DefinitionHash,
  type PinStatus,
  type PinsFileV1,
} from './pins.js';
import type { ToolScanReport } from './tool-scan.js';

/** `hide`: not listed, calls denied. `deny`: listed with a neutral notice, calls denied. */
export type HoldMode = 'hide' | 'deny';

export interface HoldPolicy {
  /** A pinned upstream's tool whose definition changed, or that appeared after pinning. */
  onChanged: HoldMode;
  /** Tools of an upstream that has no pins at all. */
  onUnpinned: HoldMode | 'allow';
  /** Tools the poisoning scan flagged (unless their exact definition is pinned). */
  onSuspicious: HoldMode | 'allow';
}

export interface Hold {
  mode: HoldMode;
  code: 'mcp_tool_definition_changed' | 'mcp_tool_suspicious' | 'mcp_tool_name_invalid';
  reason: string;
}

/** A tool as an upstream describes it; only `name` is required by the protocol's shape. */
export interface UpstreamTool {
  name: string;
  [key: string]: unknown;
}

export interface CatalogTool {
  upstream: string;
  name: string;
  qualified: string;
  definition: UpstreamTool;
  hash: DefinitionHash;
  pin: PinStatus;
  scan: ToolScanReport;
  hold: Hold | null;
}

export function holdFor(
  pin: PinStatus,
  scan: ToolScanReport,
  nameProblem: string | null,
  policy: HoldPolicy,
): Hold | null {
  if (nameProblem !== null)
    return { mode: 'hide', code: 'mcp_tool_name_invalid', reason: `tool name ${nameProblem}` };
  if (pin === 'changed' || pin === 'new') {
    const what =
      pin === 'changed'
        ? 'its definition changed since it was pinned'
        : 'it appeared after the upstream was pinned';
    return {
      mode: policy.onChanged,
      code: 'mcp_tool_definition_changed',
      reason: `${what}; run \`portcullis mcp pin\` after review`,
    };
  }
  // A pinned definition was reviewed by a person (`portcullis mcp pin` shows the scan's findings):
  // that review overrides the heuristic. Unreviewed definitions are held when they look poisoned.
  if (scan.suspicious && pin !== 'pinned' && policy.onSuspicious !== 'allow') {
    const names = [...new Set(scan.signals.map((s) => s.name))].join(', ');
    return {
      mode: policy.onSuspicious,
      code: 'mcp_tool_suspicious',
      reason: `its definition looks poisoned (${names})`,
    };
  }
  if (pin === 'unpinned' && policy.onUnpinned !== 'allow') {
    return {
      mode: policy.onUnpinned,
      code: 'mcp_tool_definition_changed',
      reason: 'its upstream has no pins; run `portcullis mcp pin`',
    };
  }
  return null;
}

export function buildCatalog(
  upstream: string,
  tools: readonly UpstreamTool[],
  pins: PinsFileV1,
  policy: HoldPolicy,
  scan: (definition: UpstreamTool) => ToolScanReport,
): CatalogTool[] {
  const seen = new Set<string>();
  const out: CatalogTool[] = [];
  for (const definition of tools) {
    if (seen.has(definition.name)) continue; // a duplicate name from the upstream: first one wins
    seen.add(definition.name);
    const qualified = qualifyName(upstream, definition.name);
    const hash = hashToolDefinition(definition);
    const pin = pinStatus(pins, upstream, definition.name, hash);
    const report = scan(definition);
    out.push({
      upstream,
      name: definition.name,
      qualified,
      definition,
      hash,
      pin,
      scan: report,
      hold: holdFor(pin, report, qualifiedNameProblem(qualified), policy),
    });
  }
  return out;
}

/** What a listing shows for a tool held back in `deny` mode: nothing of the suspect definition. */
export function heldBackListing(tool: CatalogTool): {
  name: string;
  description: string;
  inputSchema: { type: 'object' };
} {
  return {
    name: tool.qualified,
    description: `Held back by Portcullis: ${tool.hold?.reason ?? 'not available'}. Calls are refused.`,
    inputSchema: { type: 'object' },
  };
}
