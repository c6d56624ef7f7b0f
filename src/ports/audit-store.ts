/**
 * The audit ledger's storage port. The write side is the pipeline's `AuditSink`; the read side
 * serves the auditor API (events, checkpoints, proofs) and the offline verifier. Every store
 * (memory, SQLite) passes the same contract suite (test/contract/audit-store.contract.ts).
 */
import type { AuditEventType, AuditEventV1 } from '../core/audit/event.js';
import type { NoteSigner } from '../core/audit/note.js';
import type { AuditSink } from './audit-sink.js';

export interface AuditEventQuery {
  /** First leaf index, inclusive. */
  from?: number;
  /** Last leaf index, exclusive. */
  to?: number;
  /** action.agent.id */
  agent?: string;
  /** decision.outcome (allow, deny, escalate) or an outcome event's status. */
  outcome?: string;
  type?: AuditEventType;
  decisionId?: string;
  /** Event time window in ms since the epoch, inclusive. */
  since?: number;
  until?: number;
  /** Pagination cursor: only events with index > after. */
  after?: number;
  /** Page size, 1..1000 (default 100). */
  limit?: number;
}

export interface StoredAuditEvent {
  index: number;
  event: AuditEventV1;
  /** The canonical JSON the leaf hash commits to. */
  canonical: string;
}

export interface AuditEventPage {
  events: StoredAuditEvent[];
  /** Cursor for the next page (pass as `after`), or null when this page is the last. */
  next: number | null;
}

export interface StoredCheckpoint {
  /** 1, 2, 3... in signing order. */
  seq: number;
  size: number;
  /** Root hash, base64 (as in the note). */
  root: string;
  /** The signed note (C2SP tlog-checkpoint), exactly as signed. */
  note: string;
  /** Verifier key of the signer, `<name>+<hex id>+<base64 key>`. */
  verifierKey: string;
  /** When it was signed, RFC 3339. Not part of the signed text. */
  time: string;
}

/** RFC 9162 proofs in JSON-friendly form: hashes are base64. */
export interface InclusionProofV1 {
  leaf_index: number;
  tree_size: number;
  leaf_hash: string;
  root_hash: string;
  hashes: string[];
}

export interface ConsistencyProofV1 {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  hashes: string[];
}

/** A stored event row as committed, unparsed: what verification and export read. */
export interface LedgerEventRow {
  index: number;
  text: string;
}

export interface LedgerEventRowWithColumns extends LedgerEventRow {
  id: string;
  type: string;
  timeMs: number;
  agent: string | null;
  outcome: string | null;
  decisionId: string | null;
}

/**
 * The Merkle hashes completed when the tree reached `size`: level 0 (the leaf `size - 1`) first,
 * then one more level per trailing zero bit of `size`; lower-case hex, concatenated.
 */
export interface LedgerNodeRow {
  size: number;
  hashes: string;
}

/** How far each table reaches; on an untampered ledger all three agree. */
export interface LedgerExtent {
  /** Highest event index + 1 (0 when empty). */
  events: number;
  /** Number of event rows. */
  eventRows: number;
  /** Highest tree size with stored nodes (0 when empty). */
  nodes: number;
}

/** Read access for verification and export: raw rows in index order, in chunks. */
export interface AuditLedgerReader {
  extent(): Promise<LedgerExtent>;
  /** Rows with from <= index < to, ascending. */
  eventRows(from: number, to: number): Promise<LedgerEventRow[]>;
  eventRowsWithColumns(from: number, to: number): Promise<LedgerEventRowWithColumns[]>;
  /** Node rows with from < size <= to, ascending. */
  nodeRows(from: number, to: number): Promise<LedgerNodeRow[]>;
  /** Fast path of eventRows: the texts of events [from, to) if all are present, else null. */
  eventTexts(from: number, to: number): Promise<string[] | null>;
  /** Fast path of nodeRows: the hashes for sizes (from, to] if all are present, else null. */
  nodeHashes(from: number, to: number): Promise<string[] | null>;
  /** All checkpoints, ascending by seq. */
  listCheckpoints(): Promise<StoredCheckpoint[]>;
}

/**
 * Leaf hashes (RFC 9162, SHA-256(0x00 || utf8(text))) computed on another thread. `submit` takes
 * the leading texts (as many as it can; null: none, hash them yourself) and returns a ticket;
 * `collect` returns that submission's hashes in order as binary strings (one character per
 * byte), or null when the helper failed and the caller must hash them itself; `abandon` gives a
 * ticket up. Every ticket is collected or abandoned. Implemented by LeafHasher
 * (adapters/storage/audit-ledger/leaf-hasher.ts).
 */
export interface LeafHashOffload {
  submit(texts: readonly string[]): LeafHashTicket | null;
  collect(ticket: number): string[] | null;
  abandon(ticket: number): void;
  /** Whether the last collect() had to wait for the helper. */
  readonly waited: boolean;
}

export interface LeafHashTicket {
  ticket: number;
  /** How many of the leading texts it took. */
  count: number;
}

export interface AuditStoreStatus {
  ready: boolean;
  /** Committed events. */
  size: number;
  /** Appends queued but not yet committed. */
  pending: number;
  lastError: string | null;
  latestCheckpoint: { seq: number; size: number } | null;
  /** Commit batches and events since open (group commit: events / batches per fsync). */
  batches: number;
  appended: number;
  witness: { name: string; submitted: number; pending: number; lastError: string | null } | null;
}

export interface AuditStore extends AuditSink, AuditLedgerReader {
  /** Committed events (the current tree size). */
  size(): Promise<number>;
  listEvents(query?: AuditEventQuery): Promise<AuditEventPage>;
  getEvent(id: string): Promise<StoredAuditEvent | null>;
  getEventAt(index: number): Promise<StoredAuditEvent | null>;
  /** The decision event, its outcome events and approval events, in ledger order. */
  getDecisionEvents(decisionId: string): Promise<StoredAuditEvent[]>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  /** Root of the first `size` leaves (default: all), base64. */
  rootAt(size?: number): Promise<string>;
  /** Inclusion proof of leaf `index` in the tree of `size` leaves (default: current size). */
  inclusionProof(index: number, size?: number): Promise<InclusionProofV1>;
  /** Consistency proof between two tree sizes (`to` defaults to the current size). */
  consistencyProof(from: number, to?: number): Promise<ConsistencyProofV1>;
  /** Hashes proving leaves [from, to) are in the tree of `size` leaves (see rangeProof). */
  rangeProof(from: number, to: number, size: number): Promise<string[]>;
  /** Signs a checkpoint for the current size now (null if nothing new or no signer). */
  checkpointNow(): Promise<StoredCheckpoint | null>;
  /**
   * Rotates the signing key: appends `rotationEvent` (a key_rotation event naming both verifier
   * keys), signs a checkpoint covering it with the old key, then signs with `next` from then on.
   */
  rotateSigner(next: NoteSigner, rotationEvent: AuditEventV1): Promise<StoredCheckpoint>;
  /** The verifier key of the current signer, or null for a read-only store. */
  verifierKey(): string | null;
  /** Resolves once everything appended so far is committed (or rejected). */
  flush(): Promise<void>;
  status(): AuditStoreStatus;
}

/** Where signed checkpoints are also sent, so a rewritten ledger cannot go unnoticed. */
export interface CheckpointWitness {
  readonly name: string;
  /** Hands over one signed checkpoint note; rejects if it was not accepted. */
  submit(note: string): Promise<void>;
  /** Every checkpoint note the witness holds. */
  list(): Promise<string[]>;
}
