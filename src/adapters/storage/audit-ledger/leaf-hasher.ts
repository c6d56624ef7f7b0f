/**
 * RFC 9162 leaf hashes, SHA-256(0x00 || utf8(text)), of event texts on a second thread, so that
 * the thread that submitted them goes on with other work (taking more appends, writing rows,
 * reading the next chunk) while they are computed. On processors without SHA instructions one
 * leaf of a typical 1.3 KB event costs 5-8 µs, as much as inserting its row; where hashing is
 * cheap the hand-over costs a few hundred nanoseconds per text.
 *
 * Submissions go through shared memory: SLOTS slots, each holding up to SLOT_LEAVES texts
 * (SLOT_BYTES of UTF-8). `submit` copies texts into a free slot, wakes the worker and returns a
 * ticket; the worker hashes slots in ticket order; `collect(ticket)` blocks (Atomics.wait) until
 * that ticket is done and returns its hashes. Blocking keeps the caller's database transaction
 * synchronous while the worker runs alongside it. Every ticket is either collected or abandoned,
 * which frees its slot.
 *
 * Nothing here can lose or corrupt a hash, only decline work: `submit` returns null when the
 * worker has not started yet, every slot is busy, or the texts do not fit, and the caller hashes
 * them itself; `collect` returns null when the worker failed, threw, was closed or did not answer
 * within COLLECT_TIMEOUT_MS, after which the worker is terminated and every later call declines.
 *
 * The worker is unref'd: it never keeps the process alive; `close()` terminates it.
 */
import { Worker } from 'node:worker_threads';
import type { LeafHashOffload, LeafHashTicket } from '../../../ports/audit-store.js';

const SLOTS = 8;
/** Most texts per submission. */
const SLOT_LEAVES = 1024;
/** Bytes of UTF-8 (with the 0x00 prefixes) per submission. */
const SLOT_BYTES = 1024 * 1024;
const HASH = 32;
const COLLECT_TIMEOUT_MS = 5000;

/** control[]: worker started, highest ticket submitted, highest ticket done, failed; then counts. */
const READY = 0;
const SUBMITTED = 1;
const DONE = 2;
const FAILED = 3;
const COUNTS = 4;

