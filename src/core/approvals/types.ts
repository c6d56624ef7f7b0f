import type { ActionV1, ContextV1 } from '../action.js';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** One requirement of an approval: `count` distinct people, each holding one of `roles`. */
export interface Requirement {
  roles: string[];
  count: number;
}

export interface Vote {
  /** The operator's id: one person, counted once. */
  by: string;
  decision: 'approve' | 'deny';
  at: number;
  /** The voter's roles when voting (what made the vote count). */
  roles: string[];
  comment?: string;
}

/**
 * A stored approval (storage format, versioned). It is bound to one canonical action by
 * `action_hash`; only an identical action can consume it, and only once.
 */
export interface ApprovalRecordV1 {
  v: 1;
  id: string;
  status: ApprovalStatus;
  /** "sha256:<hex>" over the canonical action (see actionHash). */
  action_hash: string;
  agent_id: string;
  on_behalf_of: string | null;
  /** The decision that asked for this approval. */
  decision_id: string;
  action: ActionV1;
  context: ContextV1 | null;
  requirements: Requirement[];
  reasons: string[];
  created_at: number;
  expires_at: number;
  votes: Vote[];
  /** When it left `pending` (approved, denied or expired). */
  decided_at: number | null;
  /** When an identical action used the approval (approved only). */
  consumed_at: number | null;
  consumed_by: string | null;
  /** Optimistic concurrency: every stored change increments it. */
  revision: number;
}

/** Who decides: an operator with roles, and the other names the person goes by. */
export interface Voter {
  id: string;
  roles: readonly string[];
  /** Other identifiers of the same person (e-mail, directory name) for separation of duties. */
  aliases: readonly string[];
}

export type VoteErrorCode = 'approval_closed' | 'separation_of_duties' | 'duplicate_vote' | 'forbidden';

export interface VoteError {
  code: VoteErrorCode;
  detail: string;
}

/** A state change, for the ledger and notifications. */
export interface ApprovalChange {
  approval: ApprovalRecordV1;
  from: ApprovalStatus | null;
  to: ApprovalStatus;
  /** What happened: created, a vote, consumed by an identical action, or expiry. */
  event: 'created' | 'vote' | 'consumed' | 'expired';
  by: string | null;
}
