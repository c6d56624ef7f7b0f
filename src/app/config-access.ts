/**
 * Config sections for humans in the loop and least privilege (issue 6): `operators`, `jwt`,
 * `approvals`, `limits`, `kill_switch`; and `createAccessControls`, which builds the ports and
 * routes they describe. Heavy adapters (SQLite, Redis) are imported only when configured, so
 * that loading the config schema stays cheap. Secrets are read through the caller's `readSecret`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApprovalChange } from '../core/approvals/types.js';
import { parseDurationMs } from '../core/approvals/duration.js';
import type { Clock, IdGen } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import type { CompiledLimit } from '../core/limits/compile.js';
import { StoreApprovals } from '../adapters/approvals/store-approvals.js';
import { WebhookNotifier } from '../adapters/approvals/webhook-notifier.js';
import { KillSwitch } from '../adapters/enricher/kill-switch.js';
import { LimitsEnricher } from '../adapters/enricher/limits-enricher.js';
import { createAdminRoutes } from '../adapters/http/routes/admin.js';
import { createApprovalRoutes } from '../adapters/http/routes/approvals.js';
import { hashApiKey } from '../adapters/identity/api-key-authenticator.js';
import {
  JWT_ALGORITHMS,
  JwtAuthenticator,
  JwtVerifier,
  keysFromJwks,
  publicKeyFromPem,
  type JwtIssuer,
  type JwtKey,
} from '../adapters/identity/jwt-authenticator.js';
import { OperatorAuthenticator, type OperatorEnv } from '../adapters/identity/operators.js';
import { MemoryApprovalStore } from '../adapters/storage/memory/approval-store.js';
import { MemoryCounterStore } from '../adapters/storage/memory/counter-store.js';
import type { ApprovalStore, RecordControlEvent } from '../ports/approval-store.js';
import type { Authenticator } from '../ports/authenticator.js';
import type { CounterStore } from '../ports/counter-store.js';
import type { Hono } from 'hono';

// Restated from config-schema.ts (importing it here would make a module cycle).
const secretRef = z.union([
  z.strictObject({ env: z.string().min(1) }),
  z.strictObject({ file: z.string().min(1) }),
]);
type SecretRefValue = z.infer<typeof secretRef>;
const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'letters, digits and . _ : @ - only');
const role = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-z][a-z0-9_.-]*$/, 'lower-case letters, digits and _ . -');
const duration = z.string().refine((s) => parseDurationMs(s) !== null, 'a duration like 30m, 1h, 7d or PT1H');

export const operatorSchema = z
  .strictObject({
    id,
    name: z.string().max(256).optional(),
    /** admin, policy-author, approver, auditor, plus roles that approval requirements name. */
    roles: z.array(role).min(1),
    /** Other names of this person (e-mail...) matched against on_behalf_of for separation of duties. */
    aliases: z.array(z.string().min(1).max(256)).default([]),
    api_key_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'SHA-256 hex of the key')
      .optional(),
    api_key: secretRef.optional(),
    disabled: z.boolean().default(false),
  })
  .refine((o) => (o.api_key_sha256 === undefined) !== (o.api_key === undefined), {
    message: 'set exactly one of api_key_sha256 or api_key',
  });

const jwtIssuerSchema = z
  .strictObject({
    issuer: z.string().min(1).max(1024),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    algorithms: z
      .array(z.enum(JWT_ALGORITHMS as [string, ...string[]]))
      .min(1)
      .default([...JWT_ALGORITHMS]),
    public_keys: z
      .array(z.strictObject({ file: z.string().min(1), kid: z.string().min(1).optional() }))
      .default([]),
    jwks_file: z.string().min(1).optional(),
    max_lifetime: duration.default('24h'),
  })
  .refine((i) => i.public_keys.length > 0 || i.jwks_file !== undefined, {
    message: 'give public_keys or jwks_file',
  });

