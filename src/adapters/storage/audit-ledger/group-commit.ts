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
 *
 * A backend whose commit is not itself durable offers `sync()` (SQLite 'background': fdatasync
 * of the WAL on the thread pool). Committed batches then wait for a sync that started after their
 * commit; one sync runs at a time, and the appends that arrive meanwhile are committed together
 * when it ends and share the next one, so the event loop keeps serving requests while the disk
 * works and each sync carries one commit. Checkpoints stored with a batch reach
 * onCheckpoint (the witness) only after that sync. A failed sync rejects every batch waiting for
 * it and leaves the writer refusing appends for good: after an fsync error the kernel may already
 * have dropped the unwritten pages, so nothing later could be called durable (restart the
 * gateway once the disk is fixed; `portcullis audit verify` checks what is on it).
 */
import { canonicalEventText, eventColumns, type EventColumns } from '../../../core/audit/event-encode.js';
import type { AuditEventV1 } from '../../../core/audit/event.js';
import { emptyRoot, fromBin, hashChildrenBin, hashLeafTextBin, toBin } from '../../../core/audit/hash.js';
import { frontierNodes } from '../../../core/audit/merkle.js';
import { GatewayError } from '../../../core/errors.js';
import type { AuditAppendReceipt } from '../../../ports/audit-sink.js';
import type { StoredCheckpoint } from '../../../ports/audit-store.js';
import type { BackendCheckpointRow, BackendEventRow, BatchSeal, LedgerBackend } from './backend.js';
import { LeafHasher } from './leaf-hasher.js';

/**
 * Leaf hashing on a worker thread (LeafHasher): once this many appends wait unhashed, they are
 * handed over at once, so the worker hashes while more appends arrive and while the batch's rows
 * are written. At commit, a remainder of at least TAIL_LEAVES is handed over too; anything less,
 * or anything the worker declines, is hashed inline. Below these sizes the hand-over (a wake-up
 * of the worker, about 10 µs) would cost more than it saves, so a lightly loaded gateway never
 * uses the worker.
 */
const CHUNK_LEAVES = 64;
const TAIL_LEAVES = 16;

interface Committed {
  batch: Pending[];
  start: number;
  stored: StoredCheckpoint | null;
}

interface Pending {
  text: string;
  columns: EventColumns;
  resolve: (r: AuditAppendReceipt) => void;
  reject: (e: unknown) => void;
  /** LeafHasher ticket hashing this text (0: none) and the text's place in it. */
  ticket: number;
  slot: number;
}

export interface GroupCommitOptions {
  /** Most events per transaction (default 4096). */
  maxBatch?: number;
  /**
   * 0 (default): commit at the end of the event-loop turn of the first queued append. More: wait
   * that many milliseconds for further appends first, so that fewer, larger commits carry the
   * same events (for `audit.durability: async`, where no request waits for the commit).
   */
  windowMs?: number;
  /**
   * Asked before each commit with the size it will reach: a checkpoint row to store in the same
   * transaction (signed over `root()`), or null. One fsync then covers events and checkpoint.
   */
  checkpointFor?: (size: number, root: () => Uint8Array) => BackendCheckpointRow | null;
  /** Told about a checkpoint once the commit that stored it has succeeded. */
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  onError?: (error: unknown) => void;
  /** Hash large batches' leaves on a worker thread (default true; see PARALLEL_LEAVES). */
  parallelHashing?: boolean;
}

