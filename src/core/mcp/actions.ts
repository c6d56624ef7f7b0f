/**
 * How MCP requests become pipeline actions. Policy authors target these (docs/mcp.md):
 *   tools/call      -> { kind: 'tool_call',          server: <upstream>, tool: '<upstream>.<tool>',   args }
 *   resources/read  -> { kind: 'mcp.resources_read', server: <upstream>, tool: '<upstream>.resources', args: { uri } }
 *   prompts/get     -> { kind: 'mcp.prompts_get',    server: <upstream>, tool: '<upstream>.<prompt>', args }
 */
import type { ActionV1 } from '../action.js';
import type { JsonObject } from '../json.js';
import { qualifyName } from './names.js';

export const TOOL_CALL_KIND = 'tool_call';
export const RESOURCES_READ_KIND = 'mcp.resources_read';
export const PROMPTS_GET_KIND = 'mcp.prompts_get';

export function toolCallAction(upstream: string, tool: string, args: JsonObject): ActionV1 {
  return { kind: TOOL_CALL_KIND, server: upstream, tool: qualifyName(upstream, tool), args };
}

export function resourceReadAction(upstream: string, uri: string): ActionV1 {
  return {
    kind: RESOURCES_READ_KIND,
    server: upstream,
    tool: qualifyName(upstream, 'resources'),
    args: { uri },
  };
}

export function promptGetAction(upstream: string, prompt: string, args: Record<string, string>): ActionV1 {
  return { kind: PROMPTS_GET_KIND, server: upstream, tool: qualifyName(upstream, prompt), args };
}