export const jwtSchema = z.strictObject({
  clock_skew_seconds: z.number().int().min(0).max(300).default(30),
  /** Issuers whose tokens authenticate agents (never operators). */
  agents: z
    .strictObject({
      issuers: z.array(jwtIssuerSchema).min(1),
      roles_claim: z.string().min(1).default('roles'),
      permissions_claim: z.string().min(1).default('permissions'),
      subjects: z.array(id).optional(),
    })
    .optional(),
  /** Issuers whose tokens authenticate people (never agents). */
  operators: z
    .strictObject({
      issuers: z.array(jwtIssuerSchema).min(1),
      roles_claim: z.string().min(1).default('roles'),
      aliases_claim: z.string().min(1).optional(),
    })
    .optional(),
});

export const approvalsSchema = z.strictObject({
  /** `sqlite` (default): pending approvals survive a restart. `memory`: tests only. */
  store: z.enum(['sqlite', 'memory']).default('sqlite'),
  path: z.string().min(1).default('data/approvals.db'),
  default_expiry: duration.default('1h'),
  max_expiry: duration.default('7d'),
  /** Once approved, the agent has at least this long to submit the identical action. */
  use_within: duration.default('15m'),
  default_approvers: z
    .strictObject({ roles: z.array(role).min(1), count: z.number().int().min(1).max(100) })
    .default({ roles: ['approver'], count: 1 }),
  /** Longest long-poll on GET /v1/approvals/{id}?wait= (and for /v1/decide waits). */
  max_wait_seconds: z.number().int().min(0).max(3600).default(60),
  sweep_interval_ms: z.number().int().min(0).max(3_600_000).default(5000),
  webhook: z
    .strictObject({
      /** The URL often embeds a token (Slack): give it as a secret reference. */
      url: z.union([z.url({ protocol: /^https?$/ }), secretRef]),
      secret: secretRef.optional(),
      max_attempts: z.number().int().min(1).max(20).default(5),
      timeout_ms: z.number().int().min(100).max(60_000).default(5000),
      public_url: z.url().optional(),
    })
    .optional(),
});

export const limitsConfigSchema = z
  .strictObject({
    store: z.enum(['memory', 'redis']).default('memory'),
    /** redis://[:password@]host:port/db; may hold a password, so a secret reference is accepted. */
    redis_url: z.union([z.string().min(1), secretRef]).optional(),
    key_prefix: z.string().max(64).default('portcullis:'),
  })
  .refine((l) => l.store !== 'redis' || l.redis_url !== undefined, {
    message: 'redis_url is required with store: redis',
  });

export const killSwitchSchema = z.strictObject({
  all: z.boolean().default(false),
  agents: z.array(id).default([]),
  tools: z.array(z.string().min(1).max(256)).default([]),
  posture: z.enum(['normal', 'elevated', 'lockdown']).optional(),
});

export interface AccessConfig {
  operators: z.infer<typeof operatorSchema>[];
  jwt?: z.infer<typeof jwtSchema> | undefined;
  approvals: z.infer<typeof approvalsSchema>;
  limits: z.infer<typeof limitsConfigSchema>;
  kill_switch: z.infer<typeof killSwitchSchema>;
}

export interface AccessDeps {
  baseDir: string;
  clock: Clock;
  ids: IdGen;
  /** Ledger writer for approval state changes and API uses. */
  record: RecordControlEvent;
  readSecret: (ref: SecretRefValue) => string;
  resolvePath: (p: string) => string;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** SHA-256 hex of every agent API key: an operator may not share a key with an agent. */
  agentKeyHashes?: readonly string[];
}

export interface AccessControls {
  approvals: StoreApprovals;
  enricher: LimitsEnricher;
  killSwitch: KillSwitch;
  operators: OperatorAuthenticator;
  store: ApprovalStore;
  counters: CounterStore;
  /** The agent authenticator: JWT issuers in front of `apiKeys` when `jwt.agents` is configured. */
  agentAuthenticator(apiKeys: Authenticator): Authenticator;
  approvalRoutes(agents: Authenticator | null): Hono<OperatorEnv>;
  adminRoutes(status?: () => Promise<JsonObject> | JsonObject): Hono<OperatorEnv>;
  setLimits(limits: readonly CompiledLimit[]): void;
  ready(): { approvals: boolean; counters: boolean };
  close(): Promise<void>;
}

