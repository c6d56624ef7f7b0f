import { z } from 'zod';
import { UPSTREAM_NAME_PATTERN } from '../core/mcp/names.js';
import { secretRefSchema } from './config-secret.js';

/**
 * The `mcp:` section: upstream MCP servers the gateway fronts, limits, pins and how the
 * downstream Streamable HTTP endpoint (/mcp) behaves. docs/mcp.md explains each field.
 */
const secretRef = secretRefSchema;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

/** A header value: plain text, or a secret (env var or file) with an optional prefix. */
const headerValueSchema = z.union([
  z.string(),
  z.strictObject({
    secret: secretRef,
    /** Prepended to the secret, e.g. "Bearer ". */
    prefix: z.string().default(''),
  }),
]);

export const stdioUpstreamSchema = z.strictObject({
  command: z.string().min(1).describe('Executable to launch; absolute, or found through an allowed PATH'),
  args: z.array(z.string()).default([]),
  /** Working directory, relative to the config file (default: the config file's directory). */
  cwd: z.string().optional(),
  /** Variables passed through from the gateway's environment. Nothing else is inherited. */
  env_allowlist: z.array(envName).default([]),
  /** Variables set for the child: a plain value or a secret reference. */
  env: z.record(envName, z.union([z.string(), secretRef])).default({}),
});

export const httpUpstreamSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe('Streamable HTTP endpoint of the upstream'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), headerValueSchema).default({}),
});

export const upstreamSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        UPSTREAM_NAME_PATTERN,
        'lower-case letters, digits, _ and - (no dots), starting with a letter, at most 32',
      ),
    description: z.string().max(1000).optional(),
    stdio: stdioUpstreamSchema.optional(),
    http: httpUpstreamSchema.optional(),
    /** Overrides mcp.call_timeout_ms for this upstream. */
    call_timeout_ms: z.number().int().min(10).max(3_600_000).optional(),
    enabled: z.boolean().default(true),
  })
  .refine((u) => (u.stdio === undefined) !== (u.http === undefined), {
    message: 'set exactly one of stdio or http',
  });
export type UpstreamConfig = z.infer<typeof upstreamSchema>;

const holdMode = z.enum(['hide', 'deny']);

export const mcpConfigSchema = z
  .strictObject({
    upstreams: z.array(upstreamSchema).min(1),
    /** Time a tools/call, resources/read or prompts/get may take upstream before it fails closed. */
    call_timeout_ms: z.number().int().min(10).max(3_600_000).default(30_000),
    /** Time to launch/connect an upstream and list what it offers. */
    connect_timeout_ms: z.number().int().min(100).max(600_000).default(20_000),
    /** `serve` waits this long for upstreams to connect before it starts listening anyway. */
    startup_wait_ms: z.number().int().min(0).max(600_000).default(30_000),
    /** Largest tools/call arguments (JSON bytes) forwarded. */
    max_argument_bytes: z
      .number()
      .int()
      .min(64)
      .max(64 * 1024 * 1024)
      .default(256 * 1024),
    /** Largest result (JSON bytes) passed back from an upstream. */
    max_result_bytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    /** Largest single message read from an upstream or a stdio client. */
    max_message_bytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    /** At most this many tools, prompts, resources per upstream (more are ignored, logged). */
    max_items_per_upstream: z.number().int().min(1).max(100_000).default(2_000),
    restart: z
      .strictObject({
        initial_delay_ms: z.number().int().min(10).default(250),
        max_delay_ms: z.number().int().min(10).default(30_000),
        /** Connected this long without failing: the next failure starts the backoff over. */
        reset_after_ms: z.number().int().min(0).default(60_000),
      })
      .prefault({}),
    pins: z
      .strictObject({
        /** Pins file written by `portcullis mcp pin`, relative to the config file. */
        file: z.string().default('mcp-pins.json'),
        /** A pinned upstream's tool that changed or appeared since pinning. */
        on_changed_definition: holdMode.default('hide'),
        /** Tools of an upstream that has no pins yet. */
        on_unpinned: z.enum(['allow', 'hide', 'deny']).default('allow'),
      })
      .prefault({}),
    tool_scan: z
      .strictObject({
        /** A tool whose description or schema looks poisoned (and is not pinned). */
        on_suspicious: z.enum(['allow', 'hide', 'deny']).default('hide'),
        /** Detector sensitivity: LOW flags only strong evidence, HIGH also weaker evidence. */
        strength: z.enum(['LOW', 'MEDIUM', 'HIGH']).default('MEDIUM'),
      })
      .prefault({}),
    http: z
      .strictObject({
        /** `stateful`: sessions (Mcp-Session-Id) held in this replica; `stateless`: none. */
        sessions: z.enum(['stateful', 'stateless']).default('stateful'),
        /**
         * How a POST is answered: `sse` (a stream per request: progress notifications reach the
         * client during a call) or `json` (one JSON body: fewer writes, lower latency, no progress).
         */
        response: z.enum(['sse', 'json']).default('sse'),
        session_idle_timeout_ms: z
          .number()
          .int()
          .min(1000)
          .default(30 * 60_000),
        /** Beyond this, the least recently used session is closed (its client re-initializes). */
        max_sessions: z.number().int().min(1).default(1_000),
        /** Sessions one agent may hold; beyond it, that agent's least recently used one is closed. */
        max_sessions_per_agent: z.number().int().min(1).default(32),
        /** Host header values accepted (DNS rebinding). Default: loopback names when bound to loopback. */
        allowed_hosts: z.array(z.string().min(1)).optional(),
        /** Origin header values accepted. Requests without Origin (non-browser clients) pass. */
        allowed_origins: z.array(z.string().min(1)).optional(),
      })
      .prefault({}),
  })
  .refine((m) => new Set(m.upstreams.map((u) => u.name)).size === m.upstreams.length, {
    message: 'upstream names must be unique',
    path: ['upstreams'],
  });

export type McpConfig = z.infer<typeof mcpConfigSchema>;
