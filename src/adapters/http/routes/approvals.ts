/**
 * Approval API (Hono sub-app, mounted at the root):
 *   GET  /v1/approvals                  list (approver, auditor, admin)
 *   GET  /v1/approvals/{id}?wait=<s>    one approval; long-polls while pending. Operators see it
 *                                      all; the requesting agent (its own credential) sees status
 *   POST /v1/approvals/{id}/approve     approver
 *   POST /v1/approvals/{id}/deny        approver
 * Every use, refused ones included, is recorded through `record`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { statusAt } from '../../../core/approvals/state.js';
import type { ApprovalRecordV1, ApprovalStatus } from '../../../core/approvals/types.js';
import type { Clock } from '../../../core/clock.js';
import type { JsonObject } from '../../../core/json.js';
import type { RecordControlEvent } from '../../../ports/approval-store.js';
import type { Authenticator } from '../../../ports/authenticator.js';
import type { StoreApprovals } from '../../approvals/store-approvals.js';
import {
  bearerToken,
  hasAnyRole,
  requireRole,
  voterOf,
  type OperatorAuthenticator,
  type OperatorEnv,
} from '../../identity/operators.js';
import { problemFromError, problemResponse } from '../problem.js';
import { apiCall, invalid, iso, readBodyRecorded, refusalHandler } from './control-common.js';

export interface ApprovalRoutesDeps {
  approvals: StoreApprovals;
  operators: OperatorAuthenticator;
  /** Agent authenticator: lets an agent read and wait on its own approvals. */
  agents: Authenticator | null;
  record: RecordControlEvent;
  clock: Clock;
  /** Longest long-poll a client may ask for. */
  maxWaitSeconds: number;
}

const ID = /^apr_[0-9a-f]{32}$/;
const STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'denied', 'expired'];
const READERS = ['approver', 'auditor', 'admin'] as const;
const voteBody = z.strictObject({ comment: z.string().max(1000).optional() });

export function operatorView(r: ApprovalRecordV1, now: number): JsonObject {
  const needed = r.requirements.reduce((n, q) => n + q.count, 0);
  return {
    id: r.id,
    status: statusAt(r, now),
    agent_id: r.agent_id,
    on_behalf_of: r.on_behalf_of,
    decision_id: r.decision_id,
    action: r.action as unknown as JsonObject,
    context: r.context as unknown as JsonObject,
    action_hash: r.action_hash,
    requirements: r.requirements.map((q) => ({ roles: q.roles, count: q.count })),
    reasons: r.reasons,
    approvals: { given: r.votes.filter((v) => v.decision === 'approve').length, needed },
    votes: r.votes.map((v) => ({
      by: v.by,
      decision: v.decision,
      at: iso(v.at),
      ...(v.comment === undefined ? {} : { comment: v.comment }),
    })),
    created_at: iso(r.created_at),
    expires_at: iso(r.expires_at),
    decided_at: iso(r.decided_at),
    consumed_at: iso(r.consumed_at),
    consumed_by: r.consumed_by,
  };
}

/** What the requesting agent may see: enough to know whether to resubmit. */
export function agentView(r: ApprovalRecordV1, now: number): JsonObject {
  return {
    id: r.id,
    status: statusAt(r, now),
    action_hash: r.action_hash,
    expires_at: iso(r.expires_at),
    decided_at: iso(r.decided_at),
    consumed: r.consumed_at !== null,
  };
}

