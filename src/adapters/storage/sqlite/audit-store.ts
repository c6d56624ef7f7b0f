/**
 * The SQLite audit ledger (better-sqlite3, WAL). See audit-schema.ts for the tables.
 *
 * Durability: journal_mode=WAL with synchronous=FULL (the default here) fsyncs the WAL at every
 * commit, so a commit that returned survives power loss as far as the disk honours fsync. Group
 * commit makes that one fsync per batch, not per event. `synchronous: 'normal'` skips the per-
 * commit fsync: committed events survive a process crash (SIGKILL) but the last commits may be
 * lost on power loss or an OS crash.
 *
 * `synchronous: 'background'` (what the gateway uses) keeps FULL's guarantee for every event
 * anyone is told about without making the event loop wait on the disk: SQLite commits at NORMAL
 * (no fsync in the commit), and `sync()` runs fdatasync on the WAL file on libuv's thread pool.
 * The group-commit writer resolves a batch's appends only after a sync that started after its
 * commit has finished, so a caller hears "committed" only once the batch's WAL frames are on disk,
 * as with FULL (SQLite itself syncs the WAL before every checkpoint into the database file, in
 * both modes). A checkpoint stored on its own (timer, close, key rotation) is synced before
 * appendCheckpoint returns, so no witness receives a checkpoint the disk does not hold.
 */
import { closeSync, fdatasync, fdatasyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { toBase64 } from '../../../core/audit/hash.js';
import { GatewayError } from '../../../core/errors.js';
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
  BatchSeal,
  BackendQuery,
  LedgerBackend,
} from '../audit-ledger/backend.js';
import { createLedgerStore, type LedgerStoreOptions } from '../audit-ledger/ledger-store.js';
import { EventLookup } from './audit-lookup.js';
import { NodePages, packPages } from './audit-node-pages.js';
import { LEDGER_FORMAT, checkLedgerFormat, eventIdSql, migrateLedger } from './audit-schema.js';
import { START_AFTER_EVENTS, WalCheckpointer } from './wal-checkpointer.js';

export interface SqliteLedgerOptions {
  /** Database file; `:memory:` for a throw-away ledger. */
  path: string;
  /** Open an existing ledger for reading only (verify, export, a second process). */
  readonly?: boolean;
  /**
   * 'full' (default): fsync in every commit. 'background': as durable as 'full', the fsync off
   * the event loop through sync() (see above). 'normal': survives process crashes, not power loss.
   */
  synchronous?: SqliteSynchronous;
  /** How long a commit waits for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Failures of background work (lookup indexing); queries stay correct without it. */
  onError?: (error: unknown) => void;
  /** Events per lookup run (default RUN_EVENTS, at most 32768); smaller in tests. */
  lookupRunEvents?: number;
  /**
   * Move WAL checkpoints to a worker thread once the ledger is busy (default true; see
   * wal-checkpointer.ts). False: SQLite checkpoints in the committing call, as it does by default.
   */
  backgroundCheckpoints?: boolean;
}

export type SqliteSynchronous = 'full' | 'background' | 'normal';

export type SqliteAuditStoreOptions = SqliteLedgerOptions & LedgerStoreOptions;

type Row = unknown[];
/** Address space a read-only connection maps (SQLite caps it at its compile-time limit). */
const READER_MMAP_BYTES = 2 ** 31;
/** SQLite's default wal_autocheckpoint, restored when the checkpoint worker stops. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/** Rows per multi-row INSERT: fewer statement executions per event. */
const EVENTS_PER_INSERT = 32;

export class SqliteLedgerBackend implements LedgerBackend {
  readonly name = 'sqlite';
  readonly readonly: boolean;
  readonly db: Database.Database;
  private readonly st: ReturnType<typeof prepareStatements>;
  private readonly insertBatch: (
    rows: readonly BackendEventRow[],
    seal: () => BatchSeal,
  ) => StoredCheckpoint | null;
  private readonly lookup: EventLookup;
  private readonly pages: NodePages;
  private readonly insertStatements = new Map<number, Database.Statement>();
  /** SQL for a row's event id: a column in the /1 layout, read from the body in /2. */
  private readonly idSql: string;
  private unindexed = 0;
  private indexing = false;
  /** Events committed since open; the WAL checkpointer starts at START_AFTER_EVENTS. */
  private committedSinceOpen = 0;
  private walCheckpointer: WalCheckpointer | null = null;
  private backgroundCheckpoints: boolean;

  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly path: string;
  /** The WAL file, opened at the first sync ('background' mode only). */
  private walFd: number | null = null;
  /** Present in 'background' mode: makes every commit so far durable (fdatasync of the WAL). */
  readonly sync: (() => Promise<void>) | undefined;

