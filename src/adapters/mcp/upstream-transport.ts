/**
 * Builds the client transport for one upstream from its config: a child process (stdio) with an
 * allowlisted environment, or a Streamable HTTP connection with headers read from secrets and a
 * cap on how much a response may hold (node-fetch.ts).
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { readSecret, resolvePath } from '../../app/config-loader.js';
import type { UpstreamConfig } from '../../app/config-mcp.js';
import { nodeFetch, type NodeFetch } from './node-fetch.js';
import { StdioClientTransport } from './stdio-client-transport.js';

export interface TransportContext {
  baseDir: string;
  env: NodeJS.ProcessEnv;
  maxMessageBytes: number;
  onStderr: (line: string) => void;
}

/** The child's environment: allowlisted variables from ours, then the configured ones. */
export function childEnvironment(upstream: UpstreamConfig, ctx: TransportContext): Record<string, string> {
  const stdio = upstream.stdio!;
  const env: Record<string, string> = {};
  for (const name of stdio.env_allowlist) {
    const v = ctx.env[name];
    if (v !== undefined) env[name] = v;
  }
  for (const [name, value] of Object.entries(stdio.env)) {
    env[name] = typeof value === 'string' ? value : readSecret(value, ctx.baseDir, ctx.env);
  }
  return env;
}

export function httpHeaders(upstream: UpstreamConfig, ctx: TransportContext): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(upstream.http!.headers)) {
    headers[name] =
      typeof value === 'string' ? value : `${value.prefix}${readSecret(value.secret, ctx.baseDir, ctx.env)}`;
  }
  return headers;
}

/**
 * Streamable HTTP to an upstream over nodeFetch; closing it also drops its kept-alive sockets. The
 * URL, headers and fetcher stay readable for the direct tools/call path (upstream-direct.ts).
 */
export class HttpUpstreamTransport extends StreamableHTTPClientTransport {
  constructor(
    readonly url: URL,
    readonly headers: Record<string, string>,
    readonly fetcher: NodeFetch,
  ) {
    super(url, { requestInit: { headers }, fetch: fetcher });
  }

  override async close(): Promise<void> {
    await super.close();
    this.fetcher.close();
  }
}

export function createUpstreamTransport(upstream: UpstreamConfig, ctx: TransportContext): Transport {
  if (upstream.stdio !== undefined) {
    return new StdioClientTransport({
      command: upstream.stdio.command,
      args: upstream.stdio.args,
      cwd: resolvePath(ctx.baseDir, upstream.stdio.cwd ?? '.'),
      env: childEnvironment(upstream, ctx),
      maxMessageBytes: ctx.maxMessageBytes,
      onStderr: ctx.onStderr,
    });
  }
  return new HttpUpstreamTransport(
    new URL(upstream.http!.url),
    httpHeaders(upstream, ctx),
    nodeFetch(ctx.maxMessageBytes),
  );
}
