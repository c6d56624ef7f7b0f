/**
 * The synchronous storage primitives a ledger needs. SQLite (better-sqlite3) and memory both
 * implement it; `createLedgerStore` builds the AuditStore (group commit, checkpoints, proofs,
 * queries) on top, so both behave identically and pass one contract suite.
 */
import type { EventColumns } from '../../../core/audit/event-encode.js';
import type { TreeReader } from '../../../core/audit/merkle.js';
import type {
  LedgerEventRow,
  LedgerEventRowWithColumns,
  LedgerExtent,
  LedgerNodeRow,
  StoredCheckpoint,
} from '../../../ports/audit-store.js';

export interface BackendEventRow {
  readonly index: number;
  readonly text: string;
  readonly columns: EventColumns;
}

/** What the writer hands a backend once a batch's events are written: its hashes and checkpoint. */
export interface BatchSeal {
  /**
   * Per row, the hashes completed at tree size index + 1, level 0 first, 32 bytes each, as a
   * binary string (one character per byte, Node's 'latin1'): copied into pages without decoding.
   */
  readonly nodes: readonly string[];
  /** A checkpoint to store in the same commit, or null. */
  readonly checkpoint: BackendCheckpointRow | null;
}

export interface BackendCheckpointRow {
  size: number;
  root: Uint8Array;
  note: string;
  verifierKey: string;
  timeMs: number;
}

/** Filters after validation; `limit` is the number of rows to return. */
export interface BackendQuery {
  from: number;
  to: number | null;
  agent: string | null;
  outcome: string | null;
  type: string | null;
  decisionId: string | null;
  since: number | null;
  until: number | null;
  limit: number;
}

export interface LedgerBackend extends TreeReader {
  readonly name: string;
  readonly readonly: boolean;
  /** Committed tree size (cheap: O(log n)). */
  size(): number;
  /** Table extents for verification (may scan). */
  extent(): LedgerExtent;
  /**
   * Writes all rows, then calls `seal` and writes the hashes and checkpoint it returns, in one
   * atomic, durable commit, or throws having written nothing (also when `seal` throws). The rows
   * come first so that the writer can compute their hashes on another thread meanwhile. Returns
   * the stored checkpoint.
   */
  appendBatch(rows: readonly BackendEventRow[], seal: () => BatchSeal): StoredCheckpoint | null;
  /**
   * Present when appendBatch's commit is not itself durable: makes every commit that returned
   * before the call durable (off the event loop), or rejects. The writer resolves appends only
   * after it. appendCheckpoint is durable when it returns either way.
   */
  readonly sync?: (() => Promise<void>) | undefined;
  appendCheckpoint(row: BackendCheckpointRow): StoredCheckpoint;
  eventRows(from: number, to: number): LedgerEventRow[];
  eventRowsWithColumns(from: number, to: number): LedgerEventRowWithColumns[];
  nodeRows(from: number, to: number): LedgerNodeRow[];
  /** Texts of events [from, to) in order if every one exists, else null. */
  eventTexts(from: number, to: number): string[] | null;
  /** Hex hashes for sizes (from, to] in order if every row exists, else null. */
  nodeHashes(from: number, to: number): string[] | null;
  queryEvents(query: BackendQuery): LedgerEventRow[];
  /** First event with this id (ids repeat only if identical events were appended twice). */
  eventById(id: string): LedgerEventRow | null;
  eventsByDecision(decisionId: string): LedgerEventRow[];
  checkpoints(): StoredCheckpoint[];
  latestCheckpoint(): StoredCheckpoint | null;
  close(): void;
}
