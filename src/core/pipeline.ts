/**
 * The one decision pipeline: authenticate -> guard input -> enrich context -> evaluate policy ->
 * approval -> respond -> audit. Every adapter (HTTP, SDK, MCP, LLM proxy, CLI) calls
 * `runPipeline`; none re-implements a step. The pipeline fails closed: whatever throws, the
 * outcome is deny, and an allow is only answered once its audit event is durable.
 */
import { hash } from 'node:crypto';
import type { ActionV1, Adapter, AgentIdentity, Credential, DecideRequestV1 } from './action.js';
import { buildDecisionEvent } from './audit/event.js';
import { canonicalJson } from './canonical-json.js';
import type { Clock, IdGen } from './clock.js';
import type { DecisionCode, DecisionV1, Effect, Obligations, PipelineStep, StepRecord } from './decision.js';
import { toGatewayError, type ErrorCode } from './errors.js';
import type { JsonObject } from './json.js';
import { buildPolicyInput } from './policy/input.js';
import type { CompiledPolicySet, PolicyEvaluation } from './policy/types.js';
import { redactPaths } from './redact-paths.js';
import type { ApprovalPort, ApprovalTicket } from '../ports/approvals.js';
import type { AuditSink } from '../ports/audit-sink.js';
import type { Authenticator } from '../ports/authenticator.js';
import type { ContextEnricher, Enrichment } from '../ports/enricher.js';
import type { GuardPort, GuardVerdict } from '../ports/guard.js';

export interface PipelineDeps {
  authenticator: Authenticator;
  guard: GuardPort;
  enricher: ContextEnricher;
  policies: { current(): CompiledPolicySet | null };
  approvals: ApprovalPort;
  audit: AuditSink;
  clock: Clock;
  ids: IdGen;
  instanceId: string;
  /** 'durable' (default): answer only after the event is committed. 'async': answer first. */
  durability: 'durable' | 'async';
  explainAlways: boolean;
  /** Called when an async audit append fails or any step fails; for logs and metrics. */
  onError?: (step: PipelineStep, error: unknown) => void;
}

export interface PipelineInput {
  credential: Credential;
  request: DecideRequestV1;
  adapter: Adapter;
  /** Set when re-deciding after a long-poll on this approval (see ApprovalRequest). */
  awaitedApprovalId?: string;
}

export interface PipelineResult {
  decision: DecisionV1;
  /** The identity the credential resolved to (null when authentication failed). */
  agent: AgentIdentity | null;
  /** The action as it may be executed: guardrail anonymisation and policy redactions applied. */
  action: ActionV1;
  findings: JsonObject;
  /** Leaf index of the audit event, when it was written before answering. */
  auditIndex: number | null;
}

const NO_POLICY_VERSION = 'none';

/** Deterministic decision id: canonical request, policy version, instance and sequence. */
export function decisionId(
  request: DecideRequestV1,
  agentId: string | null,
  policyVersion: string,
  instance: string,
  sequence: number,
): string {
  // One-shot hash of the same bytes (no Hash object per decision).
  const text = `${canonicalJson({ request, agent: agentId })}\n${policyVersion}\n${instance}\n${sequence}`;
  return `dec_${hash('sha256', text, 'hex').slice(0, 32)}`;
}

class StepTimer {
  readonly records: StepRecord[] = [];
  constructor(private readonly clock: Clock) {}

  async run<T>(step: PipelineStep, port: string, fn: () => Promise<T> | T): Promise<T> {
    const start = this.clock.monotonicNs();
    try {
      const value = await fn();
      this.push(step, port, 'ran', start);
      return value;
    } catch (e) {
      this.push(step, port, 'failed', start, toGatewayError(e).code);
      throw e;
    }
  }

  skip(step: PipelineStep, port: string, detail: string): void {
    this.records.push({ step, port, status: 'skipped', detail, duration_us: 0 });
  }

  private push(
    step: PipelineStep,
    port: string,
    status: StepRecord['status'],
    start: bigint,
    detail?: string,
  ): void {
    const duration_us = Number((this.clock.monotonicNs() - start) / 1000n);
    this.records.push(
      detail === undefined
        ? { step, port, status, duration_us }
        : { step, port, status, detail, duration_us },
    );
  }
}

function pick(a: ActionV1, ...keys: Array<'tool' | 'server'>): Partial<ActionV1> {
  const out: Partial<ActionV1> = {};
  for (const k of keys) if (a[k] !== undefined) out[k] = a[k];
  return out;
}

function emptyObligations(): Obligations {
  return { redact: [], approvals: [] };
}

