/**
 * SQLite schema of the audit ledger (format "portcullis-ledger/1").
 *
 * - audit_events: one row per leaf; `body` is the canonical JSON text whose UTF-8 bytes are the
 *   leaf data; the other columns are copies of event fields for filtering (verify checks them).
 *   Only time_ms is indexed inline (it grows with idx, so the index only ever appends).
 * - event_lookup: (key, idx) pairs for id, decision id, agent and rare-type lookups
 *   ("i:<id>", "d:<decision>", "a:<agent>", "t:<type>"). It is derived from the
 *   event columns and written after the durable commit in large sorted batches (see
 *   audit-lookup.ts): random keys such as ids would otherwise cost a B-tree page per event inside
 *   every commit. Queries read it below its high-water mark and scan the few rows above.
 * - merkle_nodes: pages of the hashes completed at each tree size n: the leaf hash of leaf n-1,
 *   then one more level per trailing zero bit of n. Node (level L, index j) is stored with tree
 *   size n = (j + 1) * 2^L, 32 * L bytes into that size's hashes. A row holds up to 64
 *   consecutive sizes (see audit-node-pages.ts). The leaf commitments are kept apart from the
 *   events so that tampering with one table is visible against the other.
 * - checkpoints: every signed checkpoint note, in signing order.
 * Append-only is enforced by triggers that abort every UPDATE and DELETE.
 */
import type Database from 'better-sqlite3';
import { GatewayError } from '../../../core/errors.js';

export const LEDGER_FORMAT = 'portcullis-ledger/1';

const TABLES = ['ledger_meta', 'audit_events', 'merkle_nodes', 'checkpoints', 'event_lookup'] as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_events (
  idx         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL,
  type        TEXT NOT NULL,
  time_ms     INTEGER NOT NULL,
  agent       TEXT,
  outcome     TEXT,
  decision_id TEXT,
  body        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events (time_ms);
CREATE TABLE IF NOT EXISTS event_lookup (
  key TEXT NOT NULL,
  idx INTEGER NOT NULL,
  PRIMARY KEY (key, idx)
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

/** Creates the schema if needed and checks the format marker. */
export function migrateLedger(db: Database.Database): void {
  db.exec(SCHEMA);
  const row = db.prepare('SELECT value FROM ledger_meta WHERE key = ?').get('format') as
    { value: string } | undefined;
  if (!row) db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?)').run('format', LEDGER_FORMAT);
  else if (row.value !== LEDGER_FORMAT) {
    throw new GatewayError('audit_store_unavailable', `ledger format ${row.value} is not ${LEDGER_FORMAT}`);
  }
}

/** For a read-only connection: the schema must already exist with the right format. */
export function checkLedgerFormat(db: Database.Database): void {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_meta'").get();
  const row = table
    ? (db.prepare('SELECT value FROM ledger_meta WHERE key = ?').get('format') as
        { value: string } | undefined)
    : undefined;
  if (row?.value !== LEDGER_FORMAT)
    throw new GatewayError('audit_store_unavailable', `not a ${LEDGER_FORMAT} ledger`);
}
