import type { ApprovalPort, ApprovalRequest, ApprovalTicket } from '../../ports/approvals.js';

/**
 * Minimal approval port: records each escalation as pending, keyed by its decision id. Nothing
 * can approve yet, so an escalation never turns into an allow here.
 */
export class MemoryApprovals implements ApprovalPort {
  readonly name = 'memory-approvals';
  readonly pending = new Map<string, ApprovalRequest>();

  request(req: ApprovalRequest): Promise<ApprovalTicket> {
    const id = `apr_${req.decisionId.slice(4)}`;
    this.pending.set(id, req);
    return Promise.resolve({ id, status: 'pending' });
  }
}
