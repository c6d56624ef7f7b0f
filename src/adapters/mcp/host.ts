/**
 * What the MCP adapter needs from the gateway, in one narrow interface, and the one place where
 * it is wired to `Gateway`: authentication (gateway.agentAuthenticator), the pipeline, output
 * guardrails, tool scanning (the guardrails' tool-definition scanner), outcome and system events
 * for the ledger.
 */
import type { AgentIdentity, Credential } from '../../core/action.js';
import type { PipelineInput, PipelineResult } from '../../core/pipeline.js';
import type { CompiledPolicySet } from '../../core/policy/types.js';
import type { JsonObject } from '../../core/json.js';
import { scanTool, type ToolScanReport } from '../../core/mcp/tool-scan.js';
import type { GatewayConfig } from '../../app/config-schema.js';
import type { McpConfig } from '../../app/config-mcp.js';
import type { Gateway, OutcomeReport, OutputGuardResult } from '../../app/create-gateway.js';
import type { Logger } from '../../app/logger.js';

/** A ledger event about the MCP gateway itself (not one agent action). */
export interface McpSystemEvent {
  type:
    | 'mcp.tool_held_back'
    | 'mcp.held_tool_called'
    | 'mcp.call_refused'
    | 'mcp.upstream_connected'
    | 'mcp.upstream_failed'
    | 'mcp.upstream_restarting';
  upstream: string;
  detail: JsonObject;
}

export interface McpHost {
  readonly config: GatewayConfig;
  readonly mcp: McpConfig;
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  currentPolicies(): CompiledPolicySet | null;
  run(input: PipelineInput): Promise<PipelineResult>;
  authenticate(credential: Credential): Promise<AgentIdentity | null>;
  guardOutput(parts: Array<{ part: string; text: string }>, session?: string): Promise<OutputGuardResult>;
  recordOutcome(report: OutcomeReport): Promise<void>;
  recordSystemEvent(event: McpSystemEvent): Promise<void>;
  scanTool(definition: unknown): ToolScanReport;
}

/** The ledger's event type for MCP system events (AuditEventType must list it). */
export const MCP_SYSTEM_EVENT_TYPE = 'mcp';

export function hostFromGateway(
  gateway: Gateway,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): McpHost {
  const mcp = gateway.config.mcp;
  if (mcp === undefined) throw new Error('hostFromGateway: the config has no mcp section');
  // Typed loosely: the ledger's event types are a closed list owned by the audit module.
  const recordSystemEvent = gateway.recordSystemEvent.bind(gateway) as (
    type: string,
    details: JsonObject,
    actor?: string,
  ) => Promise<void>;
  return {
    config: gateway.config,
    mcp,
    baseDir,
    env,
    logger: gateway.logger,
    currentPolicies: () => gateway.policies.current(),
    run: (input) => gateway.run(input),
    authenticate: (credential) => gateway.agentAuthenticator.authenticate(credential),
    guardOutput: (parts, session) => gateway.guardOutput(parts, session),
    recordOutcome: (report) => gateway.recordOutcome(report),
    // Never rejects: a system event that cannot be written is logged with all its details.
    recordSystemEvent: async (event) => {
      const details: JsonObject = {
        event: event.type.replace(/^mcp\./, ''),
        upstream: event.upstream,
        ...event.detail,
      };
      try {
        await recordSystemEvent(MCP_SYSTEM_EVENT_TYPE, details, 'mcp-gateway');
      } catch (e) {
        gateway.logger.error(
          { mcp_event: details, err: e instanceof Error ? e.message : String(e) },
          'could not write an mcp system event to the ledger',
        );
      }
    },
    scanTool: (definition) => scanTool(definition, mcp.tool_scan.strength),
  };
}
