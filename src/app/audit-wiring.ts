/**
 * Opens the gateway's ledger from configuration: SQLite (WAL, group commit, fsync per commit)
 * with its Ed25519 signing key and optional witness. `:memory:` keeps an unsigned ledger in
 * memory: for offline evaluation and tests only, never durable.
 */
import { createMemoryAuditStore } from '../adapters/storage/memory/audit-store.js';
import type { AuditStore } from '../ports/audit-store.js';
import { openAuditLedger } from './audit-ledger.js';
import type { GatewayConfig } from './config-schema.js';
import type { Logger } from './logger.js';

export async function openAuditSink(
  config: GatewayConfig,
  baseDir: string,
  logger: Logger,
): Promise<AuditStore> {
  const a = config.audit;
  if (a.path === ':memory:') return createMemoryAuditStore();
  const { store } = await openAuditLedger({
    path: a.path,
    origin: a.origin,
    signingKeyPath: a.signing_key_path,
    checkpointEveryEvents: a.checkpoint_every_events,
    checkpointEveryMs: a.checkpoint_every_ms,
    witness: a.witness,
    baseDir,
    onError: (e) => logger.error({ err: e instanceof Error ? e.message : String(e) }, 'audit ledger error'),
  });
  return store;
}
