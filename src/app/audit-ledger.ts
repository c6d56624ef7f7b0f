/**
 * Opening the audit ledger from configuration (the composition root's one call), opening it
 * read-only for the CLI, and reading witness checkpoints back. Paths resolve against `baseDir`.
 */
import { isAbsolute, resolve } from 'node:path';
import { createWitness } from '../adapters/witness/index.js';
import { openSqliteAuditStore, type SqliteSynchronous } from '../adapters/storage/sqlite/audit-store.js';
import type { AuditStore, CheckpointWitness } from '../ports/audit-store.js';
import { loadOrCreateSigningKey, readVerifierKey, type LedgerKey } from './audit-key.js';

export interface AuditLedgerSettings {
  /** SQLite file, or `:memory:` (not durable; tests only). */
  path: string;
  /** Checkpoint origin and signing key name. */
  origin: string;
  signingKeyPath: string;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /** Directory or http(s) URL receiving every signed checkpoint. */
  witness?: string | undefined;
  /**
   * 'background' (default): fsync per group commit, off the event loop (see the SQLite store);
   * 'full': fsync inside each commit; 'normal': survives crashes, not power loss.
   */
  synchronous?: SqliteSynchronous;
  /** How long appends gather before a commit; 0 (default) commits at the end of each turn. */
  commitWindowMs?: number;
  baseDir: string;
  onError?: (error: unknown) => void;
}

export interface OpenedLedger {
  store: AuditStore;
  key: LedgerKey;
  witness: CheckpointWitness | null;
}

const at = (baseDir: string, p: string): string =>
  p === ':memory:' || isAbsolute(p) ? p : resolve(baseDir, p);

/** Opens (creating on first start) the ledger and its signing key for the gateway. */
export async function openAuditLedger(s: AuditLedgerSettings): Promise<OpenedLedger> {
  const key = await loadOrCreateSigningKey(at(s.baseDir, s.signingKeyPath), s.origin);
  const witness = s.witness ? createWitness(s.witness, { baseDir: s.baseDir }) : null;
  const store = openSqliteAuditStore({
    path: at(s.baseDir, s.path),
    origin: s.origin,
    signer: key.signer,
    checkpoints: { everyEvents: s.checkpointEveryEvents, everyMs: s.checkpointEveryMs },
    ...(witness ? { witness } : {}),
    synchronous: s.synchronous ?? 'background',
    ...(s.commitWindowMs ? { commitWindowMs: s.commitWindowMs } : {}),
    ...(s.onError ? { onError: s.onError } : {}),
  });
  return { store, key, witness };
}

/** Opens an existing ledger read-only (verify, export, trace) next to a running gateway. */
export function openAuditLedgerReadOnly(path: string, baseDir = '.'): AuditStore {
  return openSqliteAuditStore({ path: at(baseDir, path), readonly: true });
}

/** The verifier key for the configured signing key (what `verify` trusts by default). */
export function configuredVerifierKey(
  signingKeyPath: string,
  origin: string,
  baseDir = '.',
): Promise<string> {
  return readVerifierKey(at(baseDir, signingKeyPath), origin);
}

/** All checkpoint notes a witness (directory or URL) holds. */
export function readWitnessCheckpoints(target: string, baseDir = '.'): Promise<string[]> {
  return createWitness(target, { baseDir }).list();
}