/** Runs one request through every step. Never throws: failures become deny decisions. */
export async function runPipeline(deps: PipelineDeps, input: PipelineInput): Promise<PipelineResult> {
  const { clock } = deps;
  const started = clock.monotonicNs();
  const nowMs = clock.now();
  const sequence = deps.ids.nextSequence();
  const steps = new StepTimer(clock);
  const req = input.request;
  const policySet = deps.policies.current();
  const policyVersion = policySet?.version ?? NO_POLICY_VERSION;

  let agent: AgentIdentity | null = null;
  let verdict: GuardVerdict | null = null;
  let evaluation: PolicyEvaluation | null = null;
  let ticket: ApprovalTicket | null = null;
  let outcome: Effect = 'deny';
  let code: DecisionCode = 'internal_error';
  let reasons: string[] = [];
  let policyUs = 0;
  let decided = false;
  let enrichment: Enrichment | null = null;
  let retryAfterMs: number | null = null;

  const failClosed = (c: ErrorCode | DecisionCode, reason: string): void => {
    decided = true;
    outcome = 'deny';
    code = c;
    reasons = [reason];
  };

  try {
    agent = await steps.run('authenticate', deps.authenticator.name, () =>
      deps.authenticator.authenticate(input.credential),
    );
    if (agent === null) {
      failClosed('unauthenticated', 'missing, unknown or revoked credential');
    } else {
      const who = agent;
      const session = req.context?.session_id ?? who.id;
      verdict = await steps.run('guard_input', deps.guard.name, () =>
        deps.guard.scanInput(req.action, req.context, session),
      );
      enrichment = await steps.run('enrich_context', deps.enricher.name, () =>
        deps.enricher.enrich(who, req.action, req.context, {
          on_behalf_of: req.on_behalf_of,
          impact: req.impact,
        }),
      );
      const enriched = enrichment;
      if (verdict.failed) {
        failClosed('guardrail_failed', verdict.blockReasons.join('; ') || 'a guardrail scanner failed');
      } else if (verdict.blocked) {
        failClosed('guardrail_blocked', verdict.blockReasons.join('; ') || 'blocked by a guardrail');
      } else if (enriched.frozen !== null) {
        failClosed('kill_switch', enriched.frozen);
      } else if (enriched.limited) {
        failClosed('rate_limited', enriched.limited.reason);
        retryAfterMs = enriched.limited.retry_after_ms;
      } else if (policySet === null) {
        failClosed('policy_not_loaded', 'no policy set is active');
      }
      if (!decided && policySet !== null) {
        const g = verdict;
        const p0 = clock.monotonicNs();
        evaluation = await steps.run('evaluate_policy', 'policy-engine', () =>
          policySet.evaluate(
            buildPolicyInput({
              agent: who,
              onBehalfOf: req.on_behalf_of ?? null,
              action: req.action,
              context: req.context,
              findings: g.findings,
              risk: enriched.risk,
              usage: enriched.usage,
              posture: enriched.posture,
              now: nowMs,
            }),
            {
              explain: req.explain === true || deps.explainAlways,
            },
          ),
        );
        policyUs = Number((clock.monotonicNs() - p0) / 1000n);
        outcome = evaluation.outcome;
        code = evaluation.code;
        reasons =
          evaluation.errors.length > 0
            ? evaluation.errors.map((e) => `rule ${e.policy_id}/${e.rule_id} failed: ${e.message}`)
            : evaluation.matched.filter((m) => m.effect === outcome).map((m) => m.reason);
        if (code === 'no_rule_matched') reasons = ['no rule allows this action'];
      }
    }
  } catch (e) {
    const ge = toGatewayError(e);
    deps.onError?.(steps.records.at(-1)?.step ?? 'authenticate', e);
    failClosed(ge.code, ge.detail);
  }
  // Steps that did not run are recorded as skipped, with the reason: nothing is skipped silently.
  const ports: Array<[PipelineStep, string]> = [
    ['guard_input', deps.guard.name],
    ['enrich_context', deps.enricher.name],
    ['evaluate_policy', 'policy-engine'],
  ];
  for (const [step, port] of ports) {
    if (!steps.records.some((r) => r.step === step))
      steps.skip(step, port, `decided before this step: ${code}`);
  }

  const id = decisionId(req, agent?.id ?? null, policyVersion, deps.instanceId, sequence);

  if (outcome === 'escalate' && agent !== null && evaluation !== null) {
    try {
      const who = agent;
      const ev = evaluation;
      ticket = await steps.run('approval', deps.approvals.name, () =>
        deps.approvals.request({
          decisionId: id,
          agent: who,
          onBehalfOf: req.on_behalf_of,
          action: req.action,
          context: req.context,
          requirements: ev.obligations.approvals,
          reasons,
          ...(input.awaitedApprovalId === undefined ? {} : { awaitedApprovalId: input.awaitedApprovalId }),
        }),
      );
      if (ticket.status === 'approved') outcome = 'allow';
      else if (ticket.status !== 'pending')
        failClosed('approval_denied', `approval ${ticket.id} is ${ticket.status}`);
    } catch (e) {
      deps.onError?.('approval', e);
      failClosed(toGatewayError(e, 'approval_store_unavailable').code, 'approval could not be requested');
    }
  } else {
    steps.skip(
      'approval',
      deps.approvals.name,
      outcome === 'escalate' ? 'no agent or evaluation' : `outcome is ${outcome}`,
    );
  }

  const obligations = evaluation?.obligations ?? emptyObligations();
  const redactedArgs = redactPaths(
    verdict?.redactedArgs ?? req.action.args,
    obligations.redact,
    'action.args.',
  );
  const executable: ActionV1 = { ...req.action, args: redactedArgs };
  if (verdict?.redactedPrompt !== undefined) executable.prompt = verdict.redactedPrompt;
  // What the ledger keeps: every PII/secret finding masked, and the policy's redactions applied.
  // Without a guard verdict (unauthenticated) nothing was scanned, so arguments are not stored.
  const recorded: ActionV1 = verdict
    ? { ...req.action, args: redactPaths(verdict.auditArgs, obligations.redact, 'action.args.') }
    : { kind: req.action.kind, ...pick(req.action, 'tool', 'server'), args: {} };
  if (verdict?.auditPrompt !== undefined) recorded.prompt = verdict.auditPrompt;
  else if (!verdict) delete recorded.prompt;
  steps.records.push({ step: 'respond', port: 'pipeline', status: 'ran', duration_us: 0 });

  const decision: DecisionV1 = {
    version: 1,
    id,
    outcome,
    code,
    reasons,
    agent_id: agent?.id ?? null,
    matched: evaluation?.matched ?? [],
    obligations,
    policy_version: policyVersion,
    sequence,
    steps: steps.records,
    timings: { total_us: 0, policy_us: policyUs },
  };
  if (evaluation?.explanation) decision.explanation = evaluation.explanation;
  if (verdict) decision.coverage = verdict.coverage;
  if (ticket) decision.approval = { id: ticket.id, status: ticket.status };

  let auditIndex: number | null = null;
  const findings = verdict?.findings ?? {};
  const auditStart = clock.monotonicNs();
  try {
    const event = buildDecisionEvent(
      {
        time: nowMs,
        instance: deps.instanceId,
        decision,
        action: recorded,
        context: req.context,
        findings,
        ...(verdict ? { coverage: verdict.coverage } : {}),
        adapter: input.adapter,
        agent: {
          id: agent?.id ?? null,
          ...(agent?.version === undefined ? {} : { version: agent.version }),
          ...(req.on_behalf_of === undefined ? {} : { on_behalf_of: req.on_behalf_of }),
        },
        impact: req.impact,
        explanation: decision.explanation,
        matched: decision.matched,
        steps: decision.steps,
        outcome,
      },
      sequence,
    );
    // Async durability answers first only while the ledger is healthy: once it cannot write,
    // every decision waits for its own append again, so a broken ledger denies (fail closed)
    // and a ledger that recovers allows again without a restart.
    if (deps.durability === 'durable' || !deps.audit.ready()) {
      auditIndex = (await deps.audit.append(event)).index;
      decision.steps.push(stepDone('audit', deps.audit.name, clock, auditStart));
    } else {
      deps.audit.append(event).catch((e: unknown) => deps.onError?.('audit', e));
      decision.steps.push({
        step: 'audit',
        port: deps.audit.name,
        status: 'ran',
        detail: 'async',
        duration_us: 0,
      });
    }
  } catch (e) {
    deps.onError?.('audit', e);
    decision.steps.push({
      step: 'audit',
      port: deps.audit.name,
      status: 'failed',
      detail: 'audit_store_unavailable',
      duration_us: 0,
    });
    if (decision.outcome !== 'deny') {
      decision.outcome = 'deny';
      decision.code = 'audit_store_unavailable';
      decision.reasons = ['the audit ledger cannot record this decision'];
    }
  }
  if (enrichment !== null && deps.enricher.settle) {
    try {
      await deps.enricher.settle(enrichment, decision.outcome);
    } catch (e) {
      deps.onError?.('enrich_context', e);
    }
  }
  if (retryAfterMs !== null) decision.retry_after_ms = retryAfterMs;
  decision.timings.total_us = Number((clock.monotonicNs() - started) / 1000n);
  return { decision, agent, action: executable, findings, auditIndex };
}

function stepDone(step: PipelineStep, port: string, clock: Clock, start: bigint): StepRecord {
  return { step, port, status: 'ran', duration_us: Number((clock.monotonicNs() - start) / 1000n) };
}
