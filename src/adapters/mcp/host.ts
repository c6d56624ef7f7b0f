/**
 * What the MCP adapter needs from the gateway, in one narrow interface, and the one place where
 * it is wired to `Gateway`. Three hooks may not exist on Gateway yet; each has a stand-in here,
 * clearly marked, that the composition root replaces by implementing the method on Gateway:
 *   - gateway.authenticate(credential)      -> AgentIdentity | null  (stand-in: API keys from config)
 *   - gateway.recordSystemEvent(event)      -> ledger event not tied to a decision (stand-in: log)
 *   - scanToolDescription (guardrails)      -> see tool-scan.ts
 */
import type { AgentIdentity, Credential } from '../../core/action.js';
import type { PipelineInput, PipelineResult } from '../../core/pipeline.js';
import type { CompiledPolicySet } from '../../core/policy/types.js';
import type { JsonObject } from '../../core/json.js';
import type { ToolScanReport } from '../../core/mcp/tool-poisoning.js';
import { ApiKeyAuthenticator, hashApiKey } from '../identity/api-key-authenticator.js';
import { readSecret } from '../../app/config-loader.js';
import type { GatewayConfig } from '../../app/config-schema.js';
import type { McpConfig } from '../../app/config-mcp.js';
import type { Gateway, OutcomeReport, OutputGuardResult } from '../../app/create-gateway.js';
import type { Logger } from '../../app/logger.js';
import { scanToolDefinitionWithGuardrails } from './tool-scan.js';

/** A ledger event about the MCP gateway itself (not one agent action). */
export interface McpSystemEvent {
  type:
    | 'mcp.tool_held_back'
    | 'mcp.held_tool_called'
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

type MaybeHooks = {
  authenticate?: (credential: Credential) => Promise<AgentIdentity | null>;
  recordSystemEvent?: (event: McpSystemEvent) => Promise<void>;
};

/** STAND-IN until Gateway exposes authenticate(): the same API-key rules, built from config. */
function configAuthenticator(
  config: GatewayConfig,
  baseDir: string,
  env: NodeJS.ProcessEnv,
): ApiKeyAuthenticator {
  return new ApiKeyAuthenticator(
    config.agents.map((a) => ({
      identity: {
        id: a.id,
        roles: a.roles,
        permissions: a.permissions,
        attributes: a.attributes,
        ...(a.version === undefined ? {} : { version: a.version }),
      },
      keyHash:
        a.api_key_sha256 !== undefined
          ? Buffer.from(a.api_key_sha256, 'hex')
          : hashApiKey(readSecret(a.api_key!, baseDir, env)),
      disabled: a.disabled,
    })),
  );
}

export function hostFromGateway(
  gateway: Gateway,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): McpHost {
  const mcp = gateway.config.mcp;
  if (mcp === undefined) throw new Error('hostFromGateway: the config has no mcp section');
  const hooks = gateway as unknown as MaybeHooks;
  let fallbackAuth: ApiKeyAuthenticator | null = null;
  return {
    config: gateway.config,
    mcp,
    baseDir,
    env,
    logger: gateway.logger,
    currentPolicies: () => gateway.policies.current(),
    run: (input) => gateway.run(input),
    authenticate:
      hooks.authenticate !== undefined
        ? hooks.authenticate.bind(gateway)
        : (c) => (fallbackAuth ??= configAuthenticator(gateway.config, baseDir, env)).authenticate(c),
    guardOutput: (parts, session) => gateway.guardOutput(parts, session),
    recordOutcome: (report) => gateway.recordOutcome(report),
    recordSystemEvent: (event) => {
      if (hooks.recordSystemEvent !== undefined) return hooks.recordSystemEvent.call(gateway, event);
      // STAND-IN until Gateway exposes recordSystemEvent(): a warning in the log, not the ledger.
      gateway.logger.warn(
        { event: event.type, upstream: event.upstream, detail: event.detail },
        'mcp system event',
      );
      return Promise.resolve();
    },
    scanTool: scanToolDefinitionWithGuardrails,
  };
}
