import type { ActionV1, AgentIdentity, ContextV1 } from '../core/action.js';
import type { ApproverRequirement } from '../core/decision.js';

export interface ApprovalRequest {
  decisionId: string;
  agent: AgentIdentity;
  onBehalfOf: string | undefined;
  action: ActionV1;
  context: ContextV1 | undefined;
  requirements: ApproverRequirement[];
  reasons: string[];
  /**
   * The approval an agent waited for (long-poll). If it expired, the answer is that expiry (a
   * deny), not a fresh approval: expiry means denied.
   */
  awaitedApprovalId?: string;
}

export interface ApprovalTicket {
  id: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
}

/** Human approval (issue 6 fills this port with quorum, separation of duties and expiry). */
export interface ApprovalPort {
  readonly name: string;
  request(req: ApprovalRequest): Promise<ApprovalTicket>;
}
