/** The ApprovalStore contract: every backend (memory, SQLite) runs these cases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, castVote, type ApprovalSettings } from '../../src/core/approvals/state.js';
import type { ApprovalRecordV1 } from '../../src/core/approvals/types.js';
import type { ApprovalStore } from '../../src/ports/approval-store.js';

const T0 = Date.UTC(2026, 0, 1);
export const SETTINGS: ApprovalSettings = {
  defaultExpiryMs: 3_600_000,
  maxExpiryMs: 86_400_000,
  useWithinMs: 60_000,
  defaultRequirement: { roles: ['approver'], count: 1 },
};

let n = 0;
export function record(over: { agent?: string; hash?: string; at?: number } = {}): ApprovalRecordV1 {
  n++;
  return createApproval(
    {
      id: `apr_${n.toString(16).padStart(32, '0')}`,
      decisionId: `dec_${n}`,
      agentId: over.agent ?? 'bot',
      onBehalfOf: null,
      action: { kind: 'tool_call', tool: 'x', args: { n } },
      context: null,
      actionHash: over.hash ?? `sha256:${n}`,
      requirements: [],
      reasons: ['r'],
    },
    SETTINGS,
    over.at ?? T0 + n,
  );
}

const approve = (r: ApprovalRecordV1, by = 'alice'): ApprovalRecordV1 => {
  const v = castVote(r, { id: by, roles: ['approver'], aliases: [] }, 'approve', r.created_at + 1, SETTINGS);
  if (!v.ok) throw new Error(v.error.detail);
  return v.value;
};

export function approvalStoreContract(name: string, open: () => Promise<ApprovalStore>): void {
  describe(`ApprovalStore contract: ${name}`, () => {
    let store: ApprovalStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('stores and returns a record unchanged; unknown ids are null', async () => {
      const r = record();
      expect(await store.insert(r)).toBe(true);
      expect(await store.get(r.id)).toEqual(r);
      expect(await store.get('apr_nope')).toBeNull();
    });

    it('holds at most one pending approval per agent and action', async () => {
      const first = record({ hash: 'sha256:same' });
      const second = record({ hash: 'sha256:same' });
      expect(await store.insert(first)).toBe(true);
      expect(await store.insert(second)).toBe(false);
      expect(await store.insert(record({ hash: 'sha256:same', agent: 'other-bot' }))).toBe(true);
      expect(await store.compareAndSet(approve(first), first.revision)).toBe(true);
      expect(await store.insert(second)).toBe(true);
      expect((await store.latestFor('bot', 'sha256:same'))?.id).toBe(second.id);
    });

    it('compare-and-set applies exactly one of two concurrent transitions', async () => {
      const r = record();
      await store.insert(r);
      const a = approve(r, 'alice');
      const b = approve(r, 'bob');
      const results = await Promise.all([
        store.compareAndSet(a, r.revision),
        store.compareAndSet(b, r.revision),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const stored = await store.get(r.id);
      expect(stored?.votes).toHaveLength(1);
      expect(await store.compareAndSet(a, r.revision)).toBe(false);
      expect(await store.compareAndSet({ ...a, id: 'apr_missing' }, 1)).toBe(false);
    });

    it('lists newest first, filtered and paged', async () => {
      const agent = `list-${name}`;
      const rs = [
        record({ agent, at: T0 + 10_000 }),
        record({ agent, at: T0 + 20_000 }),
        record({ agent, at: T0 + 30_000 }),
      ];
      for (const r of rs) await store.insert(r);
      await store.compareAndSet(approve(rs[1]!), rs[1]!.revision);
      expect((await store.list({ agentId: agent, limit: 10 })).map((r) => r.id)).toEqual([
        rs[2]!.id,
        rs[1]!.id,
        rs[0]!.id,
      ]);
      expect((await store.list({ agentId: agent, limit: 10, status: 'pending' })).map((r) => r.id)).toEqual([
        rs[2]!.id,
        rs[0]!.id,
      ]);
      expect((await store.list({ agentId: agent, limit: 1 })).map((r) => r.id)).toEqual([rs[2]!.id]);
      expect(
        (await store.list({ agentId: agent, limit: 10, createdBefore: T0 + 30_000 })).map((r) => r.id),
      ).toEqual([rs[1]!.id, rs[0]!.id]);
    });

    it('finds pending approvals past their expiry and counts by status', async () => {
      const r = record({ agent: `exp-${name}`, at: T0 - 10 * 3_600_000 });
      await store.insert(r);
      const due = await store.pendingExpiredBy(r.expires_at, 1000);
      expect(due.map((x) => x.id)).toContain(r.id);
      expect((await store.pendingExpiredBy(r.expires_at - 1, 1000)).map((x) => x.id)).not.toContain(r.id);
      const counts = await store.countByStatus();
      expect(counts.pending).toBeGreaterThan(0);
      expect(counts.approved).toBeGreaterThan(0);
    });

    it('keeps the kill-switch state', async () => {
      expect(await store.loadControlState()).toBeNull();
      const state = {
        all: null,
        agents: { 'bad-bot': { reason: 'incident 42', by: 'alice', at: T0 } },
        tools: {},
        posture: 'elevated' as const,
      };
      await store.saveControlState(state);
      expect(await store.loadControlState()).toEqual(state);
    });
  });
}
