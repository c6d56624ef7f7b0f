/**
 * Outcome reporting for the decision API (Hono sub-app, mounted at the root):
 *
 *   POST /v1/decisions/{id}/outcome   {status, error?, latency_ms?, impact?}   the agent's own key
 *
 * An agent framework that enforces a `/v1/decide` answer itself reports what happened when it
 * ran (or did not run) the action. The report is appended to the ledger as an `outcome` event
 * linked to the decision. Rules:
 * - the caller authenticates as an agent (bearer key or JWT), and the decision must be in the
 *   ledger and be that agent's; anything else is `not_found` (another agent's decision ids are
 *   not confirmed to exist);
 * - one outcome per decision: a second report is `outcome_already_reported` (409) naming the
 *   recorded event, so a client retrying after a lost answer learns its report arrived;
 * - decisions executed by the gateway's own adapters (MCP, LLM proxy) get their outcome from the
 *   gateway, never from the agent;
 * - reports against deny or escalate decisions are accepted and recorded: an agent that says it
 *   ran a denied action is exactly what an auditor must see;
 * - the `error` text passes the output guardrails before it is written (raw PII and secrets never
 *   enter the ledger); its findings are recorded as types and spans.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { StoredAuditEvent } from '../../../ports/audit-store.js';
import type { Gateway, OutcomeReport } from '../../../app/create-gateway.js';
import type { JsonObject } from '../../../core/json.js';
import { impactSchema } from '../../../core/request-schema.js';
import { bearerToken } from '../../identity/operators.js';
import { problemFromError, problemResponse } from '../problem.js';
import { readJsonBody } from '../read-json.js';

const DECISION_ID = /^dec_[0-9a-f]{32}$/;
const BODY_LIMITS = { maxBytes: 16 * 1024, maxDepth: 4 };
/** Adapters whose decisions the agent executes itself (and so reports on). */
const SELF_ENFORCED = new Set(['http', 'sdk', 'cli']);
const WEEK_MS = 7 * 24 * 3600 * 1000;

export const outcomeBodySchema = z
  .strictObject({
    status: z.enum(['success', 'error', 'timeout', 'not_executed']),
    error: z.string().min(1).max(2000).optional(),
    latency_ms: z.number().finite().min(0).max(WEEK_MS).optional(),
    impact: impactSchema.optional(),
  })
  .refine((b) => b.status !== 'success' || b.error === undefined, {
    message: 'error is only allowed when status is not success',
    path: ['error'],
  });

/** Reports on one decision run one at a time, so that two concurrent reports cannot both land. */
class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(fn, fn);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

const agentOf = (e: StoredAuditEvent): unknown => (e.event.action.agent as JsonObject | undefined)?.id;

export function createOutcomeRoutes(gateway: Gateway): Hono {
  const app = new Hono();
  const serial = new KeyedSerial();
  app.onError((e, c) => problemFromError(c, e));

  app.post('/v1/decisions/:id/outcome', async (c) => {
    const token = bearerToken(c);
    const agent =
      token === null ? null : await gateway.agentAuthenticator.authenticate({ type: 'api_key', key: token });
    if (agent === null)
      return problemResponse(
        c,
        'unauthenticated',
        'missing, unknown or revoked agent credential',
        {},
        {
          'www-authenticate': 'Bearer realm="portcullis"',
        },
      );
    const id = c.req.param('id');
    if (!DECISION_ID.test(id))
      return problemResponse(c, 'invalid_request', 'a decision id is dec_ and 32 hex digits');
    if (Object.keys(c.req.queries()).length > 0)
      return problemResponse(c, 'invalid_request', 'this endpoint takes no query parameters');
    const parsed = outcomeBodySchema.safeParse(await readJsonBody(c, BODY_LIMITS));
    if (!parsed.success) {
      return problemResponse(c, 'invalid_request', 'body does not match the schema', {
        errors: parsed.error.issues.slice(0, 10).map((i) => ({
          path: i.path.map(String).join('.') || '(root)',
          message:
            i.code === 'unrecognized_keys'
              ? `unknown field(s): ${(i as { keys: string[] }).keys.join(', ')}`
              : i.message,
        })),
      });
    }
    const body = parsed.data;

    return serial.run(id, async () => {
      let events = await gateway.audit.getDecisionEvents(id);
      if (events.length === 0) {
        // With `audit.durability: async` the answer can overtake its event: wait for the commit.
        await gateway.audit.flush();
        events = await gateway.audit.getDecisionEvents(id);
      }
      const decision = events.find((e) => e.event.type === 'decision');
      if (decision === undefined || agentOf(decision) !== agent.id) {
        gateway.logger.warn(
          { agent: agent.id, decision: id },
          "outcome reported for an unknown decision or another agent's",
        );
        return problemResponse(c, 'not_found', 'no decision of this agent has this id');
      }
      const prior = events.find((e) => e.event.type === 'outcome');
      if (prior !== undefined) return already(c, prior, 'the outcome of this decision is already recorded');
      const recordedAdapter = decision.event.action.adapter;
      const adapter = typeof recordedAdapter === 'string' ? recordedAdapter : 'unknown';
      if (!SELF_ENFORCED.has(adapter))
        return problemResponse(
          c,
          'outcome_already_reported',
          `the gateway executed this action through its ${adapter} adapter and records its outcome itself`,
        );

      const report: OutcomeReport = {
        decisionId: id,
        status: body.status,
        adapter: 'http',
        agentId: agent.id,
        ...(body.latency_ms === undefined ? {} : { latencyMs: body.latency_ms }),
        ...(body.impact === undefined ? {} : { impact: stripUndefined(body.impact) }),
      };
      if (body.error !== undefined) {
        const guarded = await gateway.guardOutput(
          [{ part: 'outcome.error', text: body.error }],
          `outcome:${id}`,
        );
        report.error = guarded.blocked
          ? '[withheld: an output guardrail blocked this error text]'
          : guarded.parts[0]!;
        report.findings = guarded.findings;
      }
      await gateway.recordOutcome(report);
      // Async durability queues the event: wait for its commit, so the answer can name it and the
      // next report for this decision (serialised behind this one) finds it and is refused.
      await gateway.audit.flush();
      const recorded = (await gateway.audit.getDecisionEvents(id)).find((e) => e.event.type === 'outcome');
      return c.json(
        {
          decision_id: id,
          status: body.status,
          event_id: recorded?.event.id ?? null,
          index: recorded?.index ?? null,
        },
        201,
      );
    });
  });
  return app;
}

function already(c: Context, prior: StoredAuditEvent, detail: string): Response {
  return problemResponse(c, 'outcome_already_reported', detail, {
    event_id: prior.event.id,
    index: prior.index,
    outcome_status: prior.event.outcome.status ?? null,
  });
}

function stripUndefined(impact: z.infer<typeof impactSchema>): NonNullable<OutcomeReport['impact']> {
  const out: NonNullable<OutcomeReport['impact']> = {};
  if (impact.amount !== undefined) out.amount = impact.amount;
  if (impact.currency !== undefined) out.currency = impact.currency;
  if (impact.records !== undefined) out.records = impact.records;
  if (impact.cost_usd !== undefined) out.cost_usd = impact.cost_usd;
  return out;
}
