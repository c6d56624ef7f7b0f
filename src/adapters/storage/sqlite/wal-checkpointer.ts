/**
 * WAL checkpoints of a busy ledger on a worker thread.
 *
 * SQLite copies the write-ahead log back into the database file (a checkpoint) in whichever
 * connection commits when the log has passed 1000 pages: for the gateway that is the event loop,
 * which then stalls for the copy of about 4 MB and two fsyncs (10-20 ms on a slow disk) every few
 * thousand events, straight into some request's latency. Once a writer has committed enough to
 * need checkpoints (START_AFTER_EVENTS), it starts this worker: the worker opens its own
 * connection to the file and runs `PRAGMA wal_checkpoint(PASSIVE)` every INTERVAL_MS. PASSIVE
 * never waits for the writer or readers and never blocks them; when it has copied every frame,
 * the writer's next transaction starts the log afresh, so the log stays small. Only once the
 * worker reports that it runs does the writer turn its own automatic checkpoints off.
 *
 * Durability is unchanged: a commit is durable once its WAL frames are synced (see
 * audit-store.ts); checkpoints only move committed pages, and SQLite syncs the log before and the
 * database after each. If the worker fails or exits, the writer turns its automatic checkpoints
 * back on (onStopped), so the log never grows without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Events committed since open before a writer hands its checkpoints to a worker. */
export const START_AFTER_EVENTS = 2000;
const INTERVAL_MS = 200;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)');
checkpoint();
parentPort.postMessage('running');
const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (e) {
    // SQLITE_BUSY (another checkpoint runs) is retried at the next tick; anything else ends
    // the worker, and the writer takes its checkpoints back.
    if (!String(e && e.code).startsWith('SQLITE_BUSY')) throw e;
  }
}, ${INTERVAL_MS});
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try { checkpoint(); } catch {}
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointerOptions {
  /** The database file (its WAL is `${path}-wal`). */
  path: string;
  /** Called once the worker checkpoints: the writer may stop checkpointing itself. */
  onRunning: () => void;
  /** Called if the worker fails or exits before stop(): the writer must checkpoint again. */
  onStopped: (error?: unknown) => void;
}

export class WalCheckpointer {
  private worker: Worker | null;
  private stopping = false;

  constructor(options: WalCheckpointerOptions) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: options.path, driver } });
    this.worker.unref();
    this.worker.on('message', (m) => {
      if (m === 'running' && !this.stopping) options.onRunning();
    });
    let reported = false;
    const stopped = (error?: unknown): void => {
      this.worker = null;
      if (this.stopping || reported) return;
      reported = true;
      options.onStopped(error);
    };
    this.worker.on('error', (e) => stopped(e));
    this.worker.on('exit', () => stopped());
  }

  /** Asks the worker for a last checkpoint and to close its connection, then lets it exit. */
  stop(): void {
    this.stopping = true;
    this.worker?.postMessage('stop');
    this.worker = null;
  }
}
