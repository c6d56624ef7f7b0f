/**
 * Builds the client transport for one upstream from its config: a child process (stdio) with an
 * allowlisted environment, or a Streamable HTTP connection with headers read from secrets and a
 * cap on how much a response may hold.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { readSecret, resolvePath } from '../../app/config-loader.js';
import type { UpstreamConfig } from '../../app/config-mcp.js';
import { GatewayError } from '../../core/errors.js';
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
    headers[name] = typeof value === 'string' ? value : `${value.prefix}${readSecret(value.secret, ctx.baseDir, ctx.env)}`;
  }
  return headers;
}

/** A body stream that errors once more than maxBytes have passed through it. */
function capBody(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new GatewayError('mcp_result_too_large', `upstream response exceeds ${maxBytes} bytes`));
        else controller.enqueue(chunk);
      },
    }),
  );
}

/** fetch with a response size cap; redirects are refused (credentials must not follow them). */
export function limitedFetch(maxBytes: number): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const res = await fetch(url, { ...init, redirect: 'error' });
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw new GatewayError('mcp_result_too_large', `upstream response of ${declared} bytes exceeds ${maxBytes}`);
    }
    if (res.body === null) return res;
    return new Response(capBody(res.body, maxBytes), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
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
  return new StreamableHTTPClientTransport(new URL(upstream.http!.url), {
    requestInit: { headers: httpHeaders(upstream, ctx) },
    fetch: limitedFetch(ctx.maxMessageBytes),
  });
}
