import type { AuditEventV1 } from '../core/audit/event.js';
import type { AuditAppendReceipt, AuditSink } from '../ports/audit-sink.js';
import type { GatewayConfig } from './config-schema.js';
import type { Logger } from './logger.js';

/** Placeholder until the ledger store lands: keeps events in memory. */
class InMemorySink implements AuditSink {
  readonly name = 'memory-ledger';
  readonly events: AuditEventV1[] = [];
  append(event: AuditEventV1): Promise<AuditAppendReceipt> {
    this.events.push(event);
    return Promise.resolve({ index: this.events.length - 1, id: event.id });
  }
  ready(): boolean {
    return true;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function openAuditSink(_config: GatewayConfig, _baseDir: string, _logger: Logger): Promise<AuditSink> {
  return Promise.resolve(new InMemorySink());
}