export class GroupCommitWriter {
  private queue: Pending[] = [];
  /** Leading queue entries already handed to the leaf hasher (or declined by it). */
  private handedOver = 0;
  private scheduled = false;
  private drainWaiters: Array<() => void> = [];
  /** Perfect subtrees of the committed size, largest first, as binary strings (see hash.ts). */
  private frontier: string[];
  private committed: number;
  private closed = false;
  private healthy = true;
  private error: string | null = null;
  /** Committed batches waiting for the next sync (backends with sync() only). */
  private unsynced: Committed[] = [];
  private syncing = false;
  /** Appends queued while a sync ran: commit them when it ends. */
  private commitAfterSync = false;
  /** Set by a failed sync: the writer refuses everything from then on. */
  private broken: string | null = null;
  private readonly maxBatch: number;
  /** Created at the first large batch, when parallel hashing is on. */
  private leafHasher: LeafHasher | null = null;
  private parallelHashing: boolean;
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
    this.parallelHashing = options.parallelHashing ?? true;
  }

  get size(): number {
    return this.committed;
  }

  get pending(): number {
    return this.queue.length;
  }

  get ready(): boolean {
    return this.healthy && !this.closed && this.broken === null;
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
    if (this.broken !== null) return Promise.reject(this.brokenError());
    let text: string;
    let columns: EventColumns;
    try {
      text = canonicalEventText(event);
      columns = eventColumns(event);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise<AuditAppendReceipt>((resolve, reject) => {
      this.queue.push({ text, columns, resolve, reject, ticket: 0, slot: 0 });
      if (this.queue.length - this.handedOver >= CHUNK_LEAVES) this.handOver(CHUNK_LEAVES);
      this.schedule();
    });
  }

  /** Resolves once every append queued so far has been committed (and synced) or rejected. */
  flush(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private idle(): boolean {
    return this.queue.length === 0 && this.unsynced.length === 0 && !this.syncing;
  }

  private drained(): void {
    if (!this.idle()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Commits what is queued, then refuses further appends. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.parallelHashing = false;
    this.leafHasher?.close();
    this.leafHasher = null;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const window = this.options.windowMs ?? 0;
    if (window > 0) setTimeout(() => this.run(), window);
    else setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    // While a sync runs, nothing committed now could be answered before the next sync anyway:
    // commit once it ends, so everything that arrived meanwhile shares one commit as well.
    if (this.syncing) {
      this.commitAfterSync = true;
      return;
    }
    this.handOver(TAIL_LEAVES);
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.handedOver = Math.max(0, this.handedOver - batch.length);
      if (this.broken !== null) this.rejectAll(batch, this.brokenError());
      else this.commitBatch(batch);
    }
    this.startSync();
    this.drained();
  }

  /** Syncs the batches committed so far, unless a sync is running (they get the next one). */
  private startSync(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const group = this.unsynced;
    this.unsynced = [];
    this.syncing = true;
    const done = (): void => {
      this.syncing = false;
      if (this.broken !== null) {
        for (const c of this.unsynced.splice(0)) for (const p of c.batch) p.reject(this.brokenError());
      }
      if (this.commitAfterSync) {
        this.commitAfterSync = false;
        this.run(); // commits (or, broken, rejects) what queued meanwhile, then syncs it
        return;
      }
      this.startSync();
      this.drained();
    };
    this.backend.sync!().then(
      () => {
        for (const c of group) this.deliver(c);
        done();
      },
      (e: unknown) => {
        this.broken = `the ledger's disk reported an error on sync: ${e instanceof Error ? e.message : String(e)}`;
        this.healthy = false;
        this.error = this.broken;
        this.options.onError?.(e);
        const failure = this.brokenError(e);
        for (const c of group) for (const p of c.batch) p.reject(failure);
        done();
      },
    );
  }

  private brokenError(cause?: unknown): GatewayError {
    return new GatewayError(
      'audit_store_unavailable',
      'the audit ledger could not make events durable; restart the gateway once the disk is fixed',
      cause === undefined ? undefined : { cause },
    );
  }

  /** Tells a committed (and, where the backend syncs, synced) batch's callers. */
  private deliver(c: Committed): void {
    const batch = c.batch;
    for (let i = 0; i < batch.length; i++)
      batch[i]!.resolve({ index: c.start + i, id: batch[i]!.columns.id });
    if (c.stored) this.options.onCheckpoint?.(c.stored);
  }

  private commitBatch(batch: Pending[]): void {
    const savedFrontier = this.frontier.slice();
    const start = this.committed;
    const rows = new Array<BackendEventRow>(batch.length);
    for (let i = 0; i < batch.length; i++)
      rows[i] = { index: start + i, text: batch[i]!.text, columns: batch[i]!.columns };
    let stored: StoredCheckpoint | null = null;
    try {
      stored = this.backend.appendBatch(rows, () => this.seal(batch, start));
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
      this.rejectAll(batch, failure);
      return;
    }
    this.committed = start + batch.length;
    this.healthy = true;
    this.error = null;
    this.batches++;
    this.appended += batch.length;
    const committed = { batch, start, stored };
    if (this.backend.sync) this.unsynced.push(committed);
    else this.deliver(committed);
  }

  /**
   * Hands the queue's unhashed entries to the leaf hasher if there are at least `min`, in
   * submissions of up to a slot each, until it declines. Declined entries are hashed inline.
   */
  private handOver(min: number): void {
    if (!this.parallelHashing || this.queue.length - this.handedOver < min) return;
    if (!this.leafHasher) {
      try {
        this.leafHasher = new LeafHasher(); // starts in the background: used from the next chunk
      } catch (e) {
        this.parallelHashing = false;
        this.options.onError?.(e);
      }
      this.handedOver = this.queue.length;
      return;
    }
    while (this.handedOver < this.queue.length) {
      const from = this.handedOver;
      const texts = new Array<string>(this.queue.length - from);
      for (let i = from; i < this.queue.length; i++) texts[i - from] = this.queue[i]!.text;
      const t = this.leafHasher.submit(texts);
      if (t === null) {
        this.handedOver = this.queue.length;
        return;
      }
      for (let k = 0; k < t.count; k++) {
        const p = this.queue[from + k]!;
        p.ticket = t.ticket;
        p.slot = k;
      }
      this.handedOver = from + t.count;
    }
  }

  private rejectAll(batch: readonly Pending[], error: unknown): void {
    for (const p of batch) {
      if (p.ticket !== 0) this.leafHasher?.abandon(p.ticket);
      p.reject(error);
    }
  }

  /**
   * Called by the backend once the batch's rows are written: extends the frontier by the batch's
   * leaves (those handed over collected from the worker, after the others are hashed here) and
   * asks for a checkpoint at the new size.
   */
  private seal(batch: readonly Pending[], start: number): BatchSeal {
    const leaves = new Array<string>(batch.length);
    for (let i = 0; i < batch.length; i++)
      if (batch[i]!.ticket === 0) leaves[i] = hashLeafTextBin(batch[i]!.text);
    let ticket = 0;
    let hashes: string[] | null = null;
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      if (p.ticket === 0) continue;
      if (p.ticket !== ticket) {
        ticket = p.ticket;
        hashes = this.leafHasher?.collect(ticket) ?? null;
      }
      leaves[i] = hashes?.[p.slot] ?? hashLeafTextBin(p.text);
      p.ticket = 0; // collected: a later rejection has nothing to abandon
    }
    const nodes = new Array<string>(batch.length);
    for (let i = 0; i < batch.length; i++) nodes[i] = this.extend(start + i, leaves[i]!);
    const checkpoint = this.options.checkpointFor?.(start + batch.length, () => this.root()) ?? null;
    return { nodes, checkpoint };
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
