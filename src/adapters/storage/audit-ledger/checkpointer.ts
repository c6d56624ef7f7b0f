/**
 * Signs checkpoints every N events or T ms (whichever comes first) and at close, stores them, and
 * hands each one to the witness. Witness failures never block the ledger: the note stays queued
 * and is retried (in order) with the next checkpoint or timer tick.
 */
import { signCheckpoint } from '../../../core/audit/checkpoint.js';
import type { NoteSigner } from '../../../core/audit/note.js';
import type { CheckpointWitness, StoredCheckpoint } from '../../../ports/audit-store.js';
import type { BackendCheckpointRow, LedgerBackend } from './backend.js';

export interface CheckpointPolicy {
  /** Sign once this many events are unsigned (default 1000). */
  everyEvents?: number;
  /** Sign at least this often while there are unsigned events (default 10 s). */
  everyMs?: number;
}

export interface CheckpointerOptions {
  origin: string;
  signer: NoteSigner;
  policy?: CheckpointPolicy;
  witness?: CheckpointWitness;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export class Checkpointer {
  private signer: NoteSigner;
  private lastSize: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly witnessQueue: string[] = [];
  private pumping: Promise<void> | null = null;
  witnessSubmitted = 0;
  witnessError: string | null = null;

  constructor(
    private readonly backend: LedgerBackend,
    private readonly root: () => { size: number; root: Uint8Array },
    private readonly options: CheckpointerOptions,
  ) {
    this.signer = options.signer;
    this.lastSize = backend.latestCheckpoint()?.size ?? 0;
    const everyMs = options.policy?.everyMs ?? 10_000;
    this.timer = setInterval(() => this.tick(), everyMs);
    this.timer.unref();
    // A ledger that grew after its last checkpoint (a crash before close) is signed at once.
    this.trySign();
  }

  get verifierKey(): string {
    return this.signer.verifierKey;
  }

  get witnessPending(): number {
    return this.witnessQueue.length;
  }

  /** Before a commit that reaches `size`: the checkpoint to store with it, when one is due. */
  checkpointFor(size: number, root: () => Uint8Array): BackendCheckpointRow | null {
    if (size - this.lastSize < (this.options.policy?.everyEvents ?? 1000)) return null;
    return this.sign(size, root());
  }

  /** After that commit succeeded. */
  committed(stored: StoredCheckpoint): void {
    this.lastSize = Math.max(this.lastSize, stored.size);
    this.toWitness(stored.note);
  }

  /** Signs the current tree in its own transaction if it grew since the last checkpoint. */
  signNow(): StoredCheckpoint | null {
    const { size, root } = this.root();
    if (size <= this.lastSize) return null;
    const stored = this.backend.appendCheckpoint(this.sign(size, root));
    this.committed(stored);
    return stored;
  }

  private sign(size: number, root: Uint8Array): BackendCheckpointRow {
    return {
      size,
      root,
      note: signCheckpoint({ origin: this.options.origin, size, root }, this.signer),
      verifierKey: this.signer.verifierKey,
      timeMs: (this.options.now ?? Date.now)(),
    };
  }

  private toWitness(note: string): void {
    if (!this.options.witness) return;
    this.witnessQueue.push(note);
    void this.pumpWitness();
  }

  /** Switches to a new key; the caller has already signed the rotation with the old one. */
  setSigner(next: NoteSigner): void {
    this.signer = next;
  }

  /** Stops the timer and waits for the witness queue to drain (one attempt). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pumpWitness();
  }

  private tick(): void {
    this.trySign();
    if (this.witnessQueue.length > 0) void this.pumpWitness();
  }

  private trySign(): void {
    try {
      this.signNow();
    } catch (e) {
      this.options.onError?.(e);
    }
  }

  private pumpWitness(): Promise<void> {
    const witness = this.options.witness;
    if (!witness) return Promise.resolve();
    if (this.pumping) return this.pumping;
    this.pumping = (async () => {
      while (this.witnessQueue.length > 0) {
        try {
          await witness.submit(this.witnessQueue[0]!);
        } catch (e) {
          this.witnessError = e instanceof Error ? e.message : String(e);
          this.options.onError?.(e);
          return;
        }
        this.witnessQueue.shift();
        this.witnessSubmitted++;
        this.witnessError = null;
      }
    })().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }
}