export async function createAccessControls(config: AccessConfig, deps: AccessDeps): Promise<AccessControls> {
  const a = config.approvals;
  // Identities first: they only read configuration, so a mistake there leaves nothing open.
  const now = (): number => deps.clock.now();
  const operators = buildOperators(config, deps, now);
  const agentJwt = config.jwt?.agents;
  const agentVerifier =
    agentJwt === undefined ? null : verifierOf(agentJwt.issuers, config.jwt!.clock_skew_seconds, deps);
  const webhook = buildWebhook(config, deps);

  const store: ApprovalStore =
    a.store === 'memory'
      ? new MemoryApprovalStore()
      : new (await import('../adapters/storage/sqlite/approval-store.js')).SqliteApprovalStore(
          deps.resolvePath(a.path),
        );
  let counters: CounterStore | null = null;
  let killSwitch: KillSwitch;
  try {
    counters =
      config.limits.store === 'redis'
        ? await (
            await import('../adapters/storage/redis/counter-store.js')
          ).RedisCounterStore.connect(readUrl(config.limits.redis_url!, deps), {
            keyPrefix: config.limits.key_prefix,
          })
        : new MemoryCounterStore();
    killSwitch = await KillSwitch.open(store, config.kill_switch, deps.clock.now());
  } catch (e) {
    await counters?.close();
    await store.close();
    throw e;
  }
  const approvals = new StoreApprovals({
    store,
    clock: deps.clock,
    ids: deps.ids,
    settings: {
      defaultExpiryMs: parseDurationMs(a.default_expiry)!,
      maxExpiryMs: parseDurationMs(a.max_expiry)!,
      useWithinMs: parseDurationMs(a.use_within)!,
      defaultRequirement: a.default_approvers,
    },
    sweepIntervalMs: a.sweep_interval_ms,
    onSweepError: (e) =>
      deps.log?.error({ err: e instanceof GatewayError ? e.code : String(e) }, 'approval sweep failed'),
    onChange: async (change) => {
      webhook?.notify(change);
      await deps.record({ type: 'approval', details: changeDetails(change) });
    },
  });
  const counterStore = counters;
  const enricher = new LimitsEnricher({
    counters: counterStore,
    killSwitch,
    clock: deps.clock,
    onRefundError: (e) =>
      deps.log?.warn(
        { err: e instanceof GatewayError ? e.code : String(e) },
        'limit refund failed; the charge stays',
      ),
  });

  return {
    approvals,
    enricher,
    killSwitch,
    operators,
    store,
    counters: counterStore,
    agentAuthenticator(apiKeys) {
      if (agentJwt === undefined || agentVerifier === null) return apiKeys;
      const mapping = {
        rolesClaim: agentJwt.roles_claim,
        permissionsClaim: agentJwt.permissions_claim,
        ...(agentJwt.subjects === undefined ? {} : { subjects: agentJwt.subjects }),
      };
      return new JwtAuthenticator(agentVerifier, mapping, now, apiKeys, (reason) =>
        deps.log?.warn({ reason }, 'agent JWT rejected'),
      );
    },
    approvalRoutes: (agents) =>
      createApprovalRoutes({
        approvals,
        operators,
        agents,
        record: deps.record,
        clock: deps.clock,
        maxWaitSeconds: a.max_wait_seconds,
      }),
    adminRoutes: (status) =>
      createAdminRoutes({
        killSwitch,
        operators,
        record: deps.record,
        clock: deps.clock,
        status: async () => ({
          approvals: { ...(await store.countByStatus()) },
          limits: { store: counterStore.name, ready: counterStore.ready() },
          ...((await status?.()) ?? {}),
        }),
      }),
    setLimits: (limits) => enricher.setLimits(limits),
    ready: () => ({ approvals: true, counters: counterStore.ready() }),
    async close() {
      approvals.close();
      await webhook?.drain();
      await counterStore.close();
      await store.close();
    },
  };
}

