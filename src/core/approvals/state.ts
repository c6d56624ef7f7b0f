/**
 * The approval state machine, as pure functions over ApprovalRecordV1:
 *
 *   pending ──quorum of approvals──► approved ──identical action, once──► (consumed)
 *      │ └──────any eligible denial──► denied   (final)
 *      └──────expires_at passes──────► expired  (= denied)
 *
 * Every transition returns a new record with `revision + 1`; stores apply it with
 * compare-and-set on the old revision, so concurrent votes and consumptions never double count.
 */
import type { ActionV1, ContextV1 } from '../action.js';
import type { ApproverRequirement } from '../decision.js';
import { err, ok, type Result } from '../result.js';
import { parseDurationMs } from './duration.js';
import { quorumMet } from './quorum.js';
import type { ApprovalRecordV1, ApprovalStatus, Requirement, Vote, VoteError, Voter } from './types.js';

export interface ApprovalSettings {
  /** Expiry when no requirement sets `expires_in`. */
  defaultExpiryMs: number;
  /** No approval stays open longer than this, whatever the policy asks. */
  maxExpiryMs: number;
  /** Once approved, the agent has at least this long to use it. */
  useWithinMs: number;
  /** Who must approve when the policy names nobody. */
  defaultRequirement: Requirement;
}

export interface NewApproval {
  id: string;
  decisionId: string;
  agentId: string;
  onBehalfOf: string | null;
  action: ActionV1;
  context: ContextV1 | null;
  actionHash: string;
  requirements: readonly ApproverRequirement[];
  reasons: readonly string[];
}

export function createApproval(
  input: NewApproval,
  settings: ApprovalSettings,
  now: number,
): ApprovalRecordV1 {
  const requirements =
    input.requirements.length === 0
      ? [settings.defaultRequirement]
      : input.requirements.map((r) => ({ roles: [...new Set(r.roles)], count: r.count }));
  const asked = input.requirements
    .map((r) => (r.expires_in === undefined ? null : parseDurationMs(r.expires_in)))
    .filter((ms): ms is number => ms !== null);
  const expiry = Math.min(
    asked.length > 0 ? Math.min(...asked) : settings.defaultExpiryMs,
    settings.maxExpiryMs,
  );
  return {
    v: 1,
    id: input.id,
    status: 'pending',
    action_hash: input.actionHash,
    agent_id: input.agentId,
    on_behalf_of: input.onBehalfOf,
    decision_id: input.decisionId,
    action: input.action,
    context: input.context,
    requirements,
    reasons: [...input.reasons],
    created_at: now,
    expires_at: now + expiry,
    votes: [],
    decided_at: null,
    consumed_at: null,
    consumed_by: null,
    revision: 1,
  };
}

/** The status as of `now`: a pending approval past its expiry is expired, stored or not. */
export function statusAt(rec: ApprovalRecordV1, now: number): ApprovalStatus {
  return rec.status === 'pending' && now >= rec.expires_at ? 'expired' : rec.status;
}

const fold = (s: string): string => s.normalize('NFKC').toLowerCase();

/** Separation of duties: the requesting agent and the user it acts for may not decide. */
export function conflictOf(rec: ApprovalRecordV1, voter: Voter): string | null {
  const names = [voter.id, ...voter.aliases].map(fold);
  if (names.includes(fold(rec.agent_id))) return `${voter.id} is the requesting agent`;
  if (rec.on_behalf_of !== null && names.includes(fold(rec.on_behalf_of))) {
    return `${voter.id} is the user the agent acts for`;
  }
  return null;
}

/** May this person vote at all (holds a role one of the requirements asks for)? */
export function eligible(rec: ApprovalRecordV1, voter: Voter): boolean {
  return rec.requirements.some((r) => r.roles.some((role) => voter.roles.includes(role)));
}

/** Records an approve or deny vote. One eligible denial is final; approvals need the quorum. */
export function castVote(
  rec: ApprovalRecordV1,
  voter: Voter,
  decision: Vote['decision'],
  now: number,
  settings: ApprovalSettings,
  comment?: string,
): Result<ApprovalRecordV1, VoteError> {
  const status = statusAt(rec, now);
  if (status !== 'pending')
    return err({ code: 'approval_closed', detail: `approval ${rec.id} is ${status}` });
  const conflict = conflictOf(rec, voter);
  if (conflict !== null)
    return err({
      code: 'separation_of_duties',
      detail: `${conflict}: they may not decide approval ${rec.id}`,
    });
  if (rec.votes.some((v) => v.by === voter.id)) {
    return err({ code: 'duplicate_vote', detail: `${voter.id} has already voted on approval ${rec.id}` });
  }
  if (!eligible(rec, voter)) {
    const wanted = [...new Set(rec.requirements.flatMap((r) => r.roles))].join(', ');
    return err({ code: 'forbidden', detail: `approval ${rec.id} needs one of the roles ${wanted}` });
  }
  const vote: Vote = {
    by: voter.id,
    decision,
    at: now,
    roles: [...voter.roles],
    ...(comment === undefined ? {} : { comment }),
  };
  const votes = [...rec.votes, vote];
  const next: ApprovalRecordV1 = { ...rec, votes, revision: rec.revision + 1 };
  if (decision === 'deny') {
    next.status = 'denied';
    next.decided_at = now;
  } else if (
    quorumMet(
      rec.requirements,
      votes.filter((v) => v.decision === 'approve'),
    )
  ) {
    next.status = 'approved';
    next.decided_at = now;
    next.expires_at = Math.max(rec.expires_at, now + settings.useWithinMs);
  }
  return ok(next);
}

export function expireApproval(rec: ApprovalRecordV1, now: number): ApprovalRecordV1 {
  return { ...rec, status: 'expired', decided_at: now, revision: rec.revision + 1 };
}

/** Marks an approved approval as used by the decision `decisionId`. */
export function consumeApproval(rec: ApprovalRecordV1, now: number, decisionId: string): ApprovalRecordV1 {
  return { ...rec, consumed_at: now, consumed_by: decisionId, revision: rec.revision + 1 };
}

/**
 * What to do when an escalated action arrives, given the latest approval for the same agent and
 * canonical action:
 * - `report`: answer with that approval's status (pending, or a denial that still holds);
 * - `expire`: it ran out while pending; store the expiry and answer expired (a deny);
 * - `consume`: it is approved and unused; use it (once) and answer approved;
 * - `create`: nothing usable (none, used, expired, or a denial whose time is over): a new approval.
 */
export type RequestPlan =
  | { kind: 'report'; status: 'pending' | 'denied' }
  | { kind: 'expire' }
  | { kind: 'consume' }
  | { kind: 'create' };

export function planRequest(latest: ApprovalRecordV1 | null, now: number): RequestPlan {
  if (latest === null) return { kind: 'create' };
  const live = now < latest.expires_at;
  switch (latest.status) {
    case 'pending':
      return live ? { kind: 'report', status: 'pending' } : { kind: 'expire' };
    case 'approved':
      return live && latest.consumed_at === null ? { kind: 'consume' } : { kind: 'create' };
    case 'denied':
      return live ? { kind: 'report', status: 'denied' } : { kind: 'create' };
    case 'expired':
      return { kind: 'create' };
  }
}
