import { z } from 'zod';
import { guardrailsConfigSchema } from '../core/guardrails/config.js';
import {
  approvalsSchema,
  jwtSchema,
  killSwitchSchema,
  limitsConfigSchema,
  operatorSchema,
} from './config-access.js';
import { mcpConfigSchema } from './config-mcp.js';
import { secretRefSchema } from './config-secret.js';

/**
 * The one configuration schema. It is the source of truth: the loader validates with it, and
 * `portcullis config schema` writes the JSON Schema that editors use (schema/portcullis.schema.json).
 * Relative paths are resolved against the config file's directory.
 */

export { secretRefSchema, type SecretRef } from './config-secret.js';

const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters (SHA-256 of the key)');

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'letters, digits and . _ : @ - only');

export const agentSchema = z
  .strictObject({
    id: identifier,
    version: z.string().max(64).optional(),
    description: z.string().max(1000).optional(),
    /** SHA-256 (hex) of the agent's API key: the key itself is never stored. */
    api_key_sha256: sha256Hex.optional(),
    /** Or the key from an env var/file; it is hashed at load and the plain key dropped. */
    api_key: secretRefSchema.optional(),
    roles: z.array(z.string().min(1)).default([]),
    permissions: z.array(z.string().min(1)).default([]),
    attributes: z.record(z.string(), z.json()).default({}),
    disabled: z.boolean().default(false),
  })
  .refine((a) => (a.api_key_sha256 === undefined) !== (a.api_key === undefined), {
    message: 'set exactly one of api_key_sha256 or api_key',
  });
export type AgentConfig = z.infer<typeof agentSchema>;

export const serverSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
  body_limit_bytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  max_json_depth: z.number().int().min(2).max(512).default(32),
  batch_max: z.number().int().min(1).max(10_000).default(100),
});

export const policiesSchema = z.strictObject({
  /** Files or directories (searched recursively for *.yaml / *.yml). */
  paths: z.array(z.string().min(1)).min(1),
  /** Reload when a file changes (SIGHUP always reloads). */
  watch: z.boolean().default(true),
  /** Include the explanation in every decision, not only when the request asks. */
  explain_always: z.boolean().default(false),
});

export const auditSchema = z.strictObject({
  /** SQLite ledger file; `:memory:` keeps the ledger in memory (tests only: not durable). */
  path: z.string().default('data/ledger.db'),
  /** `durable`: an allow is answered only after its event is committed (default). */
  durability: z.enum(['durable', 'async']).default('durable'),
  /** Checkpoint origin line (C2SP tlog-checkpoint); names this log. */
  origin: z.string().min(1).default('portcullis.local/ledger'),
  signing_key_path: z.string().default('data/ledger-signing.key'),
  checkpoint_every_events: z.number().int().min(1).default(1000),
  checkpoint_every_ms: z.number().int().min(10).default(10_000),
  /** A directory or an http(s) URL that receives every signed checkpoint. */
  witness: z.string().optional(),
});

export const keysSchema = z.strictObject({
  /** HMAC/encryption key for keyed-hash and reversible-token anonymisation; created 0600 on first start. */
  guardrails: z.string().min(1).default('data/guardrails.key'),
});

export const logSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  /** Names this gateway replica in decisions and audit events. */
  instance_id: identifier.default('portcullis-1'),
  server: serverSchema.prefault({}),
  policies: policiesSchema,
  agents: z.array(agentSchema).default([]),
  audit: auditSchema.prefault({}),
  /** Input/output scanners; on by default (docs/guardrails.md). `enabled: false` turns them off. */
  guardrails: guardrailsConfigSchema.prefault({}),
  keys: keysSchema.prefault({}),
  mcp: mcpConfigSchema.optional(),
  operators: z.array(operatorSchema).default([]),
  jwt: jwtSchema.optional(),
  approvals: approvalsSchema.prefault({}),
  limits: limitsConfigSchema.prefault({}),
  kill_switch: killSwitchSchema.prefault({}),
  log: logSchema.prefault({}),
});

export type GatewayConfigInput = z.input<typeof configSchema>;
export type GatewayConfig = z.infer<typeof configSchema>;

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