function buildOperators(config: AccessConfig, deps: AccessDeps, now: () => number): OperatorAuthenticator {
  const jwt = config.jwt?.operators;
  let operators: OperatorAuthenticator;
  try {
    operators = new OperatorAuthenticator(
      config.operators.map((o) => ({
        id: o.id,
        roles: o.roles,
        aliases: o.aliases,
        disabled: o.disabled,
        keyHash:
          o.api_key_sha256 !== undefined
            ? Buffer.from(o.api_key_sha256, 'hex')
            : hashApiKey(deps.readSecret(o.api_key!)),
      })),
      jwt === undefined
        ? null
        : {
            verifier: verifierOf(jwt.issuers, config.jwt!.clock_skew_seconds, deps),
            rolesClaim: jwt.roles_claim,
            ...(jwt.aliases_claim === undefined ? {} : { aliasesClaim: jwt.aliases_claim }),
          },
      now,
    );
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('config_invalid', `operators: ${(cause as Error).message}`, { cause });
  }
  if (operators.keyHashes().some((h) => deps.agentKeyHashes?.includes(h))) {
    throw new GatewayError('config_invalid', 'an operator and an agent share one API key');
  }
  return operators;
}

function verifierOf(
  issuers: ReadonlyArray<z.infer<typeof jwtIssuerSchema>>,
  skewSeconds: number,
  deps: AccessDeps,
): JwtVerifier {
  const built = issuers.map((i) => buildIssuer(i, deps));
  try {
    return new JwtVerifier(built, skewSeconds);
  } catch (cause) {
    throw new GatewayError('config_invalid', `jwt: ${(cause as Error).message}`, { cause });
  }
}

function readUrl(v: string | SecretRefValue, deps: AccessDeps): string {
  return typeof v === 'string' ? v : deps.readSecret(v);
}

function buildWebhook(config: AccessConfig, deps: AccessDeps): WebhookNotifier | null {
  const w = config.approvals.webhook;
  if (w === undefined) return null;
  try {
    return new WebhookNotifier({
      url: readUrl(w.url, deps),
      ...(w.secret === undefined ? {} : { secret: deps.readSecret(w.secret) }),
      maxAttempts: w.max_attempts,
      timeoutMs: w.timeout_ms,
      ...(w.public_url === undefined ? {} : { publicUrl: w.public_url }),
      onFailure: (info) => deps.log?.error(info, 'approval webhook delivery failed'),
    });
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    // The URL may hold a token: it is not repeated.
    throw new GatewayError('config_invalid', 'approvals.webhook.url is not an http(s) URL', { cause });
  }
}

function buildIssuer(i: z.infer<typeof jwtIssuerSchema>, deps: AccessDeps): JwtIssuer {
  const keys: JwtKey[] = [];
  try {
    for (const k of i.public_keys)
      keys.push(publicKeyFromPem(readFileSync(deps.resolvePath(k.file), 'utf8'), k.kid));
    if (i.jwks_file !== undefined)
      keys.push(...keysFromJwks(readFileSync(deps.resolvePath(i.jwks_file), 'utf8')));
  } catch (cause) {
    throw new GatewayError('config_invalid', `jwt issuer ${i.issuer}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return {
    issuer: i.issuer,
    audiences: typeof i.audience === 'string' ? [i.audience] : i.audience,
    algorithms: i.algorithms as JwtIssuer['algorithms'],
    keys,
    maxLifetimeSeconds: parseDurationMs(i.max_lifetime)! / 1000,
  };
}

/** Ledger details of an approval state change: ids, hashes and counts, never the arguments. */
export function changeDetails(change: ApprovalChange): JsonObject {
  const r = change.approval;
  return {
    kind: 'state_change',
    event: change.event,
    approval_id: r.id,
    from: change.from,
    to: change.to,
    by: change.by,
    agent_id: r.agent_id,
    on_behalf_of: r.on_behalf_of,
    decision_id: r.decision_id,
    action_hash: r.action_hash,
    action_kind: r.action.kind,
    tool: r.action.tool ?? null,
    approvals_given: r.votes.filter((v) => v.decision === 'approve').length,
    expires_at: r.expires_at,
    consumed_by: r.consumed_by,
  };
}
