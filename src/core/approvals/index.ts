/** Human approvals: the state machine (quorum, separation of duties, expiry, single use). */
export * from './types.js';
export { actionHash } from './action-hash.js';
export { parseDurationMs } from './duration.js';
export { quorumMet, seatsFilled } from './quorum.js';
export {
  castVote,
  conflictOf,
  consumeApproval,
  createApproval,
  eligible,
  expireApproval,
  planRequest,
  statusAt,
  type ApprovalSettings,
  type NewApproval,
  type RequestPlan,
} from './state.js';
