/**
 * The approval port over an ApprovalStore. The pipeline calls `request` on every escalation:
 * the first time it creates a pending approval bound to the canonical action; when the agent
 * submits the identical action again it reports the status, and once the approval is granted it
 * is consumed by exactly one identical request (that request is allowed). Operators vote through
 * `vote`; agents and the HTTP API can wait for a decision with `waitFor`.
 *
 * Every state change goes to `onChange` (ledger, webhook) before the caller gets an answer.
 */
import { actionHash } from '../../core/approvals/action-hash.js';
import {
  castVote,
  consumeApproval,
  createApproval,
  expireApproval,
  planRequest,
  statusAt,
  type ApprovalSettings,
} from '../../core/approvals/state.js';
import type { ApprovalChange, ApprovalRecordV1, Vote, VoteError, Voter } from '../../core/approvals/types.js';
import type { Clock, IdGen } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import { err, ok, type Result } from '../../core/result.js';
import type { ApprovalListFilter, ApprovalStore } from '../../ports/approval-store.js';
import type { ApprovalPort, ApprovalRequest, ApprovalTicket } from '../../ports/approvals.js';

export interface StoreApprovalsOptions {
  store: ApprovalStore;
  clock: Clock;
  ids: IdGen;
  settings: ApprovalSettings;
  /** Awaited for every state change; a failure fails the operation (the change itself stays). */
  onChange?: (change: ApprovalChange) => Promise<void> | void;
  /** How often pending approvals past their expiry are marked expired (default 5 s; 0: never). */
  sweepIntervalMs?: number;
  onSweepError?: (error: unknown) => void;
}

/** Compare-and-set retries before giving up (only reached under pathological contention). */
const MAX_ATTEMPTS = 16;

export type VoteOutcome = Result<ApprovalRecordV1, VoteError | { code: 'not_found'; detail: string }>;

export class StoreApprovals implements ApprovalPort {
  readonly name = 'store-approvals';
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: StoreApprovalsOptions) {
    const every = options.sweepIntervalMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.sweep().catch((e: unknown) => options.onSweepError?.(e));
      }, every);
      this.timer.unref();
    }
  }

  get store(): ApprovalStore {
    return this.options.store;
  }

  async request(req: ApprovalRequest): Promise<ApprovalTicket> {
    const { store, clock, ids, settings } = this.options;
    const onBehalfOf = req.onBehalfOf ?? null;
    const hash = actionHash({ agentId: req.agent.id, onBehalfOf, action: req.action, context: req.context });
    const expired = await this.awaitedExpiry(req.awaitedApprovalId, req.agent.id, hash);
    if (expired !== null) return expired;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = clock.now();
      const latest = await store.latestFor(req.agent.id, hash);
      const plan = planRequest(latest, now);
      switch (plan.kind) {
        case 'report':
          return { id: latest!.id, status: plan.status };
        case 'expire':
          // The old request ran out; record that, then ask again with a new approval.
          await this.transition(latest!, expireApproval(latest!, now), 'expired', null);
          continue;
        case 'consume': {
          const next = consumeApproval(latest!, now, req.decisionId);
          if (await this.transition(latest!, next, 'consumed', req.decisionId))
            return { id: next.id, status: 'approved' };
          continue;
        }
        case 'create': {
          const rec = createApproval(
            {
              id: `apr_${ids.randomId(16)}`,
              decisionId: req.decisionId,
              agentId: req.agent.id,
              onBehalfOf,
              action: req.action,
              context: req.context ?? null,
              actionHash: hash,
              requirements: req.requirements,
              reasons: req.reasons,
            },
            settings,
            now,
          );
          if (!(await store.insert(rec))) continue;
          await this.changed({ approval: rec, from: null, to: 'pending', event: 'created', by: null });
          return { id: rec.id, status: 'pending' };
        }
      }
    }
    throw new GatewayError(
      'approval_store_unavailable',
      'the approval kept changing while it was being requested',
    );
  }

  async get(id: string): Promise<ApprovalRecordV1 | null> {
    return this.options.store.get(id);
  }

  async list(filter: ApprovalListFilter): Promise<ApprovalRecordV1[]> {
    return this.options.store.list(filter);
  }

  /** Approve or deny by a person. Concurrent votes are serialised by compare-and-set. */
  async vote(id: string, voter: Voter, decision: Vote['decision'], comment?: string): Promise<VoteOutcome> {
    const { store, clock, settings } = this.options;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const rec = await store.get(id);
      if (rec === null) return err({ code: 'not_found', detail: `no approval ${id}` });
      const now = clock.now();
      if (rec.status === 'pending' && statusAt(rec, now) === 'expired') {
        await this.transition(rec, expireApproval(rec, now), 'expired', null);
        continue;
      }
      const result = castVote(rec, voter, decision, now, settings, comment);
      if (!result.ok) return result;
      if (await this.transition(rec, result.value, 'vote', voter.id)) return ok(result.value);
    }
    throw new GatewayError('approval_store_unavailable', 'the approval kept changing while voting');
  }

  /** The awaited approval for this very action, when it has expired: answered as expired. */
  private async awaitedExpiry(
    id: string | undefined,
    agentId: string,
    hash: string,
  ): Promise<ApprovalTicket | null> {
    if (id === undefined) return null;
    const rec = await this.options.store.get(id);
    if (rec === null || rec.agent_id !== agentId || rec.action_hash !== hash) return null;
    const now = this.options.clock.now();
    if (statusAt(rec, now) !== 'expired') return null;
    if (rec.status === 'pending') await this.transition(rec, expireApproval(rec, now), 'expired', null);
    return { id: rec.id, status: 'expired' };
  }

  /**
   * Resolves with the approval once it is no longer pending, or when `timeoutMs` has passed
   * (then still pending). Null when there is no such approval. Other replicas' changes are seen
   * by polling the store once a second.
   */
  async waitFor(id: string, timeoutMs: number, signal?: AbortSignal): Promise<ApprovalRecordV1 | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rec = await this.options.store.get(id);
      if (rec === null) return null;
      const now = this.options.clock.now();
      const status = statusAt(rec, now);
      const left = deadline - Date.now();
      if (status !== 'pending' || left <= 0 || signal?.aborted === true || this.closed)
        return { ...rec, status };
      await this.changeOrTimeout(id, Math.min(left, 1000, Math.max(1, rec.expires_at - now + 1)), signal);
    }
  }

  /** Marks pending approvals past their expiry as expired (ledger event, waiters woken). */
  async sweep(): Promise<number> {
    const now = this.options.clock.now();
    let n = 0;
    for (const rec of await this.options.store.pendingExpiredBy(now, 500)) {
      if (await this.transition(rec, expireApproval(rec, now), 'expired', null)) n++;
    }
    return n;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const set of this.waiters.values()) for (const wake of set) wake();
  }

  private async transition(
    prev: ApprovalRecordV1,
    next: ApprovalRecordV1,
    event: ApprovalChange['event'],
    by: string | null,
  ): Promise<boolean> {
    if (!(await this.options.store.compareAndSet(next, prev.revision))) return false;
    await this.changed({ approval: next, from: prev.status, to: next.status, event, by });
    return true;
  }

  private async changed(change: ApprovalChange): Promise<void> {
    const set = this.waiters.get(change.approval.id);
    if (set !== undefined) for (const wake of set) wake();
    await this.options.onChange?.(change);
  }

  private changeOrTimeout(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(id);
      if (set === undefined) this.waiters.set(id, (set = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}
