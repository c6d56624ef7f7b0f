/**
 * Admin API (Hono sub-app, mounted at the root):
 *   POST /v1/admin/freeze     {target: agent|tool|all, id?, reason}   admin
 *   POST /v1/admin/unfreeze   {target: agent|tool|all, id?, reason?}  admin
 *   PUT  /v1/admin/posture    {posture: normal|elevated|lockdown, reason}  admin
 *   GET  /v1/admin/status     kill switch, posture, approvals, limits   admin, auditor
 * A freeze takes effect on the next request in every adapter. Every use is recorded.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import type { JsonObject } from '../../../core/json.js';
import type { RecordControlEvent } from '../../../ports/approval-store.js';
import { POSTURES, type FreezeTarget, type KillSwitch } from '../../enricher/kill-switch.js';
import { requireRole, type OperatorAuthenticator, type OperatorEnv } from '../../identity/operators.js';
import { problemFromError } from '../problem.js';
import { apiCall, invalid, readBodyRecorded, refusalHandler } from './control-common.js';

export interface AdminRoutesDeps {
  killSwitch: KillSwitch;
  operators: OperatorAuthenticator;
  record: RecordControlEvent;
  clock: Clock;
  /** Further facts for GET /v1/admin/status (approval counts, limits, policy version...). */
  status?: () => Promise<JsonObject> | JsonObject;
}

const name = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_.:/@*-]+$/, 'letters, digits, _ . : / @ - and * only');
const reason = z.string().trim().min(1).max(1000);
const target = z.enum(['agent', 'tool', 'all']);

const freezeBody = z
  .strictObject({ target, id: name.optional(), reason })
  .refine((b) => (b.target === 'all') === (b.id === undefined), {
    message: 'id is required for agent and tool, and not allowed for all',
    path: ['id'],
  })
  .refine((b) => b.target !== 'agent' || !(b.id ?? '').includes('*'), {
    message: 'agent ids are exact (no *)',
    path: ['id'],
  });
const unfreezeBody = z
  .strictObject({ target, id: name.optional(), reason: reason.optional() })
  .refine((b) => (b.target === 'all') === (b.id === undefined), {
    message: 'id is required for agent and tool, and not allowed for all',
    path: ['id'],
  });
const postureBody = z.strictObject({ posture: z.enum(POSTURES as [string, ...string[]]), reason });

function targetOf(b: { target: 'agent' | 'tool' | 'all'; id?: string | undefined }): FreezeTarget {
  return b.target === 'all' ? { type: 'all' } : { type: b.target, id: b.id! };
}

export function createAdminRoutes(deps: AdminRoutesDeps): Hono<OperatorEnv> {
  const app = new Hono<OperatorEnv>();
  const refuse = refusalHandler(deps.record, 'admin_action');
  const record = (details: JsonObject): Promise<void> | void =>
    deps.record({ type: 'admin_action', details });
  app.onError((e, c) => problemFromError(c, e));

  app.post('/v1/admin/freeze', requireRole(deps.operators, ['admin'], refuse), async (c) => {
    const op = c.get('operator');
    const b = await readBodyRecorded(c, freezeBody, (code) =>
      record(apiCall('POST', '/v1/admin/freeze', op.id, code)),
    );
    const changed = await deps.killSwitch.freeze(targetOf(b), b.reason, op.id, deps.clock.now());
    await record(
      apiCall('POST', '/v1/admin/freeze', op.id, 'ok', {
        target: b.target,
        id: b.id ?? null,
        reason: b.reason,
        changed,
      }),
    );
    return c.json({ changed, state: deps.killSwitch.snapshot() as unknown as JsonObject });
  });

  app.post('/v1/admin/unfreeze', requireRole(deps.operators, ['admin'], refuse), async (c) => {
    const op = c.get('operator');
    const b = await readBodyRecorded(c, unfreezeBody, (code) =>
      record(apiCall('POST', '/v1/admin/unfreeze', op.id, code)),
    );
    const changed = await deps.killSwitch.unfreeze(targetOf(b));
    await record(
      apiCall('POST', '/v1/admin/unfreeze', op.id, 'ok', {
        target: b.target,
        id: b.id ?? null,
        reason: b.reason ?? null,
        changed,
      }),
    );
    return c.json({ changed, state: deps.killSwitch.snapshot() as unknown as JsonObject });
  });

  app.put('/v1/admin/posture', requireRole(deps.operators, ['admin'], refuse), async (c) => {
    const op = c.get('operator');
    const b = await readBodyRecorded(c, postureBody, (code) =>
      record(apiCall('PUT', '/v1/admin/posture', op.id, code)),
    );
    const previous = await deps.killSwitch.setPosture(b.posture as (typeof POSTURES)[number]);
    await record(
      apiCall('PUT', '/v1/admin/posture', op.id, 'ok', { posture: b.posture, previous, reason: b.reason }),
    );
    return c.json({ posture: b.posture, previous });
  });

  app.get('/v1/admin/status', requireRole(deps.operators, ['admin', 'auditor'], refuse), async (c) => {
    const op = c.get('operator');
    if (Object.keys(c.req.query()).length > 0) {
      await record(apiCall('GET', '/v1/admin/status', op.id, 'invalid_request'));
      return invalid(c, 'this endpoint takes no query parameters');
    }
    const state = deps.killSwitch.snapshot();
    const extra = (await deps.status?.()) ?? {};
    await record(apiCall('GET', '/v1/admin/status', op.id, 'ok'));
    return c.json({
      posture: state.posture,
      frozen: { all: state.all, agents: state.agents, tools: state.tools },
      ...extra,
    });
  });
  return app;
}
