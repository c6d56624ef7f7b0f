/**
 * SQLite schema of the audit ledger (format "portcullis-ledger/2").
 *
 * - audit_events: one row per leaf; `body` is the canonical JSON text whose UTF-8 bytes are the
 *   leaf data; `type`, `time_ms`, `agent`, `outcome` and `decision_id` are copies of event fields
 *   for filtering (verify checks them). The event id is not copied (36 bytes per row, and a
 *   random key): it is read from `body` (ID_SQL) where needed, and found through lookup_keys.
 *   Only time_ms is indexed inline (it grows with idx, so the index only ever appends).
 * - lookup_runs, lookup_keys, lookup_postings: the lookup index (see audit-lookup.ts), derived
 *   from the events and written after the durable commit, one run of up to RUN_EVENTS events at
 *   a time: lookup_keys holds the id and decision id keys of a run bucketed by hash prefix, one
 *   row per bucket; lookup_postings the offsets of a run's events per agent and rare type.
 *   Queries read it below its high-water mark (the end of the last run) and scan the rows above.
 * - merkle_nodes: pages of the hashes completed at each tree size n: the leaf hash of leaf n-1,
 *   then one more level per trailing zero bit of n. Node (level L, index j) is stored with tree
 *   size n = (j + 1) * 2^L, 32 * L bytes into that size's hashes. A row holds up to 64
 *   consecutive sizes (see audit-node-pages.ts). The leaf commitments are kept apart from the
 *   events so that tampering with one table is visible against the other.
 * - checkpoints: every signed checkpoint note, in signing order.
 * Append-only is enforced by triggers that abort every UPDATE and DELETE.
 *
 * Format "portcullis-ledger/1" (before the lookup runs) also stored `id` in audit_events and kept
 * every lookup key, ids included, in one table (event_lookup) whose random keys cost a B-tree
 * page per event once the table outgrew the cache, and more as the ledger grew. A writable open
 * migrates such a ledger in one transaction: the lookup tables are created, event_lookup (derived
 * data only) is dropped and the format marker is raised; the runs are then built from the stored
 * columns. Its events, Merkle pages and checkpoints are not touched: audit_events keeps its `id`
 * column (the writer detects that layout and keeps filling it). A read-only connection reads a
 * /1 ledger without a lookup index (every query scans).
 */
import type Database from 'better-sqlite3';
import { GatewayError } from '../../../core/errors.js';

export const LEDGER_FORMAT = 'portcullis-ledger/2';
export const LEDGER_FORMAT_V1 = 'portcullis-ledger/1';

export type LedgerFormat = typeof LEDGER_FORMAT | typeof LEDGER_FORMAT_V1;

const TABLES = [
  'ledger_meta',
  'audit_events',
  'merkle_nodes',
  'checkpoints',
  'lookup_runs',
  'lookup_keys',
  'lookup_postings',
] as const;

/** The event id of a /2 row, read from its body (NULL, not an error, when the body is not JSON). */
export const ID_FROM_BODY = "CASE WHEN json_valid(body) THEN body ->> '$.id' END";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_events (
  idx         INTEGER PRIMARY KEY,
  type        TEXT NOT NULL,
  time_ms     INTEGER NOT NULL,
  agent       TEXT,
  outcome     TEXT,
  decision_id TEXT,
  body        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events (time_ms);
CREATE TABLE IF NOT EXISTS lookup_runs (
  start INTEGER PRIMARY KEY,
  end   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lookup_keys (
  run     INTEGER NOT NULL,
  bucket  INTEGER NOT NULL,
  entries BLOB NOT NULL,
  PRIMARY KEY (run, bucket)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lookup_postings (
  key     TEXT NOT NULL,
  run     INTEGER NOT NULL,
  offsets BLOB NOT NULL,
  PRIMARY KEY (key, run)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS merkle_nodes (
  first_size INTEGER PRIMARY KEY,
  last_size  INTEGER NOT NULL,
  hashes     BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
  seq          INTEGER PRIMARY KEY,
  size         INTEGER NOT NULL,
  root         BLOB NOT NULL,
  note         TEXT NOT NULL,
  verifier_key TEXT NOT NULL,
  created_ms   INTEGER NOT NULL
);
${TABLES.map(
  (t) => `
CREATE TRIGGER IF NOT EXISTS ${t}_no_update BEFORE UPDATE ON ${t}
  BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: ${t} rows cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS ${t}_no_delete BEFORE DELETE ON ${t}
  BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: ${t} rows cannot be deleted'); END;`,
).join('\n')}
`;

function readFormat(db: Database.Database): string | undefined {
  const row = db.prepare('SELECT value FROM ledger_meta WHERE key = ?').get('format') as
    { value: string } | undefined;
  return row?.value;
}

/**
 * Creates the schema if needed, migrates a /1 ledger to /2 and checks the format marker, in one
 * transaction. Returns the format the ledger had before.
 */
export function migrateLedger(db: Database.Database): LedgerFormat | null {
  return db
    .transaction((): LedgerFormat | null => {
      db.exec(SCHEMA);
      const format = readFormat(db);
      if (format === undefined) {
        db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?)').run('format', LEDGER_FORMAT);
        return null;
      }
      if (format === LEDGER_FORMAT) return LEDGER_FORMAT;
      if (format !== LEDGER_FORMAT_V1)
        throw new GatewayError('audit_store_unavailable', `ledger format ${format} is not ${LEDGER_FORMAT}`);
      // The /1 lookup table is derived data: the runs replace it (built after this commit).
      db.exec('DROP TABLE IF EXISTS event_lookup');
      db.exec('DROP TRIGGER ledger_meta_no_update');
      db.prepare('UPDATE ledger_meta SET value = ? WHERE key = ?').run(LEDGER_FORMAT, 'format');
      db.exec(SCHEMA);
      return LEDGER_FORMAT_V1;
    })
    .immediate();
}

/** For a read-only connection: the schema must already exist, as /2 or /1. */
export function checkLedgerFormat(db: Database.Database): LedgerFormat {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_meta'").get();
  const format = table ? readFormat(db) : undefined;
  if (format !== LEDGER_FORMAT && format !== LEDGER_FORMAT_V1)
    throw new GatewayError('audit_store_unavailable', `not a ${LEDGER_FORMAT} ledger`);
  return format;
}

/** SQL for the event id of an audit_events row: the /1 layout stores it, /2 reads the body. */
export function eventIdSql(db: Database.Database): string {
  const cols = db.prepare('PRAGMA table_info(audit_events)').all() as Array<{ name: string }>;
  return cols.some((c) => c.name === 'id') ? 'id' : ID_FROM_BODY;
}