  constructor(options: SqliteLedgerOptions) {
    this.readonly = options.readonly ?? false;
    this.onError = options.onError;
    this.path = options.path;
    const background = options.synchronous === 'background' && !this.readonly && options.path !== ':memory:';
    this.backgroundCheckpoints =
      (options.backgroundCheckpoints ?? true) && !this.readonly && options.path !== ':memory:';
    this.sync = background ? () => this.syncWal() : undefined;
    let indexed = true;
    try {
      if (!this.readonly && options.path !== ':memory:')
        mkdirSync(dirname(options.path), { recursive: true });
      this.db = new Database(options.path, this.readonly ? { readonly: true, fileMustExist: true } : {});
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      if (this.readonly) {
        indexed = checkLedgerFormat(this.db) === LEDGER_FORMAT;
        // Readers (verify, export, the CLI) scan the whole file: mapping it into memory saves a
        // read() system call and a copy per page. The ledger file only grows, never shrinks.
        this.db.pragma(`mmap_size = ${READER_MMAP_BYTES}`);
      } else {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma(
          `synchronous = ${options.synchronous === undefined || options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`,
        );
        migrateLedger(this.db);
      }
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      throw new GatewayError('audit_store_unavailable', `cannot open the audit ledger ${options.path}`, {
        cause: e,
      });
    }
    try {
      this.idSql = eventIdSql(this.db);
      this.st = prepareStatements(this.db, this.idSql);
      this.pages = new NodePages(this.db);
      this.lookup = new EventLookup(this.db, indexed, this.idSql, options.lookupRunEvents);
    } catch (e) {
      this.db.close();
      throw new GatewayError('audit_store_unavailable', `${options.path} is not a usable audit ledger`, {
        cause: e,
      });
    }
    const pages = this.pages;
    const width = this.idSql === 'id' ? 8 : 7;
    this.insertBatch = this.db.transaction((rows: readonly BackendEventRow[], seal: () => BatchSeal) => {
      for (let i = 0; i < rows.length; i += EVENTS_PER_INSERT) {
        const end = Math.min(rows.length, i + EVENTS_PER_INSERT);
        const params = new Array<unknown>((end - i) * width);
        let k = 0;
        for (let j = i; j < end; j++) {
          const r = rows[j]!;
          const c = r.columns;
          params[k++] = r.index;
          params[k++] = c.type;
          params[k++] = c.timeMs;
          params[k++] = c.agent;
          params[k++] = c.outcome;
          params[k++] = c.decisionId;
          params[k++] = r.text;
          if (width === 8) params[k++] = c.id;
        }
        // Spread: better-sqlite3 reads arguments faster than the elements of one array argument.
        this.insertEvents(end - i).run(...params);
      }
      const { nodes, checkpoint } = seal();
      pages.insert(packPages(rows, nodes));
      return checkpoint ? this.insertCheckpoint(checkpoint) : null;
    });
    if (!this.readonly) this.indexLookups(true);
  }

  /**
   * Writes the lookup runs of committed events: complete runs, or everything (`all`, at open and
   * close). Never throws: queries stay correct without the index, and it is retried later.
   */
  private indexLookups(all: boolean): void {
    this.indexing = false;
    try {
      this.lookup.catchUp(this.size(), all);
      this.unindexed = this.size() - this.lookup.indexedUpTo();
    } catch (e) {
      this.unindexed = 0; // try again once another run's worth of events has been committed
      this.onError?.(e);
    }
  }

  /** Writes the lookup runs of every committed event now (close does this too). */
  indexAll(): void {
    if (!this.readonly) this.indexLookups(true);
  }

