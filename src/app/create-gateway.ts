/**
 * The composition root: turns a validated config into a running gateway (ports filled with
 * adapters, policies loaded, metrics and logs wired). Every adapter (HTTP, MCP, LLM proxy, the
 * in-process SDK) goes through `gateway.run`, which is the one pipeline.
 */
import { randomBytes } from 'node:crypto';
import type { Adapter, AgentIdentity, Credential, DecideRequestV1 } from '../core/action.js';
import type { JsonObject } from '../core/json.js';
import type { Clock, IdGen } from '../core/clock.js';
import type { DecisionV1 } from '../core/decision.js';
import { GatewayError } from '../core/errors.js';
import { runPipeline, type PipelineDeps, type PipelineInput, type PipelineResult } from '../core/pipeline.js';
import { PassthroughGuard } from '../adapters/guard/passthrough-guard.js';
import { GuardrailsGuard, reasonsOf } from '../adapters/guard/guardrails-guard.js';
import { createGuardrails, createMemoryVault, type Guardrails } from '../core/guardrails/index.js';
import { loadOrCreateSecretKey } from './key-file.js';
import {
  ApiKeyAuthenticator,
  hashApiKey,
  type ApiKeyEntry,
} from '../adapters/identity/api-key-authenticator.js';
import type { ApprovalPort } from '../ports/approvals.js';
import type { AuditStore } from '../ports/audit-store.js';
import type { Authenticator } from '../ports/authenticator.js';
import type { ContextEnricher } from '../ports/enricher.js';
import type { GuardPort } from '../ports/guard.js';
import { openAuditSink } from './audit-wiring.js';
import { createAccessControls, type AccessControls } from './config-access.js';
import { buildOutcomeEvent, buildSystemEvent, type SystemEventType } from '../core/audit/event.js';
import { readSecret, resolvePath } from './config-loader.js';
import type { GatewayConfig } from './config-schema.js';
import { createLogger, type Logger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { PolicyHolder, type ReloadEvent } from './policy-loader.js';

export interface GatewayOptions {
  /** Directory that relative paths in the config resolve against (default: cwd). */
  baseDir?: string;
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Replace a port (tests, embedding); otherwise built from config. */
  auditStore?: AuditStore;
  guard?: GuardPort;
  enricher?: ContextEnricher;
  approvals?: ApprovalPort;
  authenticator?: Authenticator;
  /** Key for keyed-hash and token anonymisation; default: keys.guardrails file (created 0600). */
  guardrailsKey?: Uint8Array;
}

/** Budget for one whole guardrail scan; a scan that runs longer fails, and the decision denies. */
export const GUARD_DEADLINE_MS = 1000;

export interface ReadyReport {
  ready: boolean;
  checks: { policy: boolean; audit: boolean; counters: boolean };
}

/** What an enforcing adapter reports after executing an allowed action (a linked ledger event). */
export interface OutcomeReport {
  decisionId: string;
  status: 'success' | 'error' | 'timeout' | 'not_executed';
  error?: string;
  latencyMs?: number;
  impact?: { amount?: number; currency?: string; records?: number; cost_usd?: number };
  /** Output guard findings (types and spans only). */
  findings?: JsonObject;
  adapter: Adapter;
  agentId?: string;
}

/** Output guardrails applied to what an upstream returned (tool results, model answers). */
export interface OutputGuardResult {
  /** The parts with ANONYMIZE actions applied, same order as given. */
  parts: string[];
  findings: JsonObject;
  /** BLOCK fired, or a scanner failed: the result must not reach the agent. */
  blocked: boolean;
  reasons: string[];
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly policies: PolicyHolder;
  /** The ledger (read side for the audit API). */
  readonly audit: AuditStore;
  /** The one pipeline, for adapters. */
  run(input: PipelineInput): Promise<PipelineResult>;
  /** In-process use: the same pipeline the HTTP API runs. */
  decide(
    request: DecideRequestV1,
    auth: { apiKey: string } | { credential: Credential },
  ): Promise<DecisionV1>;
  /** Approvals, kill switch, limits, operators (issue 6). */
  readonly access: AccessControls;
  /** The guardrails engine, or null when `guardrails.enabled` is false. */
  readonly guardrails: Guardrails | null;
  /** The agent authenticator (JWT issuers in front of API keys), for adapters that need it. */
  readonly agentAuthenticator: Authenticator;
  /** Writes an event that changes what the gateway does (reload, admin action, approval, pin) to the ledger. */
  recordSystemEvent(
    type: SystemEventType,
    details: JsonObject,
    actor?: string,
    decisionId?: string,
  ): Promise<void>;
  /** Appends the outcome of an executed action to the ledger, linked to its decision. */
  recordOutcome(report: OutcomeReport): Promise<void>;
  /** Scans and redacts output before it reaches the agent. */
  guardOutput(parts: Array<{ part: string; text: string }>, session?: string): Promise<OutputGuardResult>;
  reloadPolicies(trigger: ReloadEvent['trigger']): ReloadEvent;
  ready(): ReadyReport;
  close(): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicNs: () => process.hrtime.bigint(),
};

export function sequenceIds(start = 1): IdGen {
  let next = start;
  return {
    nextSequence: () => next++,
    randomId: (bytes = 16) => randomBytes(bytes).toString('hex'),
  };
}

function buildAuthenticator(
  config: GatewayConfig,
  baseDir: string,
  env: NodeJS.ProcessEnv,
): ApiKeyAuthenticator {
  const entries: ApiKeyEntry[] = config.agents.map((a) => {
    const keyHash =
      a.api_key_sha256 !== undefined
        ? Buffer.from(a.api_key_sha256, 'hex')
        : hashApiKey(readSecret(a.api_key!, baseDir, env));
    const identity: AgentIdentity = {
      id: a.id,
      roles: a.roles,
      permissions: a.permissions,
      attributes: a.attributes,
      ...(a.version === undefined ? {} : { version: a.version }),
    };
    return { identity, keyHash, disabled: a.disabled };
  });
  const seen = new Set<string>();
  for (const e of entries) {
    const h = e.keyHash.toString('hex');
    if (seen.has(h))
      throw new GatewayError('config_invalid', `two agents share one API key (agent ${e.identity.id})`);
    seen.add(h);
  }
  return new ApiKeyAuthenticator(entries);
}

function textIn(details: JsonObject, key: string): string | undefined {
  const v = details[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The person an approval or admin event is about: who voted (`by`) or who called (`operator`). */
function personIn(details: JsonObject): string | undefined {
  return textIn(details, 'by') ?? textIn(details, 'operator');
}

export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const baseDir = options.baseDir ?? process.cwd();
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const metrics = new GatewayMetrics();
  const apiKeys = buildAuthenticator(config, baseDir, env);

  const audit = options.auditStore ?? (await openAuditSink(config, baseDir, logger));
  // Sequences continue after a restart: every sequence a durable decision used is a committed event.
  const ids = sequenceIds(audit.status().size + 1);
  const recordSystemEvent = async (
    type: SystemEventType,
    details: JsonObject,
    actor?: string,
    decisionId?: string,
  ): Promise<void> => {
    const event = buildSystemEvent(
      type,
      {
        time: clock.now(),
        instance: config.instance_id,
        details,
        ...(actor === undefined ? {} : { actor }),
        ...(decisionId === undefined ? {} : { decision_id: decisionId }),
      },
      ids.nextSequence(),
    );
    await audit.append(event);
  };

  let access: AccessControls;
  try {
    access = await createAccessControls(config, {
      baseDir,
      clock,
      ids,
      record: (e) =>
        recordSystemEvent(
          e.type,
          e.details,
          e.actor ?? personIn(e.details),
          e.decision_id ?? textIn(e.details, 'decision_id'),
        ),
      readSecret: (ref) => readSecret(ref, baseDir, env),
      resolvePath: (p) => resolvePath(baseDir, p),
      log: logger,
      agentKeyHashes: apiKeys.keyHashes(),
    });
  } catch (e) {
    await audit.close();
    throw e;
  }
  const authenticator = options.authenticator ?? access.agentAuthenticator(apiKeys);

  let guardrails: Guardrails | null = null;
  let guardrailsGuard: GuardrailsGuard | null = null;
  try {
    if (config.guardrails.enabled) {
      const hmacKey =
        options.guardrailsKey ?? loadOrCreateSecretKey(resolvePath(baseDir, config.keys.guardrails));
      guardrails = createGuardrails(config.guardrails, { hmacKey, now: () => performance.now() });
      guardrailsGuard = new GuardrailsGuard({
        guardrails,
        vault: createMemoryVault(),
        deadlineMs: GUARD_DEADLINE_MS,
      });
    }
  } catch (e) {
    await access.close();
    await audit.close();
    throw e;
  }

  const policies = new PolicyHolder(
    config.policies.paths.map((p) => resolvePath(baseDir, p)),
    baseDir,
    (e) => {
      metrics.recordReload(e.ok, e.version);
      if (e.ok) {
        access.setLimits(policies.current()?.limits ?? []);
        logger.info(
          { trigger: e.trigger, version: e.version, previous: e.previousVersion },
          'policy set loaded',
        );
      } else {
        logger.error(
          { trigger: e.trigger, active: e.version, error: e.error?.detail },
          'policy reload failed; previous set stays active',
        );
      }
      const details: JsonObject = {
        trigger: e.trigger,
        ok: e.ok,
        version: e.version,
        previous_version: e.previousVersion,
      };
      if (e.error) details.error_code = e.error.code;
      recordSystemEvent('policy_reload', details, e.trigger).catch((err: unknown) =>
        logger.error({ err: String(err) }, 'could not record the policy reload in the ledger'),
      );
    },
  );
  const first = policies.reload('start');
  if (!first.ok) {
    await access.close();
    await audit.close();
    throw first.error!;
  }
  if (config.policies.watch) policies.watch();

  const deps: PipelineDeps = {
    authenticator,
    guard: options.guard ?? guardrailsGuard ?? new PassthroughGuard(),
    enricher: options.enricher ?? access.enricher,
    policies,
    approvals: options.approvals ?? access.approvals,
    audit,
    clock,
    ids,
    instanceId: config.instance_id,
    durability: config.audit.durability,
    explainAlways: config.policies.explain_always,
    onError: (step, error) =>
      logger.error(
        { step, err: error instanceof GatewayError ? error.code : String(error) },
        'pipeline step failed',
      ),
  };

  const run = async (input: PipelineInput): Promise<PipelineResult> => {
    const result = await runPipeline(deps, input);
    metrics.recordDecision(result.decision, input.adapter);
    return result;
  };

  return {
    config,
    instanceId: config.instance_id,
    access,
    audit,
    guardrails,
    agentAuthenticator: authenticator,
    recordSystemEvent,
    logger,
    metrics,
    policies,
    run,
    async decide(request, auth) {
      const credential: Credential =
        'apiKey' in auth ? { type: 'api_key', key: auth.apiKey } : auth.credential;
      return (await run({ credential, request, adapter: 'sdk' })).decision;
    },
    async recordOutcome(report) {
      const event = buildOutcomeEvent(
        {
          time: clock.now(),
          instance: config.instance_id,
          decision_id: report.decisionId,
          status: report.status,
          adapter: report.adapter,
          ...(report.error === undefined ? {} : { error: report.error }),
          ...(report.latencyMs === undefined ? {} : { latency_ms: report.latencyMs }),
          ...(report.impact === undefined ? {} : { impact: report.impact }),
          ...(report.findings === undefined ? {} : { findings: report.findings }),
          ...(report.agentId === undefined ? {} : { agent: { id: report.agentId } }),
        },
        ids.nextSequence(),
      );
      // Durable: answered once the outcome is committed, like a decision. Async: queued in order
      // (its sequence is taken above) and committed with the next group; a failure is logged.
      if (config.audit.durability === 'durable') await audit.append(event);
      else
        audit
          .append(event)
          .catch((e: unknown) =>
            logger.error({ err: String(e), decision: report.decisionId }, 'could not record an outcome'),
          );
    },
    guardOutput(parts, session = 'default') {
      if (guardrailsGuard === null) {
        return Promise.resolve({
          parts: parts.map((p) => p.text),
          findings: {},
          blocked: false,
          reasons: [],
        });
      }
      const r = guardrailsGuard.scanOutput(parts, session);
      const reasons = reasonsOf(r);
      return Promise.resolve({
        parts: r.parts.map((p) => p.text),
        findings: r.findings as unknown as JsonObject,
        blocked: r.blocked || r.failed,
        reasons,
      });
    },
    reloadPolicies: (trigger) => policies.reload(trigger),
    ready() {
      const checks = {
        policy: policies.current() !== null,
        audit: audit.ready(),
        counters: access.ready().counters,
      };
      return { ready: checks.policy && checks.audit && checks.counters, checks };
    },
    async close() {
      policies.close();
      await access.close();
      await audit.close();
    },
  };
}
