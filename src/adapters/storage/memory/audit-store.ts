/**
 * In-memory audit ledger: the same behaviour as the SQLite store (it shares the group-commit,
 * checkpoint and proof code) but nothing survives the process. For tests and `:memory:` configs.
 */
import { binToHex, fromHex, toBase64 } from '../../../core/audit/hash.js';
import type {
  AuditStore,
  LedgerEventRow,
  LedgerEventRowWithColumns,
  LedgerExtent,
  LedgerNodeRow,
  StoredCheckpoint,
} from '../../../ports/audit-store.js';
import type {
  BackendCheckpointRow,
  BackendEventRow,
  BackendQuery,
  BatchSeal,
  LedgerBackend,
} from '../audit-ledger/backend.js';
import { createLedgerStore, type LedgerStoreOptions } from '../audit-ledger/ledger-store.js';

export interface MemoryAuditStoreOptions extends LedgerStoreOptions {
  /** Test hook: when it returns true, the next commit fails as a full disk would. */
  failWrites?: () => boolean;
  /**
   * Test hook: commits are not durable until this resolves, as with SQLite's 'background'
   * synchronous mode (the group-commit writer waits for it before resolving appends).
   */
  sync?: () => Promise<void>;
}

/** A stored row: the event and its Merkle hashes as hex. */
interface MemoryRow extends BackendEventRow {
  readonly nodesHex: string;
}

class MemoryLedgerBackend implements LedgerBackend {
  readonly name = 'memory';
  readonly readonly = false;
  private readonly events: MemoryRow[] = [];
  private readonly cps: StoredCheckpoint[] = [];

  constructor(
    private readonly failWrites: (() => boolean) | undefined,
    readonly sync: (() => Promise<void>) | undefined,
  ) {}

  size(): number {
    return this.events.length;
  }

  extent(): LedgerExtent {
    return { events: this.events.length, eventRows: this.events.length, nodes: this.events.length };
  }

  appendBatch(rows: readonly BackendEventRow[], seal: () => BatchSeal): StoredCheckpoint | null {
    if (this.failWrites?.()) throw new Error('simulated write failure');
    const { nodes, checkpoint } = seal();
    const stored = checkpoint ? this.appendCheckpoint(checkpoint) : null;
    rows.forEach((r, k) => this.events.push({ ...r, nodesHex: binToHex(nodes[k]!) }));
    return stored;
  }

  appendCheckpoint(row: BackendCheckpointRow): StoredCheckpoint {
    if (this.failWrites?.()) throw new Error('simulated write failure');
    const cp: StoredCheckpoint = {
      seq: this.cps.length + 1,
      size: row.size,
      root: toBase64(row.root),
      note: row.note,
      verifierKey: row.verifierKey,
      time: new Date(row.timeMs).toISOString(),
    };
    this.cps.push(cp);
    return cp;
  }

  node(level: number, index: number): Uint8Array {
    const size = (index + 1) * 2 ** level;
    const row = this.events[size - 1];
    if (!row || row.nodesHex.length < (level + 1) * 64)
      throw new RangeError(`no stored node (${level}, ${index})`);
    return fromHex(row.nodesHex.slice(level * 64, (level + 1) * 64));
  }

  eventRows(from: number, to: number): LedgerEventRow[] {
    return this.events
      .slice(Math.max(0, from), Math.max(0, to))
      .map((r) => ({ index: r.index, text: r.text }));
  }

  eventRowsWithColumns(from: number, to: number): LedgerEventRowWithColumns[] {
    return this.events
      .slice(Math.max(0, from), Math.max(0, to))
      .map((r) => ({ index: r.index, text: r.text, ...r.columns }));
  }

  nodeRows(from: number, to: number): LedgerNodeRow[] {
    return this.events
      .slice(Math.max(0, from), Math.max(0, to))
      .map((r) => ({ size: r.index + 1, hashes: r.nodesHex }));
  }

  eventTexts(from: number, to: number): string[] | null {
    if (from < 0 || to > this.events.length) return null;
    return this.events.slice(from, to).map((r) => r.text);
  }

  nodeHashes(from: number, to: number): string[] | null {
    if (from < 0 || to > this.events.length) return null;
    return this.events.slice(from, to).map((r) => r.nodesHex);
  }

  queryEvents(q: BackendQuery): LedgerEventRow[] {
    const out: LedgerEventRow[] = [];
    const end = Math.min(this.events.length, q.to ?? Infinity);
    for (let i = Math.max(0, q.from); i < end && out.length < q.limit; i++) {
      const { columns: c, text } = this.events[i]!;
      if (q.agent !== null && c.agent !== q.agent) continue;
      if (q.outcome !== null && c.outcome !== q.outcome) continue;
      if (q.type !== null && c.type !== q.type) continue;
      if (q.decisionId !== null && c.decisionId !== q.decisionId) continue;
      if (q.since !== null && c.timeMs < q.since) continue;
      if (q.until !== null && c.timeMs > q.until) continue;
      out.push({ index: i, text });
    }
    return out;
  }

  eventById(id: string): LedgerEventRow | null {
    const row = this.events.find((r) => r.columns.id === id);
    return row ? { index: row.index, text: row.text } : null;
  }

  eventsByDecision(decisionId: string): LedgerEventRow[] {
    return this.events
      .filter((r) => r.columns.decisionId === decisionId)
      .map((r) => ({ index: r.index, text: r.text }));
  }

  checkpoints(): StoredCheckpoint[] {
    return [...this.cps];
  }

  latestCheckpoint(): StoredCheckpoint | null {
    return this.cps[this.cps.length - 1] ?? null;
  }

  close(): void {}
}

export function createMemoryAuditStore(options: MemoryAuditStoreOptions = {}): AuditStore {
  const { failWrites, sync, ...rest } = options;
  return createLedgerStore(new MemoryLedgerBackend(failWrites, sync), rest);
}
