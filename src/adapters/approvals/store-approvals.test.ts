import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalChange, Voter } from '../../core/approvals/types.js';
import type { Clock, IdGen } from '../../core/clock.js';
import type { ApprovalRequest } from '../../ports/approvals.js';
import type { ApprovalStore } from '../../ports/approval-store.js';
import { MemoryApprovalStore } from '../storage/memory/approval-store.js';
import { SqliteApprovalStore } from '../storage/sqlite/approval-store.js';
import { StoreApprovals } from './store-approvals.js';

const T0 = Date.UTC(2026, 0, 1);
let now = T0;
const clock: Clock = { now: () => now, monotonicNs: () => BigInt(now) * 1_000_000n };
let seq = 0;
const ids: IdGen = { nextSequence: () => ++seq, randomId: () => (++seq).toString(16).padStart(32, '0') };
const settings = {
  defaultExpiryMs: 3_600_000,
  maxExpiryMs: 86_400_000,
  useWithinMs: 600_000,
  defaultRequirement: { roles: ['approver'], count: 1 },
};

const open: StoreApprovals[] = [];
function make(
  store: ApprovalStore = new MemoryApprovalStore(),
  changes: ApprovalChange[] = [],
): StoreApprovals {
  const a = new StoreApprovals({
    store,
    clock,
    ids,
    settings,
    sweepIntervalMs: 0,
    onChange: (c) => void changes.push(c),
  });
  open.push(a);
  return a;
}
afterEach(() => {
  for (const a of open.splice(0)) a.close();
  now = T0;
});

function req(
  args: Record<string, number | string> = { amount: 20000 },
  over: Partial<ApprovalRequest> = {},
): ApprovalRequest {
  return {
    decisionId: `dec_${++seq}`,
    agent: { id: 'pay-bot', roles: [], permissions: [], attributes: {} },
    onBehalfOf: 'carol',
    action: { kind: 'tool_call', tool: 'payments.transfer', args },
    context: { purpose: 'vendor-payment' },
    requirements: [{ roles: ['treasury'], count: 2 }],
    reasons: ['large transfer'],
    ...over,
  };
}
const who = (id: string, roles = ['approver', 'treasury']): Voter => ({ id, roles, aliases: [] });

async function approved(a: StoreApprovals, r = req()): Promise<string> {
  const t = await a.request(r);
  expect((await a.vote(t.id, who('alice'), 'approve')).ok).toBe(true);
  expect((await a.vote(t.id, who('bob'), 'approve')).ok).toBe(true);
  return t.id;
}

