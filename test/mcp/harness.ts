/**
 * Helpers for the MCP end-to-end tests: write a project (config, policy), describe upstreams,
 * and connect the official SDK client to a running gateway.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stringify } from 'yaml';

export const REPO = resolve('.');
export const FIXTURE = resolve('test/mcp/fixture-server.ts');
export const bin = (pkg: string): string =>
  resolve(`node_modules/@modelcontextprotocol/${pkg}/dist/index.js`);

/** The misbehaving fixture as a stdio upstream (run through tsx from the repo root). */
export function fixtureUpstream(
  name: string,
  flags: string[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    stdio: { command: process.execPath, args: ['--import', 'tsx', FIXTURE, ...flags], cwd: REPO, ...extra },
  };
}

export function nodeUpstream(
  name: string,
  script: string,
  args: string[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { name, stdio: { command: process.execPath, args: [script, ...args], ...extra } };
}

export interface ProjectOptions {
  upstreams: Array<Record<string, unknown>>;
  policy: string;
  mcp?: Record<string, unknown>;
  /** Agents: id -> permissions/roles; each gets key `key-<id>` via env KEY_<ID>. */
  agents?: Record<string, { roles?: string[]; permissions?: string[] }>;
}

export function keyEnv(agents: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(agents).map((id) => [`KEY_${id.toUpperCase().replace(/-/g, '_')}`, `key-${id}`]),
  );
}

/** Writes portcullis.yaml and policies/mcp.yaml into dir; returns the config path. */
export function writeProject(dir: string, opts: ProjectOptions): string {
  mkdirSync(join(dir, 'policies'), { recursive: true });
  writeFileSync(join(dir, 'policies', 'mcp.yaml'), opts.policy);
  const agents = opts.agents ?? { agent: { permissions: [] } };
  const config = {
    version: 1,
    policies: { paths: ['policies'], watch: false },
    audit: { path: ':memory:' },
    log: { level: 'warn' },
    agents: Object.entries(agents).map(([id, a]) => ({
      id,
      roles: a.roles ?? [],
      permissions: a.permissions ?? [],
      api_key: { env: `KEY_${id.toUpperCase().replace(/-/g, '_')}` },
    })),
    mcp: { upstreams: opts.upstreams, ...opts.mcp },
  };
  const file = join(dir, 'portcullis.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

export const ALLOW_ALL = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: allow-all, version: 1.0.0, description: Every MCP action is allowed (tests and conformance only) }
rules:
  - id: everything
    target: { kinds: [tool_call, "mcp.*"] }
    effect: allow
    reason: allow-all test policy
`;

export async function connect(url: string, key: string | null, name = 'e2e'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }),
  );
  return client;
}

/** Text of the first content item of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content[0]?.text ?? '';
}

export function metaOf(result: unknown): Record<string, unknown> {
  return ((result as { _meta?: Record<string, unknown> })._meta?.['portcullis/decision'] ?? {}) as Record<
    string,
    unknown
  >;
}

/** Raw JSON-RPC over HTTP, for malformed-input tests. */
export async function rawPost(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
  });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  stepMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
