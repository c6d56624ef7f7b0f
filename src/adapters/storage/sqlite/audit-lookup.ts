/**
 * The derived lookup index of the SQLite ledger (table event_lookup, see audit-schema.ts).
 *
 * Rows below the high-water mark U (one past the highest indexed event) are found through
 * event_lookup; rows at or above U, at most a few thousand, are found by scanning audit_events.
 * Every query combines both parts, so a query always sees every committed event, whether or not
 * its lookup entries have been written yet. The writer indexes in batches of LOOKUP_BATCH after
 * the durable commit, and at open and close. A read-only connection never writes the index.
 */
import type Database from 'better-sqlite3';
import type { LedgerEventRow } from '../../../ports/audit-store.js';
import type { BackendQuery } from '../audit-ledger/backend.js';

export const LOOKUP_BATCH = 4096;

/** Types common enough that a filtered scan in index order finds them fast; others are indexed. */
const FREQUENT_TYPES = new Set(['decision', 'outcome']);
const PROGRESS_KEY = '#';

type Row = unknown[];
const toRow = (r: Row): LedgerEventRow => ({ index: r[0] as number, text: r[1] as string });

const COLUMN_FILTERS: Array<[keyof BackendQuery, string]> = [
  ['to', 'e.idx < @to'],
  ['agent', 'e.agent = @agent'],
  ['outcome', 'e.outcome = @outcome'],
  ['type', 'e.type = @type'],
  ['decisionId', 'e.decision_id = @decisionId'],
  ['since', 'e.time_ms >= @since'],
  ['until', 'e.time_ms <= @until'],
];

/**
 * Entries per event: "i:<id>", "d:<decision id>" when present, "a:<agent>" when present, and
 * "t:<type>" for the rare types. Each batch ends with a "#" entry holding its last index: the
 * high-water mark. Written by one INSERT ... SELECT, sorted, so the work stays inside SQLite.
 */
const CATCH_UP = `
INSERT INTO event_lookup (key, idx)
SELECT k, idx FROM (
  SELECT 'i:' || id AS k, idx FROM audit_events WHERE idx >= @from AND idx < @to
  UNION ALL SELECT 'd:' || decision_id, idx FROM audit_events WHERE idx >= @from AND idx < @to AND decision_id IS NOT NULL
  UNION ALL SELECT 'a:' || agent, idx FROM audit_events WHERE idx >= @from AND idx < @to AND agent IS NOT NULL
  UNION ALL SELECT 't:' || type, idx FROM audit_events WHERE idx >= @from AND idx < @to AND type NOT IN (${[...FREQUENT_TYPES].map((t) => `'${t}'`).join(', ')})
  UNION ALL SELECT '${PROGRESS_KEY}', max(idx) FROM audit_events WHERE idx >= @from AND idx < @to
) ORDER BY k, idx`;

export class EventLookup {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly highWater: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.highWater = db
      .prepare(`SELECT coalesce(max(idx) + 1, 0) FROM event_lookup WHERE key = '${PROGRESS_KEY}'`)
      .pluck();
  }

  /** Events with index below this have their lookup entries. */
  indexedUpTo(): number {
    return this.highWater.get() as number;
  }

  /** Writes lookup entries for events [indexedUpTo, upTo), LOOKUP_BATCH events per transaction. */
  catchUp(upTo: number): void {
    const insert = this.stmt(CATCH_UP);
    const write = this.db.transaction((from: number, to: number) => insert.run({ from, to }));
    for (let from = this.indexedUpTo(); from < upTo; from += LOOKUP_BATCH)
      write(from, Math.min(upTo, from + LOOKUP_BATCH));
  }

  query(q: BackendQuery): LedgerEventRow[] {
    const upTo = this.indexedUpTo();
    const key =
      q.decisionId !== null
        ? `d:${q.decisionId}`
        : q.agent !== null
          ? `a:${q.agent}`
          : q.type !== null && !FREQUENT_TYPES.has(q.type)
            ? `t:${q.type}`
            : null;
    const params: Record<string, unknown> = Object.fromEntries(
      Object.entries(q).filter(([, v]) => v !== null),
    );
    const filters = COLUMN_FILTERS.filter(([k]) => q[k] !== null)
      .map(([, sql]) => ` AND ${sql}`)
      .join('');
    const rows: LedgerEventRow[] = [];
    if (key !== null && q.from < upTo) {
      const sql = `SELECT e.idx, e.body FROM event_lookup l JOIN audit_events e ON e.idx = l.idx WHERE l.key = @key AND l.idx >= @from AND l.idx < @upTo${filters} ORDER BY l.idx LIMIT @limit`;
      rows.push(
        ...(
          this.stmt(sql)
            .raw()
            .all({ ...params, key, upTo }) as Row[]
        ).map(toRow),
      );
    }
    if (rows.length < q.limit) {
      const from = key === null ? q.from : Math.max(q.from, upTo);
      const sql = `SELECT e.idx, e.body FROM audit_events e WHERE e.idx >= @from${filters} ORDER BY e.idx LIMIT @limit`;
      rows.push(
        ...(
          this.stmt(sql)
            .raw()
            .all({ ...params, from, limit: q.limit - rows.length }) as Row[]
        ).map(toRow),
      );
    }
    return rows;
  }

  /** Events whose `column` equals `value` (via lookup key `prefix:value`), ascending. */
  find(prefix: 'i' | 'd', column: 'id' | 'decision_id', value: string, limit: number): LedgerEventRow[] {
    const upTo = this.indexedUpTo();
    const indexed = this.stmt(
      'SELECT e.idx, e.body FROM event_lookup l JOIN audit_events e ON e.idx = l.idx WHERE l.key = ? AND l.idx < ? ORDER BY l.idx LIMIT ?',
    ).raw();
    const rows = (indexed.all(`${prefix}:${value}`, upTo, limit) as Row[]).map(toRow);
    if (rows.length >= limit) return rows;
    const tail = this.stmt(
      `SELECT idx, body FROM audit_events WHERE idx >= ? AND ${column} = ? ORDER BY idx LIMIT ?`,
    ).raw();
    return rows.concat((tail.all(upTo, value, limit - rows.length) as Row[]).map(toRow));
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
