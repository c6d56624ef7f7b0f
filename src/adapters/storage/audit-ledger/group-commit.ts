/**
 * Group commit. `append` encodes the event at once (so a bad event fails its own caller only) and
 * queues it; the first append of an event-loop turn schedules a flush with setImmediate, so every
 * append that arrives in the same turn (all requests of one poll phase) lands in the same
 * transaction and shares one fsync. Each append's promise resolves only after its batch commits.
 *
 * The writer also owns the Merkle frontier (the perfect subtrees of the current size), so each
 * leaf costs one leaf hash plus, on average, one node hash, and each commit writes the nodes
 * completed by its leaves. A failed commit rolls the frontier back, rejects the whole batch with
 * `audit_store_unavailable` and marks the writer not ready until a later commit succeeds.
 */
import { canonicalEventText, eventColumns, type EventColumns } from '../../../core/audit/event-encode.js';
import type { AuditEventV1 } from '../../../core/audit/event.js';
import { emptyRoot, fromBin, hashChildrenBin, hashLeafTextBin, toBin } from '../../../core/audit/hash.js';
import { frontierNodes } from '../../../core/audit/merkle.js';
import { GatewayError } from '../../../core/errors.js';
import type { AuditAppendReceipt } from '../../../ports/audit-sink.js';
import type { StoredCheckpoint } from '../../../ports/audit-store.js';
import { EventRow, type BackendCheckpointRow, type LedgerBackend } from './backend.js';

interface Pending {
  text: string;
  columns: EventColumns;
  resolve: (r: AuditAppendReceipt) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most events per transaction (default 4096). */
  maxBatch?: number;
  /**
   * Asked before each commit with the size it will reach: a checkpoint row to store in the same
   * transaction (signed over `root()`), or null. One fsync then covers events and checkpoint.
   */
  checkpointFor?: (size: number, root: () => Uint8Array) => BackendCheckpointRow | null;
  /** Told about a checkpoint once the commit that stored it has succeeded. */
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  onError?: (error: unknown) => void;
}

export class GroupCommitWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private drainWaiters: Array<() => void> = [];
  /** Perfect subtrees of the committed size, largest first, as binary strings (see hash.ts). */
  private frontier: string[];
  private committed: number;
  private closed = false;
  private healthy = true;
  private error: string | null = null;
  private readonly maxBatch: number;
  batches = 0;
  appended = 0;

  constructor(
    private readonly backend: LedgerBackend,
    private readonly options: GroupCommitOptions = {},
  ) {
    const extent = backend.extent();
    if (extent.events !== extent.nodes || extent.eventRows !== extent.events) {
      throw new GatewayError(
        'audit_store_unavailable',
        `ledger tables disagree (events ${extent.events}, rows ${extent.eventRows}, tree ${extent.nodes}); run "portcullis audit verify"`,
      );
    }
    this.committed = extent.events;
    this.frontier = frontierNodes(this.committed).map((n) => toBin(backend.node(n.level, n.index)));
    this.maxBatch = options.maxBatch ?? 4096;
  }

  get size(): number {
    return this.committed;
  }

  get pending(): number {
    return this.queue.length;
  }

  get ready(): boolean {
    return this.healthy && !this.closed;
  }

  get lastError(): string | null {
    return this.error;
  }

  /** Root of the committed tree, from the frontier (no reads). */
  root(): Uint8Array {
    const f = this.frontier;
    if (f.length === 0) return emptyRoot();
    let r = f[f.length - 1]!;
    for (let i = f.length - 2; i >= 0; i--) r = hashChildrenBin(f[i]!, r);
    return fromBin(r);
  }

  append(event: AuditEventV1): Promise<AuditAppendReceipt> {
    if (this.closed)
      return Promise.reject(new GatewayError('audit_store_unavailable', 'the audit ledger is closed'));
    let text: string;
    let columns: EventColumns;
    try {
      text = canonicalEventText(event);
      columns = eventColumns(event);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise<AuditAppendReceipt>((resolve, reject) => {
      this.queue.push({ text, columns, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every append queued so far has been committed or rejected. */
  flush(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Commits what is queued, then refuses further appends. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    while (this.queue.length > 0) this.commitBatch(this.queue.splice(0, this.maxBatch));
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private commitBatch(batch: Pending[]): void {
    const savedFrontier = this.frontier.slice();
    const start = this.committed;
    const rows = new Array<EventRow>(batch.length);
    let stored: StoredCheckpoint | null = null;
    try {
      for (let i = 0; i < batch.length; i++) {
        const p = batch[i]!;
        rows[i] = new EventRow(start + i, p.text, p.columns, this.extend(start + i, hashLeafTextBin(p.text)));
      }
      const checkpoint = this.options.checkpointFor?.(start + batch.length, () => this.root()) ?? null;
      stored = this.backend.appendBatch(rows, checkpoint);
    } catch (e) {
      this.frontier = savedFrontier;
      this.healthy = false;
      this.error = e instanceof Error ? e.message : String(e);
      this.options.onError?.(e);
      const failure = new GatewayError(
        'audit_store_unavailable',
        'the audit ledger could not commit the event',
        { cause: e },
      );
      for (const p of batch) p.reject(failure);
      return;
    }
    this.committed = start + batch.length;
    this.healthy = true;
    this.error = null;
    this.batches++;
    this.appended += batch.length;
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve({ index: start + i, id: batch[i]!.columns.id });
    if (stored) this.options.onCheckpoint?.(stored);
  }

  /** Adds leaf `index` to the frontier; returns the hashes it completes, level 0 first (binary). */
  private extend(index: number, leaf: string): string {
    let h = leaf;
    let completed = leaf;
    for (let s = index + 1; s % 2 === 0; s /= 2) {
      h = hashChildrenBin(this.frontier.pop()!, h);
      completed += h;
    }
    this.frontier.push(h);
    return completed;
  }
}
