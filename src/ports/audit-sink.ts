import type { AuditEventV1 } from '../core/audit/event.js';

export interface AuditAppendReceipt {
  /** Leaf index in the ledger (0-based). */
  index: number;
  id: string;
}

/**
 * Where the pipeline writes audit events. `append` resolves only once the event is durable (as
 * durable as the implementation promises); it rejects when the ledger cannot write, and the
 * pipeline then denies.
 */
export interface AuditSink {
  readonly name: string;
  append(event: AuditEventV1): Promise<AuditAppendReceipt>;
  /** false while the sink cannot write; /readyz reports not ready. */
  ready(): boolean;
  close(): Promise<void>;
}
