/**
 * Ledgers written in format "portcullis-ledger/1" (id stored in audit_events, every lookup key in
 * event_lookup) stay readable, and a writable open migrates them to /2 without touching a single
 * event, Merkle page or checkpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryAuditStore } from '../src/adapters/storage/memory/audit-store.js';
import { openSqliteAuditStore } from '../src/adapters/storage/sqlite/audit-store.js';
import { verifyLedger } from '../src/core/audit/verify-ledger.js';
import type { AuditEventQuery, AuditStore } from '../src/ports/audit-store.js';
import { sampleEvent, sampleSystemEvent, testSigner } from './audit-fixtures.js';

const KEY = testSigner().verifierKey;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'portcullis-migrate-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The /1 schema exactly as the /1 writer created it. */
const V1_TABLES = ['ledger_meta', 'audit_events', 'merkle_nodes', 'checkpoints', 'event_lookup'];
const V1_SCHEMA = `
CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE audit_events (
  idx INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, time_ms INTEGER NOT NULL,
  agent TEXT, outcome TEXT, decision_id TEXT, body TEXT NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events (time_ms);
CREATE TABLE event_lookup (key TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (key, idx)) WITHOUT ROWID;
CREATE TABLE merkle_nodes (first_size INTEGER PRIMARY KEY, last_size INTEGER NOT NULL, hashes BLOB NOT NULL);
CREATE TABLE checkpoints (
  seq INTEGER PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL,
  verifier_key TEXT NOT NULL, created_ms INTEGER NOT NULL
);
${V1_TABLES.map(
  (t) => `
CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t}
  BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: ${t} rows cannot be updated'); END;
CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t}
  BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: ${t} rows cannot be deleted'); END;`,
).join('\n')}`;

/** The /1 writer's lookup batch: every key of events [from, to) and the "#" high-water entry. */
const V1_CATCH_UP = `
INSERT INTO event_lookup (key, idx)
SELECT k, idx FROM (
  SELECT 'i:' || id AS k, idx FROM audit_events WHERE idx >= @from AND idx < @to
  UNION ALL SELECT 'd:' || decision_id, idx FROM audit_events WHERE idx >= @from AND idx < @to AND decision_id IS NOT NULL
  UNION ALL SELECT 'a:' || agent, idx FROM audit_events WHERE idx >= @from AND idx < @to AND agent IS NOT NULL
  UNION ALL SELECT 't:' || type, idx FROM audit_events WHERE idx >= @from AND idx < @to AND type NOT IN ('decision', 'outcome')
  UNION ALL SELECT '#', max(idx) FROM audit_events WHERE idx >= @from AND idx < @to
) ORDER BY k, idx`;

const events = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) =>
    (from + k) % 97 === 0 ? sampleSystemEvent(from + k) : sampleEvent(from + k),
  );

/**
 * A /1 ledger of `n` events, `indexed` of them in its lookup table, with the same Merkle pages
 * and checkpoints a /1 writer stores (those formats did not change: they are copied from a
 * ledger written by the current code).
 */
async function v1Ledger(n: number, indexed: number): Promise<string> {
  const dir = tempDir();
  const source = join(dir, 'source.db');
  const store = openSqliteAuditStore({
    path: source,
    signer: testSigner(),
    checkpoints: { everyEvents: 100 },
  });
  for (let i = 0; i < n; i += 250)
    await Promise.all(events(i, Math.min(n, i + 250)).map((e) => store.append(e)));
  await store.close();
  const path = join(dir, 'v1.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(V1_SCHEMA);
  db.prepare('ATTACH DATABASE ? AS src').run(source);
  db.exec(`
    INSERT INTO ledger_meta (key, value) VALUES ('format', 'portcullis-ledger/1');
    INSERT INTO audit_events (idx, id, type, time_ms, agent, outcome, decision_id, body)
      SELECT idx, body ->> '$.id', type, time_ms, agent, outcome, decision_id, body FROM src.audit_events;
    INSERT INTO checkpoints SELECT * FROM src.checkpoints;`);
  db.exec('DETACH DATABASE src');
  // The /1 writer stored up to 64 tree sizes per Merkle page, a commit (here 250 events) at a time.
  const reader = openSqliteAuditStore({ path: source, readonly: true });
  const hashes = (await reader.nodeHashes(0, n))!;
  await reader.close();
  const page = db.prepare('INSERT INTO merkle_nodes (first_size, last_size, hashes) VALUES (?, ?, ?)');
  for (let batch = 0; batch < n; batch += 250)
    for (let first = batch; first < Math.min(n, batch + 250); first += 64) {
      const last = Math.min(n, batch + 250, first + 64);
      page.run(first + 1, last, Buffer.from(hashes.slice(first, last).join(''), 'hex'));
    }
  const catchUp = db.prepare(V1_CATCH_UP);
  for (let from = 0; from < indexed; from += 4096) catchUp.run({ from, to: Math.min(indexed, from + 4096) });
  db.close();
  return path;
}

const QUERIES: AuditEventQuery[] = [
  { agent: 'agent-1', limit: 20 },
  { agent: 'agent-2', after: 4000, limit: 50 },
  { decisionId: 'dec_000100' },
  { decisionId: 'dec_004321', outcome: 'deny' },
  { type: 'policy_reload' },
  { outcome: 'escalate', from: 4090, to: 4120 },
  { since: Date.parse(sampleEvent(4000).time), until: Date.parse(sampleEvent(4010).time) },
];

async function expectSameAnswers(store: AuditStore, reference: AuditStore, size: number): Promise<void> {
  for (const q of QUERIES) {
    const want = (await reference.listEvents(q)).events.map((e) => e.index);
    expect(want.length, JSON.stringify(q)).toBeGreaterThan(0);
    expect(
      (await store.listEvents(q)).events.map((e) => e.index),
      JSON.stringify(q),
    ).toEqual(want);
  }
  for (const i of [0, 97, 4095, 4096, size - 1]) {
    const e = (await reference.getEventAt(i))!.event;
    expect((await store.getEvent(e.id))?.index, `event ${i}`).toBe(i);
    if (e.decision_id)
      expect((await store.getDecisionEvents(e.decision_id)).map((x) => x.index)).toEqual(
        (await reference.getDecisionEvents(e.decision_id)).map((x) => x.index),
      );
  }
}

async function reference(n: number): Promise<AuditStore> {
  const memory = createMemoryAuditStore({ signer: testSigner() });
  for (let i = 0; i < n; i += 250)
    await Promise.all(events(i, Math.min(n, i + 250)).map((e) => memory.append(e)));
  return memory;
}

const meta = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all() as string[]
    ).filter((t) => !t.startsWith('sqlite_'));
    return {
      format: db.prepare("SELECT value FROM ledger_meta WHERE key = 'format'").pluck().get() as string,
      tables,
      highWater: tables.includes('lookup_runs')
        ? (db.prepare('SELECT max(end) FROM lookup_runs').pluck().get() as number | null)
        : null,
      digest: db
        .prepare(
          `SELECT (SELECT group_concat(idx || ':' || body, '|') FROM (SELECT idx, body FROM audit_events ORDER BY idx))
             || (SELECT group_concat(hex(hashes), '|') FROM (SELECT hashes FROM merkle_nodes ORDER BY first_size))
             || (SELECT group_concat(note, '|') FROM (SELECT note FROM checkpoints ORDER BY seq))`,
        )
        .pluck()
        .get() as string,
    };
  } finally {
    db.close();
  }
};

describe('ledgers in format portcullis-ledger/1', () => {
  it('are read by a read-only connection without their lookup table, and verify', async () => {
    const path = await v1Ledger(4500, 4096);
    const before = meta(path);
    const reader = openSqliteAuditStore({ path, readonly: true });
    await expectSameAnswers(reader, await reference(4500), 4500);
    const v = await verifyLedger(reader, { keys: [KEY], content: true });
    expect(v).toMatchObject({ ok: true, size: 4500 });
    await reader.close();
    expect(meta(path)).toEqual(before);
    expect(before.format).toBe('portcullis-ledger/1');
  }, 60_000);

  it('are migrated by a writable open: new lookup index, same events, pages and checkpoints', async () => {
    const path = await v1Ledger(4500, 4096);
    const before = meta(path);
    expect(before.tables).toContain('event_lookup');
    const writer = openSqliteAuditStore({ path, signer: testSigner(), checkpoints: { everyEvents: 100 } });
    const after = meta(path);
    expect(after.format).toBe('portcullis-ledger/2');
    expect(after.tables).not.toContain('event_lookup');
    expect(after.tables).toEqual(expect.arrayContaining(['lookup_runs', 'lookup_keys', 'lookup_postings']));
    // Every event was indexed at open; not one stored byte of the ledger changed.
    expect(after.highWater).toBe(4500);
    expect(after.digest).toBe(before.digest);
    const memory = await reference(4500);
    await expectSameAnswers(writer, memory, 4500);

    // It keeps growing in its /1 row layout (the id column is still filled) and verifies.
    await Promise.all(events(4500, 4700).map((e) => Promise.all([writer.append(e), memory.append(e)])));
    expect(await writer.rootAt()).toBe(await memory.rootAt());
    await expectSameAnswers(writer, memory, 4700);
    // Proofs read through the old pages of 64 sizes and the new ones alike.
    for (const [i, n] of [
      [0, 4700],
      [4499, 4501],
      [4100, 4600],
      [4650, 4700],
      [63, 64],
    ] as const) {
      expect(await writer.inclusionProof(i, n)).toEqual(await memory.inclusionProof(i, n));
      expect(await writer.consistencyProof(i + 1, n)).toEqual(await memory.consistencyProof(i + 1, n));
    }
    const db = new Database(path, { readonly: true });
    expect(
      db
        .prepare('SELECT max(last_size - first_size) + 1 FROM merkle_nodes WHERE last_size <= 4500')
        .pluck()
        .get(),
    ).toBe(64);
    expect(
      db
        .prepare('SELECT max(last_size - first_size) + 1 FROM merkle_nodes WHERE first_size > 4500')
        .pluck()
        .get(),
    ).toBe(200);
    expect(
      db.prepare("SELECT count(*) FROM audit_events WHERE id IS NOT body ->> '$.id'").pluck().get(),
    ).toBe(0);
    db.close();
    await writer.close();
    const again = openSqliteAuditStore({ path, signer: testSigner() });
    expect(meta(path).highWater).toBe(4700);
    await expectSameAnswers(again, memory, 4700);
    const v = await verifyLedger(again, { keys: [KEY], content: true });
    expect(v).toMatchObject({ ok: true, size: 4700 });
    // One checkpoint per commit of 250 (due every 100 events), then one for the 200 appended here.
    expect(v.checkpoints).toMatchObject({ verified: 19, total: 19 });
    expect(v.unsignedTail).toBe(0);
    await again.close();
  }, 60_000);

  it('a migration that fails leaves the /1 ledger as it was', async () => {
    const path = await v1Ledger(300, 300);
    const before = meta(path);
    // Another connection holds the write lock: the migration cannot start.
    const locker = new Database(path);
    locker.exec('BEGIN EXCLUSIVE');
    expect(() => openSqliteAuditStore({ path, signer: testSigner(), busyTimeoutMs: 20 })).toThrow();
    locker.exec('ROLLBACK');
    locker.close();
    expect(meta(path)).toEqual(before);
  }, 60_000);
});

describe('ledger format marker', () => {
  it('refuses a ledger of an unknown format, writable or read-only', async () => {
    const dir = tempDir();
    const path = join(dir, 'future.db');
    const store = openSqliteAuditStore({ path, signer: testSigner() });
    await store.append(sampleEvent(0));
    await store.close();
    const db = new Database(path);
    db.exec("DROP TRIGGER ledger_meta_no_update; UPDATE ledger_meta SET value = 'portcullis-ledger/3'");
    db.close();
    expect(() => openSqliteAuditStore({ path, signer: testSigner() })).toThrow(/portcullis-ledger\/3/);
    expect(() => openSqliteAuditStore({ path, readonly: true })).toThrow(/not a portcullis-ledger/);
  });
});
