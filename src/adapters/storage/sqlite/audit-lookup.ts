/**
 * The derived lookup index of the SQLite ledger (tables lookup_runs, lookup_keys and
 * lookup_postings, see audit-schema.ts), written after the durable commit and never inside it.
 *
 * The index is a sequence of runs: consecutive ranges of at most RUN_EVENTS committed events,
 * each written once, in one transaction, when it is complete (and at open and close for what is
 * left). A run never changes afterwards, so every write appends at the end of each table: no
 * random B-tree pages, and the cost per event does not grow with the ledger.
 *
 * - Ids and decision ids (random hashes) go to lookup_keys: each key is reduced to a 32-bit
 *   prefix (its first 8 hex digits, or the first 4 bytes of its SHA-256 when it has none) and
 *   stored as 6 bytes (prefix, then kind << 15 | offset in the run), sorted, in 256 rows per run
 *   bucketed by the prefix's top byte. A lookup reads one bucket row per run (one seek each,
 *   one statement) and checks every candidate against the event itself, so a prefix collision
 *   costs a row read, never a wrong answer.
 * - Agents and the rare event types go to lookup_postings: one row per (key, run) listing the
 *   run offsets of the matching events.
 *
 * Rows below the high-water mark (the end of the last run) are found through the index; rows
 * above it, at most about RUN_EVENTS, by scanning audit_events. Every query combines both parts,
 * so it always sees every committed event. The writer also keeps the columns of its not yet
 * indexed events in memory, so its own id and decision id lookups never scan. A connection to a
 * /1 ledger opened read-only has no index: every query scans.
 */
import type Database from 'better-sqlite3';
import type { EventColumns } from '../../../core/audit/event-encode.js';
import { sha256 } from '../../../core/audit/hash.js';
import type { LedgerEventRow } from '../../../ports/audit-store.js';
import type { BackendQuery } from '../audit-ledger/backend.js';

/** Events per run. At most 2^15: offsets are 15 bits. */
export const RUN_EVENTS = 16384;
const MAX_RUN = 32768;
const KIND_ID = 0;
const KIND_DECISION = 1;
/** entry value = prefix * 2^16 + kind * 2^15 + offset (below 2^48: exact in a double). */
const PREFIX_UNIT = 65536;
const BUCKET_UNIT = 2 ** 40;
const ENTRY_BYTES = 6;

/** Types common enough that a filtered scan in index order finds them fast; others are indexed. */
const FREQUENT_TYPES = new Set(['decision', 'outcome']);

/** The lookup columns of one event (from the writer's memory, or read back from the table). */
export type RunColumns = Pick<EventColumns, 'agent' | 'decisionId'> & { id: string | null; type: string };

type Row = unknown[];
const toRow = (r: Row): LedgerEventRow => ({ index: r[0] as number, text: r[1] as string });

/**
 * The 32-bit key prefix of an id or a decision id: the 8 hex digits after "evt_" or "dec_" (any
 * three characters, then "_"), or the first 4 bytes of its SHA-256 when it does not start so.
 */
export function keyPrefix(value: string): number {
  if (value.length >= 12 && value.charCodeAt(3) === 95) {
    let v = 0;
    let k = 4;
    for (; k < 12; k++) {
      const c = value.charCodeAt(k);
      const nibble = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (nibble < 0) break;
      v = v * 16 + nibble;
    }
    if (k === 12) return v;
  }
  return Buffer.from(sha256(value)).readUInt32BE(0);
}

const COLUMN_FILTERS: Array<[keyof BackendQuery, string]> = [
  ['to', 'e.idx < @to'],
  ['agent', 'e.agent = @agent'],
  ['outcome', 'e.outcome = @outcome'],
  ['type', 'e.type = @type'],
  ['decisionId', 'e.decision_id = @decisionId'],
  ['since', 'e.time_ms >= @since'],
  ['until', 'e.time_ms <= @until'],
];

/** Candidate indices found through the index, in ascending order, a page at a time. */
type Candidates = (after: number, max: number) => number[];

export class EventLookup {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly st;
  /** Writer only: lookup columns of committed events [pendingFrom, pendingFrom + pending.length). */
  private pending: EventColumns[] = [];
  private pendingFrom = Number.POSITIVE_INFINITY;
  /** Events per run. */
  readonly runEvents: number;