  size(): number {
    return this.pages.lastSize();
  }

  private insertEvents(count: number): Database.Statement {
    let stmt = this.insertStatements.get(count);
    if (!stmt) {
      const v1 = this.idSql === 'id';
      const columns = `(idx, type, time_ms, agent, outcome, decision_id, body${v1 ? ', id' : ''})`;
      const row = v1 ? '(?, ?, ?, ?, ?, ?, ?, ?)' : '(?, ?, ?, ?, ?, ?, ?)';
      stmt = this.db.prepare(
        `INSERT INTO audit_events ${columns} VALUES ${Array(count).fill(row).join(', ')}`,
      );
      this.insertStatements.set(count, stmt);
    }
    return stmt;
  }

  extent(): LedgerExtent {
    const [events, eventRows] = this.st.eventExtent.get() as [number, number];
    return { events, eventRows, nodes: this.pages.maxSize() };
  }

  appendBatch(rows: readonly BackendEventRow[], seal: () => BatchSeal): StoredCheckpoint | null {
    const stored = this.insertBatch(rows, seal);
    this.committedSinceOpen += rows.length;
    if (this.backgroundCheckpoints && this.committedSinceOpen >= START_AFTER_EVENTS)
      this.startWalCheckpointer();
    this.lookup.committed(rows);
    this.unindexed += rows.length;
    if (this.unindexed >= this.lookup.runEvents && !this.indexing) {
      this.indexing = true;
      setImmediate(() => this.db.open && this.indexLookups(false));
    }
    return stored;
  }

  /** Hands WAL checkpoints to a worker (once); takes them back if the worker stops. */
  private startWalCheckpointer(): void {
    this.backgroundCheckpoints = false; // one attempt per open
    try {
      this.walCheckpointer = new WalCheckpointer({
        path: this.path,
        onRunning: () => {
          if (this.db.open) this.db.pragma('wal_autocheckpoint = 0');
        },
        onStopped: (error) => {
          this.walCheckpointer = null;
          if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
          if (error !== undefined) this.onError?.(error);
        },
      });
    } catch (e) {
      this.onError?.(e);
    }
  }

  appendCheckpoint(row: BackendCheckpointRow): StoredCheckpoint {
    const stored = this.insertCheckpoint(row);
    // Rare (timer, close, rotation): a blocking fdatasync here costs nothing that matters.
    if (this.sync) fdatasyncSync(this.wal());
    return stored;
  }

  /** The WAL file's descriptor; it exists once anything was committed, and lives as long as the connection. */
  private wal(): number {
    this.walFd ??= openSync(`${this.path}-wal`, 'r');
    return this.walFd;
  }

