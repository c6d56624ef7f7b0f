/**
 * Approvals in SQLite (better-sqlite3, WAL): pending approvals survive a restart. Each
 * operation is one statement or one transaction, and better-sqlite3 is synchronous, so no other
 * request interleaves; `BEGIN IMMEDIATE` keeps it atomic against other processes on the file.
 * A partial unique index allows one pending approval per agent and canonical action.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ApprovalRecordV1, ApprovalStatus } from '../../../core/approvals/types.js';
import { GatewayError } from '../../../core/errors.js';
import type { ApprovalListFilter, ApprovalStore, ControlState } from '../../../ports/approval-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  action_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS approvals_one_pending ON approvals(agent_id, action_hash) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS approvals_by_action ON approvals(agent_id, action_hash, created_at);
CREATE INDEX IF NOT EXISTS approvals_by_created ON approvals(created_at);
CREATE INDEX IF NOT EXISTS approvals_pending_expiry ON approvals(expires_at) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS control_state (k TEXT PRIMARY KEY, v TEXT NOT NULL);
`;
const SCHEMA_VERSION = 1;

interface Row {
  record: string;
}

export class SqliteApprovalStore implements ApprovalStore {
  readonly name = 'sqlite-approvals';
  private readonly db: Database.Database;
  private readonly stmt: {
    insert: Database.Statement;
    get: Database.Statement;
    latest: Database.Statement;
    cas: Database.Statement;
    expired: Database.Statement;
    counts: Database.Statement;
    controlGet: Database.Statement;
    controlPut: Database.Statement;
  };

  /** Opens (creating when needed, mode 0600: approvals hold action arguments) the file at `path`. */
  constructor(path: string) {
    try {
      if (path !== ':memory:') {
        mkdirSync(dirname(path), { recursive: true });
        closeSync(openSync(path, 'a', 0o600));
      }
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION)
        throw new Error(`approval store schema ${version} is newer than this gateway (${SCHEMA_VERSION})`);
      this.db.exec(SCHEMA);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    } catch (cause) {
      throw new GatewayError('approval_store_unavailable', `cannot open the approval store at ${path}`, {
        cause,
      });
    }
    this.stmt = {
      insert: this.db.prepare(
        'INSERT INTO approvals (id, agent_id, action_hash, status, revision, created_at, expires_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      get: this.db.prepare('SELECT record FROM approvals WHERE id = ?'),
      latest: this.db.prepare(
        'SELECT record FROM approvals WHERE agent_id = ? AND action_hash = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
      ),
      cas: this.db.prepare(
        'UPDATE approvals SET status = ?, revision = ?, expires_at = ?, record = ? WHERE id = ? AND revision = ?',
      ),
      expired: this.db.prepare(
        "SELECT record FROM approvals WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
      ),
      counts: this.db.prepare('SELECT status, count(*) AS n FROM approvals GROUP BY status'),
      controlGet: this.db.prepare("SELECT v FROM control_state WHERE k = 'control'"),
      controlPut: this.db.prepare(
        "INSERT INTO control_state (k, v) VALUES ('control', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
      ),
    };
  }

  insert(r: ApprovalRecordV1): Promise<boolean> {
    return this.guard(() => {
      try {
        this.stmt.insert.run(
          r.id,
          r.agent_id,
          r.action_hash,
          r.status,
          r.revision,
          r.created_at,
          r.expires_at,
          JSON.stringify(r),
        );
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    });
  }

  get(id: string): Promise<ApprovalRecordV1 | null> {
    return this.guard(() => parseRow(this.stmt.get.get(id) as Row | undefined));
  }

  latestFor(agentId: string, actionHash: string): Promise<ApprovalRecordV1 | null> {
    return this.guard(() => parseRow(this.stmt.latest.get(agentId, actionHash) as Row | undefined));
  }

  list(filter: ApprovalListFilter): Promise<ApprovalRecordV1[]> {
    return this.guard(() => {
      const where: string[] = [];
      const params: Array<string | number> = [];
      const add = (clause: string, value: string | number | undefined): void => {
        if (value === undefined) return;
        where.push(clause);
        params.push(value);
      };
      add('status = ?', filter.status);
      add('agent_id = ?', filter.agentId);
      add('created_at < ?', filter.createdBefore);
      const sql = `SELECT record FROM approvals ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
      const rows = this.db.prepare(sql).all(...params, filter.limit) as Row[];
      return rows.map((row) => parseRow(row)!);
    });
  }

  compareAndSet(next: ApprovalRecordV1, expectedRevision: number): Promise<boolean> {
    return this.guard(() => {
      try {
        const info = this.stmt.cas.run(
          next.status,
          next.revision,
          next.expires_at,
          JSON.stringify(next),
          next.id,
          expectedRevision,
        );
        return info.changes === 1;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    });
  }

  pendingExpiredBy(now: number, limit: number): Promise<ApprovalRecordV1[]> {
    return this.guard(() => (this.stmt.expired.all(now, limit) as Row[]).map((row) => parseRow(row)!));
  }

  countByStatus(): Promise<Record<ApprovalStatus, number>> {
    return this.guard(() => {
      const counts: Record<ApprovalStatus, number> = { pending: 0, approved: 0, denied: 0, expired: 0 };
      for (const row of this.stmt.counts.all() as Array<{ status: ApprovalStatus; n: number }>) {
        if (row.status in counts) counts[row.status] = row.n;
      }
      return counts;
    });
  }

  loadControlState(): Promise<ControlState | null> {
    return this.guard(() => {
      const row = this.stmt.controlGet.get() as { v: string } | undefined;
      return row === undefined ? null : (JSON.parse(row.v) as ControlState);
    });
  }

  saveControlState(state: ControlState): Promise<void> {
    return this.guard(() => {
      this.stmt.controlPut.run(JSON.stringify(state));
    });
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  private guard<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      return Promise.reject(
        new GatewayError('approval_store_unavailable', 'the approval store failed', { cause }),
      );
    }
  }
}

function parseRow(row: Row | undefined): ApprovalRecordV1 | null {
  if (row === undefined) return null;
  const rec = JSON.parse(row.record) as ApprovalRecordV1;
  if (rec.v !== 1) throw new Error(`unknown approval record version ${String(rec.v)}`);
  return rec;
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