  /**
   * `indexed`: the lookup tables exist (a /2 ledger); without them every query scans. `idSql`:
   * the SQL expression for a row's event id (see eventIdSql).
   */
  constructor(
    private readonly db: Database.Database,
    indexed: boolean,
    private readonly idSql: string,
    runEvents = RUN_EVENTS,
  ) {
    if (!Number.isSafeInteger(runEvents) || runEvents < 1 || runEvents > MAX_RUN)
      throw new RangeError(`a lookup run holds 1..${MAX_RUN} events`);
    this.runEvents = runEvents;
    this.st = indexed
      ? {
          highWater: db.prepare('SELECT end FROM lookup_runs ORDER BY start DESC LIMIT 1').pluck(),
          bucketRows: db
            .prepare(
              'SELECT r.start, k.entries FROM lookup_runs r JOIN lookup_keys k ON k.run = r.start AND k.bucket = ? WHERE r.start < ? ORDER BY r.start',
            )
            .raw(),
          postings: db
            .prepare(
              'SELECT run, offsets FROM lookup_postings WHERE key = ? AND run > ? AND run < ? ORDER BY run LIMIT 16',
            )
            .raw(),
          insertRun: db.prepare('INSERT INTO lookup_runs (start, end) VALUES (?, ?)'),
          insertPosting: db.prepare('INSERT INTO lookup_postings (key, run, offsets) VALUES (?, ?, ?)'),
          columns: db
            .prepare(
              `SELECT idx, ${idSql}, decision_id, agent, type FROM audit_events WHERE idx >= ? AND idx < ? ORDER BY idx`,
            )
            .raw(),
        }
      : null;
  }

  /** Events with index below this are in the index. */
  indexedUpTo(): number {
    return this.st ? ((this.st.highWater.get() as number | undefined) ?? 0) : 0;
  }

  /** Writer: remembers the lookup columns of a batch that has just been committed. */
  committed(rows: ReadonlyArray<{ index: number; columns: EventColumns }>): void {
    if (!this.st || rows.length === 0) return;
    const first = rows[0]!.index;
    if (this.pending.length === 0 || first !== this.pendingFrom + this.pending.length) {
      // Start afresh (first batch, or a gap that the index will read back from the table).
      this.pending = [];
      this.pendingFrom = first;
    }
    for (const r of rows) this.pending.push(r.columns);
    // While the index cannot be written (another process holds the lock, say), memory is not
    // the place to pile up the backlog: forget it; runs and lookups read the table instead.
    if (this.pending.length > 4 * this.runEvents) {
      this.pending = [];
      this.pendingFrom = Number.POSITIVE_INFINITY;
    }
  }

  /**
   * Writes the runs for committed events [indexedUpTo, upTo): complete runs only, or everything
   * when `all` (open, close). One transaction per run.
   */
  catchUp(upTo: number, all: boolean): void {
    if (!this.st) return;
    const write = this.db.transaction((start: number, end: number) => this.writeRun(start, end));
    let from = this.indexedUpTo();
    while (upTo - from >= this.runEvents || (all && upTo > from)) {
      const end = Math.min(upTo, from + this.runEvents);
      write(from, end);
      from = end;
    }
    if (from > this.pendingFrom) {
      this.pending = this.pending.slice(Math.min(this.pending.length, from - this.pendingFrom));
      this.pendingFrom = from;
    }
  }

