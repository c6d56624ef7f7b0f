/**
 * Opens the gateway's ledger from configuration: SQLite (WAL, group commit, fsync per commit off
 * the event loop)
 * with its Ed25519 signing key and optional witness. `:memory:` keeps an unsigned ledger in
 * memory: for offline evaluation and tests only, never durable.
 */
import { createMemoryAuditStore } from '../adapters/storage/memory/audit-store.js';
import type { AuditStore } from '../ports/audit-store.js';
import { openAuditLedger } from './audit-ledger.js';
import type { GatewayConfig } from './config-schema.js';
import type { Logger } from './logger.js';

/**
 * With `audit.durability: async` no request waits for a commit, so appends gather this long and
 * share one (the decision and the outcome of a call usually land in the same commit). It bounds
 * what a crash can lose on top of async's usual terms: the events of the last few milliseconds.
 */
export const ASYNC_COMMIT_WINDOW_MS = 5;

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
    ...(a.durability === 'async' ? { commitWindowMs: ASYNC_COMMIT_WINDOW_MS } : {}),
    baseDir,
    onError: (e) => logger.error({ err: e instanceof Error ? e.message : String(e) }, 'audit ledger error'),
  });
  return store;
}