export function createApprovalRoutes(deps: ApprovalRoutesDeps): Hono<OperatorEnv> {
  const app = new Hono<OperatorEnv>();
  const refuse = refusalHandler(deps.record, 'approval');
  app.onError((e, c) => problemFromError(c, e));

  app.get('/v1/approvals', requireRole(deps.operators, READERS, refuse), async (c) => {
    const op = c.get('operator');
    const q = c.req.query();
    const unknown = Object.keys(q).filter((k) => !['status', 'agent', 'limit', 'before'].includes(k));
    if (unknown.length > 0) return invalid(c, `unknown query parameter(s): ${unknown.join(', ')}`);
    if (q.status !== undefined && !(STATUSES as readonly string[]).includes(q.status))
      return invalid(c, `status must be one of ${STATUSES.join(', ')}`);
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      return invalid(c, 'limit must be a whole number from 1 to 500');
    const before = q.before === undefined ? undefined : Date.parse(q.before);
    if (before !== undefined && Number.isNaN(before))
      return invalid(c, 'before must be an RFC 3339 timestamp');
    if (q.agent !== undefined && (q.agent.length === 0 || q.agent.length > 128))
      return invalid(c, 'agent must be 1 to 128 characters');
    // Mark overdue approvals expired first, so that status filters see the truth.
    await deps.approvals.sweep();
    const records = await deps.approvals.list({
      limit,
      ...(q.status === undefined ? {} : { status: q.status as ApprovalStatus }),
      ...(q.agent === undefined ? {} : { agentId: q.agent }),
      ...(before === undefined ? {} : { createdBefore: before }),
    });
    const now = deps.clock.now();
    // An approval that ran out since the sweep is shown (and filtered) as expired.
    const views = records
      .map((r) => operatorView(r, now))
      .filter((v) => q.status === undefined || v.status === q.status);
    await deps.record({
      type: 'approval',
      details: apiCall('GET', '/v1/approvals', op.id, 'ok', { count: views.length }),
    });
    return c.json({ approvals: views });
  });

  app.get('/v1/approvals/:id', async (c) => {
    const id = c.req.param('id');
    const token = bearerToken(c);
    const op = token === null ? null : deps.operators.authenticate(token);
    const agent =
      op === null && token !== null && deps.agents !== null
        ? await deps.agents.authenticate({ type: 'api_key', key: token })
        : null;
    const path = `/v1/approvals/${ID.test(id) ? id : '{id}'}`;
    if (op === null && agent === null) return refuse(c, { status: 401, operator: null, path, method: 'GET' });
    if (op !== null && !hasAnyRole(op, READERS))
      return refuse(c, { status: 403, operator: op, path, method: 'GET' });
    const waitText = c.req.query('wait');
    const wait = waitText === undefined ? 0 : Number(waitText);
    if (!Number.isFinite(wait) || wait < 0 || waitText === '')
      return invalid(c, 'wait must be a number of seconds >= 0');
    const caller = op !== null ? { operator: op.id } : { agent: agent!.id };
    let rec = ID.test(id) ? await deps.approvals.get(id) : null;
    // An agent only sees its own approvals; anything else looks like an unknown id.
    if (rec !== null && agent !== null && rec.agent_id !== agent.id) rec = null;
    if (rec === null) {
      await deps.record({
        type: 'approval',
        details: { ...apiCall('GET', path, op?.id ?? null, 'not_found'), ...caller },
      });
      return problemResponse(c, 'not_found', 'no such approval');
    }
    if (wait > 0) {
      const ac = new AbortController();
      c.req.raw.signal.addEventListener('abort', () => ac.abort(), { once: true });
      rec = (await deps.approvals.waitFor(id, Math.min(wait, deps.maxWaitSeconds) * 1000, ac.signal)) ?? rec;
    }
    const now = deps.clock.now();
    await deps.record({
      type: 'approval',
      details: { ...apiCall('GET', path, op?.id ?? null, 'ok', { approval_id: id }), ...caller },
    });
    return c.json(op !== null ? operatorView(rec, now) : agentView(rec, now));
  });

  for (const decision of ['approve', 'deny'] as const) {
    app.post(
      `/v1/approvals/:id/${decision}`,
      requireRole(deps.operators, ['approver'], refuse),
      async (c) => {
        const op = c.get('operator');
        const id = c.req.param('id');
        const path = `/v1/approvals/${ID.test(id) ? id : '{id}'}/${decision}`;
        const body = await readBodyRecorded(c, voteBody, (code) =>
          deps.record({ type: 'approval', details: apiCall('POST', path, op.id, code, { decision }) }),
        );
        const outcome = ID.test(id)
          ? await deps.approvals.vote(id, voterOf(op), decision, body.comment)
          : ({ ok: false, error: { code: 'not_found', detail: 'no such approval' } } as const);
        const result = outcome.ok ? 'ok' : outcome.error.code;
        await deps.record({
          type: 'approval',
          details: apiCall('POST', path, op.id, result, { approval_id: ID.test(id) ? id : null, decision }),
        });
        if (!outcome.ok)
          return problemResponse(
            c,
            outcome.error.code,
            outcome.error.code === 'not_found' ? 'no such approval' : outcome.error.detail,
          );
        return c.json(operatorView(outcome.value, deps.clock.now()));
      },
    );
  }
  return app;
}
