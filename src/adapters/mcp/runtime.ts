/**
 * The MCP gateway of one Gateway: upstream connections, the governor, live downstream sessions.
 *
 * Lifecycle hooks for the composition root (`portcullis serve`, `portcullis mcp`):
 *   const mcp = await startMcp(gateway, { baseDir });  // before createHttpApp; null without `mcp:`
 *   ... createHttpApp(gateway) mounts /mcp (mountMcp) and finds the runtime started here ...
 *   await closeMcp(gateway);                             // on shutdown, before gateway.close()
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Gateway } from '../../app/create-gateway.js';
import { createDownstreamServer, type Identify } from './downstream-server.js';
import { Governor } from './governor.js';
import { hostFromGateway, type McpHost } from './host.js';
import { SubscriptionHub } from './subscriptions.js';
import type { CatalogKind } from './upstream.js';
import { UpstreamManager } from './upstream-manager.js';

const POLICY_POLL_MS = 2000;

export class McpRuntime {
  readonly manager: UpstreamManager;
  readonly governor: Governor;
  readonly hub: SubscriptionHub;
  private readonly servers = new Set<Server>();
  private policyVersion: string | null;
  private poll: NodeJS.Timeout | null = null;
  private readonly closeHooks: Array<() => Promise<void>> = [];

  constructor(readonly host: McpHost) {
    this.manager = new UpstreamManager(host);
    this.governor = new Governor(host, this.manager);
    this.hub = new SubscriptionHub(this.manager);
    this.policyVersion = host.currentPolicies()?.version ?? null;
    this.manager.onChange((kind) => this.broadcast(kind));
  }

  async start(): Promise<void> {
    await this.manager.start();
    // A new policy version may change what each agent sees: tell the sessions to re-list.
    this.poll = setInterval(() => {
      const v = this.host.currentPolicies()?.version ?? null;
      if (v === this.policyVersion) return;
      this.policyVersion = v;
      for (const kind of ['tools', 'prompts', 'resources'] as const) this.broadcast(kind);
    }, POLICY_POLL_MS);
    this.poll.unref();
  }

  /** Runs `hook` on close (before the upstreams go), e.g. to end HTTP sessions. */
  onClose(hook: () => Promise<void>): void {
    this.closeHooks.push(hook);
  }

  async close(): Promise<void> {
    if (this.poll !== null) clearInterval(this.poll);
    for (const hook of this.closeHooks) await hook().catch(() => undefined);
    await Promise.all([...this.servers].map((s) => this.release(s)));
    await this.manager.close();
  }

  /** A downstream server for one session; `release` it when the session ends. */
  newServer(identify: Identify): Server {
    const server = createDownstreamServer(this.governor, this.hub, identify);
    this.servers.add(server);
    return server;
  }

  async release(server: Server): Promise<void> {
    if (!this.servers.delete(server)) return;
    await this.hub.drop(server);
    await server.close().catch(() => undefined);
  }

  private broadcast(kind: CatalogKind): void {
    for (const server of this.servers) {
      if (server.transport === undefined) continue;
      const send =
        kind === 'tools'
          ? server.sendToolListChanged()
          : kind === 'prompts'
            ? server.sendPromptListChanged()
            : server.sendResourceListChanged();
      void send.catch(() => undefined);
    }
  }
}

const runtimes = new WeakMap<Gateway, McpRuntime>();

/** Starts the MCP gateway for `gateway` (connects upstreams); null when the config has no `mcp:`. */
export async function startMcp(
  gateway: Gateway,
  options: { baseDir: string; env?: NodeJS.ProcessEnv },
): Promise<McpRuntime | null> {
  if (gateway.config.mcp === undefined) return null;
  const existing = runtimes.get(gateway);
  if (existing !== undefined) return existing;
  const runtime = new McpRuntime(hostFromGateway(gateway, options.baseDir, options.env));
  runtimes.set(gateway, runtime);
  await runtime.start();
  return runtime;
}

export function mcpRuntimeOf(gateway: Gateway): McpRuntime | undefined {
  return runtimes.get(gateway);
}

/** Ends sessions and stops the upstreams (child processes are terminated). */
export async function closeMcp(gateway: Gateway): Promise<void> {
  const runtime = runtimes.get(gateway);
  if (runtime === undefined) return;
  runtimes.delete(gateway);
  await runtime.close();
}