  private syncWal(): Promise<void> {
    return new Promise((resolve, reject) => {
      let fd: number;
      try {
        fd = this.wal();
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      fdatasync(fd, (err) => (err ? reject(err) : resolve()));
    });
  }

  private insertCheckpoint(row: BackendCheckpointRow): StoredCheckpoint {
    const seq = this.st.insertCheckpoint.get(
      row.size,
      row.root,
      row.note,
      row.verifierKey,
      row.timeMs,
    ) as number;
    return {
      seq,
      size: row.size,
      root: toBase64(row.root),
      note: row.note,
      verifierKey: row.verifierKey,
      time: new Date(row.timeMs).toISOString(),
    };
  }

  node(level: number, index: number): Uint8Array {
    const hash = this.pages.node(level, index);
    if (!hash) throw new RangeError(`no stored node (${level}, ${index})`);
    return hash;
  }

  eventRows(from: number, to: number): LedgerEventRow[] {
    return (this.st.eventRows.all(from, to) as Row[]).map((r) => ({
      index: r[0] as number,
      text: r[1] as string,
    }));
  }

  eventRowsWithColumns(from: number, to: number): LedgerEventRowWithColumns[] {
    return (this.st.eventRowsWithColumns.all(from, to) as Row[]).map((r) => ({
      index: r[0] as number,
      text: r[1] as string,
      id: r[2] as string,
      type: r[3] as string,
      timeMs: r[4] as number,
      agent: r[5] as string | null,
      outcome: r[6] as string | null,
      decisionId: r[7] as string | null,
    }));
  }

  nodeRows(from: number, to: number): LedgerNodeRow[] {
    return this.pages.rows(from, to);
  }

  /** idx is the primary key: to - from rows in [from, to) means every index is present. */
  eventTexts(from: number, to: number): string[] | null {
    const texts = this.st.eventTexts.all(from, to) as string[];
    return texts.length === to - from ? texts : null;
  }

  nodeHashes(from: number, to: number): string[] | null {
    const rows = this.pages.rows(from, to);
    if (rows.length !== to - from || rows.some((r, k) => r.size !== from + k + 1)) return null;
    return rows.map((r) => r.hashes);
  }

  queryEvents(q: BackendQuery): LedgerEventRow[] {
    return this.lookup.query(q);
  }

  eventById(id: string): LedgerEventRow | null {
    return this.lookup.findById(id);
  }

  eventsByDecision(decisionId: string): LedgerEventRow[] {
    return this.lookup.query({
      from: 0,
      to: null,
      agent: null,
      outcome: null,
      type: null,
      decisionId,
      since: null,
      until: null,
      limit: 10_000,
    });
  }

  checkpoints(): StoredCheckpoint[] {
    return (this.st.checkpoints.all() as Row[]).map(toCheckpoint);
  }

  latestCheckpoint(): StoredCheckpoint | null {
    const r = this.st.latest.get() as Row | undefined;
    return r ? toCheckpoint(r) : null;
  }

  close(): void {
    if (!this.db.open) return;
    if (!this.readonly) this.indexLookups(true);
    this.walCheckpointer?.stop();
    this.walCheckpointer = null;
    this.db.close();
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }
}

function prepareStatements(db: Database.Database, idSql: string) {
  return {
    insertCheckpoint: db
      .prepare(
        'INSERT INTO checkpoints (seq, size, root, note, verifier_key, created_ms) VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM checkpoints), ?, ?, ?, ?, ?) RETURNING seq',
      )
      .pluck(),
    eventRows: db.prepare('SELECT idx, body FROM audit_events WHERE idx >= ? AND idx < ? ORDER BY idx').raw(),
    eventRowsWithColumns: db
      .prepare(
        `SELECT idx, body, ${idSql}, type, time_ms, agent, outcome, decision_id FROM audit_events WHERE idx >= ? AND idx < ? ORDER BY idx`,
      )
      .raw(),
    eventTexts: db.prepare('SELECT body FROM audit_events WHERE idx >= ? AND idx < ? ORDER BY idx').pluck(),
    eventExtent: db.prepare('SELECT coalesce(max(idx) + 1, 0), count(*) FROM audit_events').raw(),
    checkpoints: db
      .prepare('SELECT seq, size, root, note, verifier_key, created_ms FROM checkpoints ORDER BY seq')
      .raw(),
    latest: db
      .prepare(
        'SELECT seq, size, root, note, verifier_key, created_ms FROM checkpoints ORDER BY seq DESC LIMIT 1',
      )
      .raw(),
  };
}

function toCheckpoint(r: Row): StoredCheckpoint {
  return {
    seq: r[0] as number,
    size: r[1] as number,
    root: toBase64(r[2] as Buffer),
    note: r[3] as string,
    verifierKey: r[4] as string,
    time: new Date(r[5] as number).toISOString(),
  };
}

/** Opens (creating if needed) the SQLite ledger and returns the AuditStore over it. */
export function openSqliteAuditStore(options: SqliteAuditStoreOptions): AuditStore {
  const {
    path,
    readonly,
    synchronous,
    busyTimeoutMs,
    lookupRunEvents,
    backgroundCheckpoints,
    ...storeOptions
  } = options;
  const backend = new SqliteLedgerBackend({
    path,
    ...(backgroundCheckpoints === undefined ? {} : { backgroundCheckpoints }),
    ...(lookupRunEvents === undefined ? {} : { lookupRunEvents }),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(readonly === undefined ? {} : { readonly }),
    ...(synchronous === undefined ? {} : { synchronous }),
    ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
  });
  try {
    return createLedgerStore(backend, storeOptions);
  } catch (e) {
    backend.close();
    throw e;
  }
}
