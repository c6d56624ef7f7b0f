import type { ApprovalRecordV1, ApprovalStatus } from '../../../core/approvals/types.js';
import type { ApprovalListFilter, ApprovalStore, ControlState } from '../../../ports/approval-store.js';

/**
 * Approvals in process memory (tests, or a gateway that accepts losing pending approvals on
 * restart). Operations do not await between read and write, so each one is atomic.
 */
export class MemoryApprovalStore implements ApprovalStore {
  readonly name = 'memory-approvals';
  private readonly byId = new Map<string, ApprovalRecordV1>();
  private control: ControlState | null = null;

  insert(record: ApprovalRecordV1): Promise<boolean> {
    for (const r of this.byId.values()) {
      if (r.status === 'pending' && r.agent_id === record.agent_id && r.action_hash === record.action_hash)
        return Promise.resolve(false);
    }
    if (this.byId.has(record.id)) return Promise.resolve(false);
    this.byId.set(record.id, structuredClone(record));
    return Promise.resolve(true);
  }

  get(id: string): Promise<ApprovalRecordV1 | null> {
    const r = this.byId.get(id);
    return Promise.resolve(r === undefined ? null : structuredClone(r));
  }

  latestFor(agentId: string, actionHash: string): Promise<ApprovalRecordV1 | null> {
    let best: ApprovalRecordV1 | null = null;
    for (const r of this.byId.values()) {
      if (r.agent_id !== agentId || r.action_hash !== actionHash) continue;
      if (best === null || r.created_at >= best.created_at) best = r;
    }
    return Promise.resolve(best === null ? null : structuredClone(best));
  }

  list(filter: ApprovalListFilter): Promise<ApprovalRecordV1[]> {
    const out = [...this.byId.values()]
      .filter((r) => filter.status === undefined || r.status === filter.status)
      .filter((r) => filter.agentId === undefined || r.agent_id === filter.agentId)
      .filter((r) => filter.createdBefore === undefined || r.created_at < filter.createdBefore)
      .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1))
      .slice(0, filter.limit);
    return Promise.resolve(out.map((r) => structuredClone(r)));
  }

  compareAndSet(next: ApprovalRecordV1, expectedRevision: number): Promise<boolean> {
    const cur = this.byId.get(next.id);
    if (cur === undefined || cur.revision !== expectedRevision) return Promise.resolve(false);
    this.byId.set(next.id, structuredClone(next));
    return Promise.resolve(true);
  }

  pendingExpiredBy(now: number, limit: number): Promise<ApprovalRecordV1[]> {
    const out = [...this.byId.values()]
      .filter((r) => r.status === 'pending' && r.expires_at <= now)
      .slice(0, limit);
    return Promise.resolve(out.map((r) => structuredClone(r)));
  }

  countByStatus(): Promise<Record<ApprovalStatus, number>> {
    const counts: Record<ApprovalStatus, number> = { pending: 0, approved: 0, denied: 0, expired: 0 };
    for (const r of this.byId.values()) counts[r.status]++;
    return Promise.resolve(counts);
  }

  loadControlState(): Promise<ControlState | null> {
    return Promise.resolve(this.control === null ? null : structuredClone(this.control));
  }

  saveControlState(state: ControlState): Promise<void> {
    this.control = structuredClone(state);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
