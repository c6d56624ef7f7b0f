/**
 * Offline MCP tooling for the CLI: connect to the configured upstreams without running the
 * gateway (no ledger, no pipeline), to record pins (`portcullis mcp pin`) or show the catalog
 * (`portcullis mcp tools`).
 */
import { writeFileSync, renameSync } from 'node:fs';
import type { GatewayConfig } from '../../app/config-schema.js';
import type { Logger } from '../../app/logger.js';
import { GatewayError } from '../../core/errors.js';
import type { CatalogTool } from '../../core/mcp/catalog.js';
import { formatPins, withUpstreamPins, type DefinitionHash, type PinStatus } from '../../core/mcp/pins.js';
import { scanTool } from '../../core/mcp/tool-scan.js';
import type { McpHost } from './host.js';
import { loadPinsFile, UpstreamManager } from './upstream-manager.js';

function offline(name: string): never {
  throw new GatewayError('internal_error', `${name} is not available in offline MCP tooling`);
}

/** A host for connecting to upstreams only: nothing is decided, recorded or guarded. */
export function toolingHost(
  config: GatewayConfig,
  baseDir: string,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): McpHost {
  if (config.mcp === undefined) throw new GatewayError('config_invalid', 'the config has no mcp section');
  const mcp = { ...config.mcp, startup_wait_ms: config.mcp.connect_timeout_ms + 1000 };
  return {
    config,
    mcp,
    baseDir,
    env,
    logger,
    currentPolicies: () => null,
    run: () => offline('run'),
    authenticate: () => offline('authenticate'),
    guardOutput: () => offline('guardOutput'),
    recordOutcome: () => offline('recordOutcome'),
    recordSystemEvent: () => Promise.resolve(),
    scanTool: (definition) => scanTool(definition, mcp.tool_scan.strength),
  };
}

/** Connects the enabled upstreams (all, or those named) and returns the manager. */
export async function connectOffline(host: McpHost, only: string[] = []): Promise<UpstreamManager> {
  const upstreams =
    only.length === 0 ? host.mcp.upstreams : host.mcp.upstreams.filter((u) => only.includes(u.name));
  const manager = new UpstreamManager({ ...host, mcp: { ...host.mcp, upstreams } });
  await manager.start();
  return manager;
}

export interface PinChange {
  upstream: string;
  tool: string;
  before: PinStatus;
  hash: DefinitionHash;
  suspicious: string[];
}

export interface PinReport {
  file: string;
  changes: PinChange[];
  /** Upstreams that could not be reached; their previous pins are kept. */
  failed: Array<{ upstream: string; error: string }>;
}

/** Records the current definition hash of every tool of the chosen (default: all) upstreams. */
export async function pinUpstreams(host: McpHost, only: string[] = []): Promise<PinReport> {
  const unknown = only.filter((n) => !host.mcp.upstreams.some((u) => u.name === n));
  if (unknown.length > 0)
    throw new GatewayError('config_invalid', `no upstream named ${unknown.join(', ')} in the config`);
  const manager = await connectOffline(host, only);
  try {
    let pins = loadPinsFile(manager.pinsPath);
    const report: PinReport = { file: manager.pinsPath, changes: [], failed: [] };
    for (const upstream of manager.upstreams.values()) {
      if (upstream.state !== 'ready') {
        report.failed.push({ upstream: upstream.name, error: upstream.lastError ?? upstream.state });
        continue;
      }
      const hashes: Record<string, DefinitionHash> = {};
      for (const t of upstream.tools) {
        hashes[t.name] = t.hash;
        report.changes.push({
          upstream: upstream.name,
          tool: t.qualified,
          before: t.pin,
          hash: t.hash,
          suspicious: t.scan.signals.map((s) => `${s.name} at ${s.path}`),
        });
      }
      pins = withUpstreamPins(pins, upstream.name, hashes);
    }
    const tmp = `${manager.pinsPath}.tmp-${process.pid}`;
    writeFileSync(tmp, formatPins(pins), { mode: 0o644 });
    renameSync(tmp, manager.pinsPath);
    return report;
  } finally {
    await manager.close();
  }
}

export interface ToolRow {
  tool: string;
  pin: PinStatus;
  hash: string;
  held: string;
}

export function describeTools(tools: CatalogTool[]): ToolRow[] {
  return tools.map((t) => ({
    tool: t.qualified,
    pin: t.pin,
    hash: t.hash.slice(0, 19),
    held: t.hold === null ? '' : `${t.hold.mode}: ${t.hold.reason}`,
  }));
}
