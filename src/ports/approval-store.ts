import type { ApprovalRecordV1, ApprovalStatus } from '../core/approvals/types.js';
import type { JsonObject } from '../core/json.js';

export interface ApprovalListFilter {
  /** Stored status; a pending approval past its expiry is still stored as pending until swept. */
  status?: ApprovalStatus;
  agentId?: string;
  /** Newest first; at most this many. */
  limit: number;
  /** Only approvals created before this time (paging). */
  createdBefore?: number;
}

/** Persisted kill-switch and posture state (the store keeps it next to the approvals). */
export interface ControlState {
  all: { reason: string; by: string; at: number } | null;
  agents: Record<string, { reason: string; by: string; at: number }>;
  tools: Record<string, { reason: string; by: string; at: number }>;
  posture: 'normal' | 'elevated' | 'lockdown';
}

/**
 * Where approvals live. Writes are atomic per record: `insert` refuses a second pending
 * approval for the same agent and action, and `compareAndSet` applies a transition only if
 * nobody changed the record since it was read (revision check). Each backend passes
 * test/contract/approval-store.contract.ts.
 */
export interface ApprovalStore {
  readonly name: string;
  /** false when a pending approval for the same agent and action hash already exists. */
  insert(record: ApprovalRecordV1): Promise<boolean>;
  get(id: string): Promise<ApprovalRecordV1 | null>;
  /** The most recently created approval for this agent and canonical action. */
  latestFor(agentId: string, actionHash: string): Promise<ApprovalRecordV1 | null>;
  list(filter: ApprovalListFilter): Promise<ApprovalRecordV1[]>;
  /** Stores `next` if the stored revision is still `expectedRevision`; false otherwise. */
  compareAndSet(next: ApprovalRecordV1, expectedRevision: number): Promise<boolean>;
  /** Pending approvals whose expiry is at or before `now` (for the sweeper). */
  pendingExpiredBy(now: number, limit: number): Promise<ApprovalRecordV1[]>;
  countByStatus(): Promise<Record<ApprovalStatus, number>>;
  loadControlState(): Promise<ControlState | null>;
  saveControlState(state: ControlState): Promise<void>;
  close(): Promise<void>;
}

/**
 * A ledger event about human control: an approval's state change, or a use of the approval or
 * admin API (including refused attempts). The composition root writes it to the audit ledger.
 */
export interface ControlEvent {
  type: 'approval' | 'admin_action';
  details: JsonObject;
  /** The person (operator id) or agent who caused it, when there is one. */
  actor?: string;
  /** The decision an approval belongs to. */
  decision_id?: string;
}

export type RecordControlEvent = (event: ControlEvent) => Promise<void> | void;