describe('StoreApprovals', () => {
  it('an escalation creates one pending approval; resubmitting while pending reports it', async () => {
    const a = make();
    const first = await a.request(req());
    expect(first).toEqual({ id: expect.stringMatching(/^apr_[0-9a-f]{32}$/), status: 'pending' });
    expect(await a.request(req())).toEqual(first);
    expect((await a.list({ limit: 10 })).length).toBe(1);
  });

  it('quorum reached: the identical action is allowed once; a replay needs a new approval', async () => {
    const changes: ApprovalChange[] = [];
    const a = make(undefined, changes);
    const id = await approved(a);
    expect(await a.request(req())).toEqual({ id, status: 'approved' });
    const replay = await a.request(req());
    expect(replay.status).toBe('pending');
    expect(replay.id).not.toBe(id);
    expect(changes.map((c) => `${c.event}:${c.to}`)).toEqual([
      'created:pending',
      'vote:pending',
      'vote:approved',
      'consumed:approved',
      'created:pending',
    ]);
  });

  it('changed arguments after approval need their own approval', async () => {
    const a = make();
    const id = await approved(a);
    const changed = await a.request(req({ amount: 20001 }));
    expect(changed.status).toBe('pending');
    expect(changed.id).not.toBe(id);
    const otherUser = await a.request(req(undefined, { onBehalfOf: 'dan' }));
    expect(otherUser.status).toBe('pending');
    // The original approval is still there, for the original action only.
    expect(await a.request(req())).toEqual({ id, status: 'approved' });
  });

  it('concurrent approvals by many people count the quorum exactly once', async () => {
    const a = make();
    const t = await a.request(req());
    const votes = await Promise.all(
      ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((p) => a.vote(t.id, who(p), 'approve')),
    );
    const rec = (await a.get(t.id))!;
    expect(rec.status).toBe('approved');
    expect(rec.votes).toHaveLength(2);
    expect(votes.filter((v) => v.ok)).toHaveLength(2);
    expect(votes.filter((v) => !v.ok).map((v) => (v.ok ? '' : v.error.code))).toEqual(
      Array(4).fill('approval_closed'),
    );
  });

  it('the same person approving concurrently counts once', async () => {
    const a = make();
    const t = await a.request(req());
    const votes = await Promise.all(Array.from({ length: 5 }, () => a.vote(t.id, who('alice'), 'approve')));
    expect(votes.filter((v) => v.ok)).toHaveLength(1);
    expect((await a.get(t.id))!.status).toBe('pending');
  });

  it('concurrent identical requests consume an approval exactly once', async () => {
    const a = make();
    const id = await approved(a);
    const tickets = await Promise.all(Array.from({ length: 8 }, () => a.request(req())));
    expect(tickets.filter((t) => t.status === 'approved')).toEqual([{ id, status: 'approved' }]);
    const fresh = new Set(tickets.filter((t) => t.status === 'pending').map((t) => t.id));
    expect(fresh.size).toBe(1);
  });

  it('expiry: nobody can approve it any more, the sweep records it, a resubmission asks again', async () => {
    const changes: ApprovalChange[] = [];
    const a = make(undefined, changes);
    const t = await a.request(req());
    now += 3_600_000;
    const late = await a.vote(t.id, who('alice'), 'approve');
    expect(late.ok ? null : late.error).toEqual({
      code: 'approval_closed',
      detail: `approval ${t.id} is expired`,
    });
    expect((await a.get(t.id))!.status).toBe('expired');
    expect(changes.at(-1)).toMatchObject({ event: 'expired', from: 'pending', to: 'expired' });
    const again = await a.request(req());
    expect(again.status).toBe('pending');
    expect(again.id).not.toBe(t.id);
  });

  it('the sweeper expires overdue approvals', async () => {
    const a = make();
    const t = await a.request(req());
    expect(await a.sweep()).toBe(0);
    now += 3_600_000;
    expect(await a.sweep()).toBe(1);
    expect((await a.get(t.id))!.status).toBe('expired');
  });

  it('a denial is final: later approvals are refused and the identical action stays denied', async () => {
    const a = make();
    const t = await a.request(req());
    expect((await a.vote(t.id, who('alice'), 'deny', 'wrong beneficiary')).ok).toBe(true);
    const after = await a.vote(t.id, who('bob'), 'approve');
    expect(after.ok ? null : after.error.code).toBe('approval_closed');
    expect(await a.request(req())).toEqual({ id: t.id, status: 'denied' });
  });

  it('separation of duties, wrong role and unknown ids are refused', async () => {
    const a = make();
    const t = await a.request(req());
    const self = await a.vote(t.id, { id: 'carol', roles: ['treasury'], aliases: [] }, 'approve');
    expect(self.ok ? null : self.error.code).toBe('separation_of_duties');
    const wrongRole = await a.vote(t.id, who('erin', ['approver']), 'approve');
    expect(wrongRole.ok ? null : wrongRole.error.code).toBe('forbidden');
    const unknown = await a.vote('apr_00000000000000000000000000000000', who('alice'), 'approve');
    expect(unknown.ok ? null : unknown.error.code).toBe('not_found');
  });

  it('waitFor wakes up on a decision, and gives up after its timeout', async () => {
    const a = make();
    const t = await a.request(req(undefined, { requirements: [{ roles: ['treasury'], count: 1 }] }));
    const waiting = a.waitFor(t.id, 5000);
    setTimeout(() => void a.vote(t.id, who('alice'), 'approve'), 20);
    expect((await waiting)?.status).toBe('approved');
    const other = await a.request(req({ amount: 1 }));
    const started = Date.now();
    expect((await a.waitFor(other.id, 50))?.status).toBe('pending');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(await a.waitFor('apr_unknown', 10)).toBeNull();
  });

  it('a pending approval survives a restart (SQLite file reopened) and can then be used', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pc-restart-')), 'approvals.db');
    const before = make(new SqliteApprovalStore(path));
    const t = await before.request(req());
    expect((await before.vote(t.id, who('alice'), 'approve')).ok).toBe(true);
    before.close();
    await before.store.close();

    const after = make(new SqliteApprovalStore(path));
    expect(await after.request(req())).toEqual({ id: t.id, status: 'pending' });
    const again = await after.vote(t.id, who('alice'), 'approve');
    expect(again.ok ? null : again.error.code).toBe('duplicate_vote');
    expect((await after.vote(t.id, who('bob'), 'approve')).ok).toBe(true);
    expect(await after.request(req())).toEqual({ id: t.id, status: 'approved' });
    expect((await after.request(req())).status).toBe('pending');
    await after.store.close();
  });
});