  private writeRun(start: number, end: number): void {
    const st = this.st!;
    const cols = this.runColumns(start, end);
    const n = end - start;
    const values = new Float64Array(2 * n);
    const agents = new Map<string, number[]>();
    const types = new Map<string, number[]>();
    let m = 0;
    for (let o = 0; o < n; o++) {
      const c = cols[o];
      if (!c) continue;
      if (c.id !== null) values[m++] = keyPrefix(c.id) * PREFIX_UNIT + KIND_ID * MAX_RUN + o;
      if (c.decisionId !== null)
        values[m++] = keyPrefix(c.decisionId) * PREFIX_UNIT + KIND_DECISION * MAX_RUN + o;
      if (c.agent !== null) {
        const list = agents.get(c.agent);
        if (list) list.push(o);
        else agents.set(c.agent, [o]);
      }
      if (!FREQUENT_TYPES.has(c.type)) {
        const list = types.get(c.type);
        if (list) list.push(o);
        else types.set(c.type, [o]);
      }
    }
    // Sorted by prefix: each bucket (the prefix's top byte) is one contiguous stretch.
    const sorted = values.subarray(0, m).sort();
    const params: unknown[] = [];
    for (let i = 0; i < m;) {
      const bucket = Math.floor(sorted[i]! / BUCKET_UNIT);
      let j = i;
      while (j < m && Math.floor(sorted[j]! / BUCKET_UNIT) === bucket) j++;
      const entries = Buffer.allocUnsafe((j - i) * ENTRY_BYTES);
      for (let k = i, at = 0; k < j; k++, at += ENTRY_BYTES) {
        const v = sorted[k]!;
        entries.writeUInt32LE(Math.floor(v / PREFIX_UNIT), at);
        entries.writeUInt16LE(v % PREFIX_UNIT, at + 4);
      }
      params.push(start, bucket, entries);
      i = j;
    }
    for (let i = 0; i < params.length; i += 3 * 64) {
      const part = params.slice(i, i + 3 * 64);
      this.stmt(
        `INSERT INTO lookup_keys (run, bucket, entries) VALUES ${Array(part.length / 3)
          .fill('(?, ?, ?)')
          .join(', ')}`,
      ).run(part);
    }
    for (const [prefix, lists] of [
      ['a:', agents],
      ['t:', types],
    ] as const) {
      for (const [value, offsets] of lists) {
        const blob = Buffer.allocUnsafe(offsets.length * 2);
        for (let k = 0; k < offsets.length; k++) blob.writeUInt16LE(offsets[k]!, 2 * k);
        st.insertPosting.run(prefix + value, start, blob);
      }
    }
    st.insertRun.run(start, end);
  }

  /** Lookup columns of events [start, end) by offset: from memory, or read back from the table. */
  private runColumns(start: number, end: number): Array<RunColumns | undefined> {
    if (start >= this.pendingFrom && end <= this.pendingFrom + this.pending.length)
      return this.pending.slice(start - this.pendingFrom, end - this.pendingFrom);
    const out = new Array<RunColumns | undefined>(end - start);
    for (const r of this.st!.columns.all(start, end) as Row[]) {
      out[(r[0] as number) - start] = {
        id: typeof r[1] === 'string' ? r[1] : null,
        decisionId: typeof r[2] === 'string' ? r[2] : null,
        agent: r[3] as string | null,
        type: r[4] as string,
      };
    }
    return out;
  }

  query(q: BackendQuery): LedgerEventRow[] {
    const upTo = this.indexedUpTo();
    const filters = COLUMN_FILTERS.filter(([k]) => q[k] !== null)
      .map(([, sql]) => ` AND ${sql}`)
      .join('');
    const params: Record<string, unknown> = Object.fromEntries(
      Object.entries(q).filter(([, v]) => v !== null),
    );
    const byKey = this.candidates(q, upTo);
    const rows: LedgerEventRow[] = [];
    if (byKey === null) {
      const sql = `SELECT e.idx, e.body FROM audit_events e WHERE e.idx >= @from${filters} ORDER BY e.idx LIMIT @limit`;
      return (this.stmt(sql).raw().all(params) as Row[]).map(toRow);
    }
    const end = Math.min(upTo, q.to ?? upTo);
    const pick = this.stmt(
      `SELECT e.idx, e.body FROM audit_events e WHERE e.idx IN (SELECT value FROM json_each(@ids))${filters} ORDER BY e.idx LIMIT @limit`,
    ).raw();
    // Below the high-water mark: candidates from the index, checked against the rows.
    for (let after = q.from - 1; rows.length < q.limit && after < end - 1;) {
      const ids = byKey(after, Math.max(256, 2 * (q.limit - rows.length))).filter((i) => i < end);
      if (ids.length === 0) break;
      after = ids[ids.length - 1]!;
      const found = pick.all({ ...params, ids: JSON.stringify(ids), limit: q.limit - rows.length }) as Row[];
      for (const r of found) rows.push(toRow(r));
    }
    // At and above it: the writer's memory for ids and decision ids, else a scan.
    if (rows.length < q.limit) {
      const from = Math.max(q.from, upTo);
      const limit = q.limit - rows.length;
      const remembered = q.decisionId !== null ? this.remembered('decisionId', q.decisionId, from) : null;
      const tail = remembered
        ? (pick.all({ ...params, ids: JSON.stringify(remembered), limit }) as Row[])
        : (this.stmt(
            `SELECT e.idx, e.body FROM audit_events e WHERE e.idx >= @from${filters} ORDER BY e.idx LIMIT @limit`,
          )
            .raw()
            .all({ ...params, from, limit }) as Row[]);
      for (const r of tail) rows.push(toRow(r));
    }
    return rows;
  }