// Plain JavaScript evaluated in the worker (eval: true), so it loads the same way from the
// TypeScript sources and from the compiled package. A string result is cheaper than a Buffer one
// (no 32-byte ArrayBuffer per hash), so hashes come back as latin1 and are copied in.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const control = new Int32Array(workerData.control);
const offsets = new Uint32Array(workerData.offsets);
const input = Buffer.from(workerData.input);
const output = Buffer.from(workerData.output);
Atomics.store(control, ${READY}, 1);
for (let ticket = 1; ; ticket++) {
  while (Atomics.load(control, ${SUBMITTED}) < ticket) Atomics.wait(control, ${SUBMITTED}, ticket - 1);
  const slot = ticket % ${SLOTS};
  try {
    const count = control[${COUNTS} + slot];
    const o = slot * ${SLOT_LEAVES + 1};
    const out = slot * ${SLOT_LEAVES * HASH};
    for (let i = 0; i < count; i++)
      output.write(hash('sha256', input.subarray(offsets[o + i], offsets[o + i + 1]), 'latin1'), out + i * ${HASH}, 'latin1');
  } catch {
    Atomics.store(control, ${FAILED}, 1);
  }
  Atomics.store(control, ${DONE}, ticket);
  Atomics.notify(control, ${DONE});
}
`;

export class LeafHasher implements LeafHashOffload {
  private worker: Worker | null;
  private readonly control = new Int32Array(new SharedArrayBuffer((COUNTS + SLOTS) * 4));
  private readonly offsets = new Uint32Array(new SharedArrayBuffer(SLOTS * (SLOT_LEAVES + 1) * 4));
  private readonly input = Buffer.from(new SharedArrayBuffer(SLOTS * SLOT_BYTES));
  private readonly output = Buffer.from(new SharedArrayBuffer(SLOTS * SLOT_LEAVES * HASH));
  private lastTicket = 0;
  /** Per slot, the ticket that occupies it until collected or abandoned (0: free). */
  private readonly occupant = new Array<number>(SLOTS).fill(0);
  /** Per slot, whether its occupant was abandoned (freed once the worker is past it). */
  private readonly abandoned = new Array<boolean>(SLOTS).fill(false);
  /** Whether the last collect() found its ticket unfinished and had to wait. */
  waited = false;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        control: this.control.buffer,
        offsets: this.offsets.buffer,
        input: this.input.buffer,
        output: this.output.buffer,
      },
    });
    this.worker.unref();
    // A failing worker is noticed by collect() (no answer); this keeps its error from becoming
    // an uncaught exception.
    this.worker.on('error', () => this.stop());
  }

  /** False once the worker has failed or been closed: submit() then declines everything. */
  get available(): boolean {
    return this.worker !== null && Atomics.load(this.control, FAILED) === 0;
  }

  /**
   * Hands the leading texts (as many as fit one slot) to the worker. Null when it declines: not
   * started yet, failed, no free slot, or the first text alone might not fit.
   */
  submit(texts: readonly string[]): LeafHashTicket | null {
    if (!this.available || Atomics.load(this.control, READY) !== 1 || texts.length === 0) return null;
    const ticket = this.lastTicket + 1;
    const slot = ticket % SLOTS;
    if (!this.free(slot)) return null;
    const input = this.input;
    const offsets = this.offsets;
    const base = slot * SLOT_BYTES;
    const end = base + SLOT_BYTES;
    const o = slot * (SLOT_LEAVES + 1);
    const max = Math.min(texts.length, SLOT_LEAVES);
    let at = base;
    let n = 0;
    for (; n < max; n++) {
      const text = texts[n]!;
      // A UTF-16 code unit takes at most 3 bytes of UTF-8: stop before a text that might not fit.
      if (at + 1 + text.length * 3 > end) break;
      offsets[o + n] = at;
      input[at] = 0x00;
      at += 1 + input.write(text, at + 1, 'utf8');
    }
    if (n === 0) return null;
    offsets[o + n] = at;
    this.control[COUNTS + slot] = n;
    this.occupant[slot] = ticket;
    this.abandoned[slot] = false;
    this.lastTicket = ticket;
    Atomics.store(this.control, SUBMITTED, ticket);
    Atomics.notify(this.control, SUBMITTED);
    return { ticket, count: n };
  }

  /**
   * The hashes of a submission, in order, as binary strings (one character per byte); null if
   * the worker failed (it is then stopped, and the caller hashes the texts itself).
   */
  collect(ticket: number): string[] | null {
    const slot = ticket % SLOTS;
    if (this.occupant[slot] !== ticket || this.abandoned[slot])
      throw new Error(`LeafHasher: ticket ${ticket} is not outstanding`);
    // Once stopped (closed or failed), answer null whether or not the worker got to the ticket
    // before it was terminated: terminate() is asynchronous, so which one happens is a race.
    if (this.worker === null) {
      this.occupant[slot] = 0;
      return null;
    }
    this.waited = Atomics.load(this.control, DONE) < ticket;
    const deadline = Date.now() + COLLECT_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.control, DONE);
      if (done >= ticket) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.stop();
        return null;
      }
      Atomics.wait(this.control, DONE, done, left);
    }
    this.occupant[slot] = 0;
    if (Atomics.load(this.control, FAILED) !== 0) {
      this.stop();
      return null;
    }
    const count = this.control[COUNTS + slot]!;
    const out = new Array<string>(count);
    const first = slot * SLOT_LEAVES * HASH;
    for (let i = 0; i < count; i++)
      out[i] = this.output.toString('latin1', first + i * HASH, first + (i + 1) * HASH);
    return out;
  }

  /** Gives up a ticket without reading it; its slot is reused once the worker is past it. */
  abandon(ticket: number): void {
    const slot = ticket % SLOTS;
    if (this.occupant[slot] === ticket) this.abandoned[slot] = true;
  }

  close(): void {
    this.stop();
  }

  private free(slot: number): boolean {
    const t = this.occupant[slot]!;
    if (t === 0) return true;
    if (!this.abandoned[slot] || Atomics.load(this.control, DONE) < t) return false;
    this.occupant[slot] = 0;
    return true;
  }

  private stop(): void {
    const w = this.worker;
    this.worker = null;
    if (w) void w.terminate();
  }
}