  /** The first event with this id. */
  findById(id: string): LedgerEventRow | null {
    const upTo = this.indexedUpTo();
    const check = this.stmt(`SELECT idx, body FROM audit_events WHERE idx = ? AND ${this.idSql} = ?`).raw();
    if (this.st) {
      for (const i of this.keyCandidates(KIND_ID, id, upTo)) {
        const r = check.get(i, id) as Row | undefined;
        if (r) return toRow(r);
      }
    }
    const remembered = this.remembered('id', id, upTo);
    if (remembered) {
      for (const i of remembered) {
        const r = check.get(i, id) as Row | undefined;
        if (r) return toRow(r);
      }
      return null;
    }
    const r = this.stmt(
      `SELECT idx, body FROM audit_events WHERE idx >= ? AND ${this.idSql} = ? ORDER BY idx LIMIT 1`,
    )
      .raw()
      .get(upTo, id) as Row | undefined;
    return r ? toRow(r) : null;
  }

  /** Index candidates for the query's most selective key, or null when it has none (scan). */
  private candidates(q: BackendQuery, upTo: number): Candidates | null {
    if (q.decisionId !== null) {
      const value = q.decisionId;
      if (!this.st) return () => [];
      let all: number[] | null = null;
      return (after, max) => {
        all ??= this.keyCandidates(KIND_DECISION, value, upTo);
        return all.filter((i) => i > after).slice(0, max);
      };
    }
    const key =
      q.agent !== null
        ? `a:${q.agent}`
        : q.type !== null && !FREQUENT_TYPES.has(q.type)
          ? `t:${q.type}`
          : null;
    if (key === null) return null;
    if (!this.st) return () => [];
    return (after, max) => this.postingCandidates(key, after, upTo, max);
  }

  /** Indices below `upTo` whose id (kind 0) or decision id (1) may be `value`, ascending. */
  private keyCandidates(kind: number, value: string, upTo: number): number[] {
    const prefix = keyPrefix(value);
    const out: number[] = [];
    for (const r of this.st!.bucketRows.all(Math.floor(prefix / 2 ** 24), upTo) as Row[]) {
      const start = r[0] as number;
      const entries = r[1] as Buffer;
      for (let at = 0; at < entries.length; at += ENTRY_BYTES) {
        if (entries.readUInt32LE(at) !== prefix) continue;
        const tag = entries.readUInt16LE(at + 4);
        if (tag >>> 15 === kind) out.push(start + (tag % MAX_RUN));
      }
    }
    return out;
  }

  /** Up to about `max` indices in (after, upTo) listed under a postings key, ascending. */
  private postingCandidates(key: string, after: number, upTo: number, max: number): number[] {
    const out: number[] = [];
    let run = after - MAX_RUN;
    while (out.length < max) {
      const rows = this.st!.postings.all(key, run, upTo) as Row[];
      if (rows.length === 0) break;
      for (const r of rows) {
        run = r[0] as number;
        const offsets = r[1] as Buffer;
        for (let at = 0; at < offsets.length; at += 2) {
          const i = run + offsets.readUInt16LE(at);
          if (i > after && i < upTo) out.push(i);
        }
      }
    }
    return out;
  }

  /**
   * Writer only: indices at or above `from` whose `column` is `value`, from memory, when memory
   * covers everything there (else null: scan).
   */
  private remembered(column: 'id' | 'decisionId', value: string, from: number): number[] | null {
    if (from < this.pendingFrom) return null;
    const out: number[] = [];
    for (let k = Math.max(0, from - this.pendingFrom); k < this.pending.length; k++)
      if (this.pending[k]![column] === value) out.push(this.pendingFrom + k);
    return out;
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
