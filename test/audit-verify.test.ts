/**
 * Tamper evidence: for random SQLite ledgers, every single modification, deletion, insertion,
 * swap or truncation of stored events, Merkle hashes or checkpoints is detected by verifyLedger,
 * and classified as what it is. The tampering goes straight to the database file through a raw
 * connection after dropping the append-only triggers, as an attacker with file access would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteAuditStore } from '../src/adapters/storage/sqlite/audit-store.js';
import { hashesBetween } from '../src/adapters/storage/sqlite/audit-node-pages.js';
import { canonicalEventText } from '../src/core/audit/event-encode.js';
import { hashChildren, hashLeafText } from '../src/core/audit/hash.js';
import { signCheckpoint } from '../src/core/audit/checkpoint.js';
import { verifyLedger, type LedgerVerification } from '../src/core/audit/verify-ledger.js';
import { ORIGIN, sampleEvent, testSigner } from './audit-fixtures.js';

const KEY = testSigner().verifierKey;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A ledger of n events appended in waves, with a checkpoint every `every` events and at close. */
async function buildLedger(n: number, every: number, waves: number[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-tamper-'));
  dirs.push(dir);
  const path = join(dir, 'ledger.db');
  const store = openSqliteAuditStore({
    path,
    signer: testSigner(),
    origin: ORIGIN,
    checkpoints: { everyEvents: every },
  });
  let i = 0;
  for (const w of [...waves, n]) {
    const batch: Array<Promise<unknown>> = [];
    while (i < n && batch.length < w) batch.push(store.append(sampleEvent(i++)));
    await Promise.all(batch);
  }
  await store.close();
  return path;
}

function raw(path: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path);
  for (const t of db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    .pluck()
    .all() as string[])
    db.exec(`DROP TRIGGER ${t}`);
  db.transaction(() => fn(db))();
  db.close();
}

async function verify(path: string, witnessed: string[] = []): Promise<LedgerVerification> {
  const store = openSqliteAuditStore({ path, readonly: true });
  try {
    return await verifyLedger(store, { keys: [KEY], witnessed, searchWindow: 64 });
  } finally {
    await store.close();
  }
}

const body = (db: Database.Database, i: number): string =>
  db.prepare('SELECT body FROM audit_events WHERE idx = ?').pluck().get(i) as string;
const setBody = (db: Database.Database, i: number, text: string): void =>
  void db.prepare('UPDATE audit_events SET body = ? WHERE idx = ?').run(text, i);
function shift(db: Database.Database, from: number, by: number): void {
  const rows = db
    .prepare('SELECT idx FROM audit_events WHERE idx >= ? ORDER BY idx')
    .pluck()
    .all(from) as number[];
  const move = db.prepare('UPDATE audit_events SET idx = ? WHERE idx = ?');
  for (const idx of by > 0 ? rows.reverse() : rows) move.run(idx + by, idx);
}

const ledgerArb = fc.record({
  n: fc.integer({ min: 4, max: 36 }),
  every: fc.integer({ min: 3, max: 12 }),
  waves: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }),
  a: fc.nat(),
  b: fc.nat(),
});

describe('an untampered ledger', () => {
  it('verifies, with every checkpoint and witness checkpoint', async () => {
    const path = await buildLedger(30, 7, [3, 5, 9]);
    const store = openSqliteAuditStore({ path, readonly: true });
    const notes = (await store.listCheckpoints()).map((c) => c.note);
    await store.close();
    const v = await verify(path, notes);
    expect(v).toMatchObject({ ok: true, size: 30, problems: [], unsignedTail: 0 });
    expect(v.checkpoints.verified).toBe(notes.length);
    expect(v.witnessed).toEqual({ total: notes.length, verified: notes.length });
  });
});

describe('tampered events are detected and classified', () => {
  const check = (
    op: (db: Database.Database, n: number, a: number, b: number) => { kind: string; index: number },
  ) =>
    fc.asyncProperty(ledgerArb, async ({ n, every, waves, a, b }) => {
      const path = await buildLedger(n, every, waves);
      let expected = { kind: '', index: -1 };
      raw(path, (db) => {
        expected = op(db, n, a, b);
      });
      const v = await verify(path);
      expect(v.ok).toBe(false);
      expect(v.firstProblem).toMatchObject({ subject: 'event', ...expected });
    });

  it('modification of one event', async () => {
    await fc.assert(
      check((db, n, a) => {
        const i = a % n;
        setBody(db, i, body(db, i).replace('"amount":', '"amount":9'));
        return { kind: 'modified', index: i };
      }),
      { numRuns: 25 },
    );
  });

  it('deletion of one event row', async () => {
    await fc.assert(
      check((db, n, a) => {
        const i = a % n;
        db.prepare('DELETE FROM audit_events WHERE idx = ?').run(i);
        return { kind: i === n - 1 ? 'truncated' : 'missing', index: i };
      }),
      { numRuns: 25 },
    );
  });

  it('deletion of one event with the later events renumbered to close the gap', async () => {
    await fc.assert(
      check((db, n, a) => {
        const i = a % n;
        db.prepare('DELETE FROM audit_events WHERE idx = ?').run(i);
        shift(db, i + 1, -1);
        return { kind: i === n - 1 ? 'truncated' : 'missing', index: i };
      }),
      { numRuns: 25 },
    );
  });

  it('insertion of a forged event, the later events renumbered to make room', async () => {
    await fc.assert(
      check((db, n, a) => {
        const i = a % (n + 1);
        shift(db, i, 1);
        db.prepare("INSERT INTO audit_events (idx, type, time_ms, body) VALUES (?, 'decision', 0, ?)").run(
          i,
          canonicalEventText(sampleEvent(5000 + i)),
        );
        return { kind: 'inserted', index: i };
      }),
      { numRuns: 25 },
    );
  });

  it('swap of two events', async () => {
    await fc.assert(
      check((db, n, a, b) => {
        const i = a % (n - 1);
        const j = i + 1 + (b % (n - 1 - i));
        const [x, y] = [body(db, i), body(db, j)];
        setBody(db, i, y);
        setBody(db, j, x);
        return { kind: 'reordered', index: i };
      }),
      { numRuns: 25 },
    );
  });

  it('truncation of the ledger', async () => {
    await fc.assert(
      check((db, n, a) => {
        const k = a % n;
        db.prepare('DELETE FROM audit_events WHERE idx >= ?').run(k);
        return { kind: 'truncated', index: k };
      }),
      { numRuns: 25 },
    );
  });
});

describe('tampered Merkle hashes and rewritten histories', () => {
  it('an altered stored hash is blamed on the hash when the events still match a signed root', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerArb, async ({ n, every, waves, a }) => {
        const path = await buildLedger(n, every, waves);
        const i = a % n;
        raw(path, (db) => zeroLeafHash(db, i));
        const v = await verify(path);
        expect(v.ok).toBe(false);
        expect(v.firstProblem).toMatchObject({ subject: 'merkle_node', kind: 'modified', index: i });
      }),
      { numRuns: 20 },
    );
  });

  it('an event rewritten together with every Merkle hash is caught by the signed checkpoints', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerArb, async ({ n, every, waves, a }) => {
        const path = await buildLedger(n, every, waves);
        const i = a % n;
        raw(path, (db) => {
          setBody(db, i, body(db, i).replace('"amount":', '"amount":9'));
          rewriteNodes(db);
        });
        const v = await verify(path);
        expect(v.ok).toBe(false);
        expect(v.firstProblem).toMatchObject({ subject: 'event', kind: 'modified' });
        expect(v.firstProblem!.index).toBeLessThanOrEqual(i);
        expect(v.firstProblem!.end).toBeGreaterThan(i);
      }),
      { numRuns: 20 },
    );
  });

  it('a rewrite re-signed with the ledger key passes on its own, and is caught by an older witnessed checkpoint', async () => {
    const path = await buildLedger(20, 5, [5, 5, 5]);
    const before = openSqliteAuditStore({ path, readonly: true });
    const witnessed = (await before.listCheckpoints()).map((c) => c.note);
    await before.close();
    raw(path, (db) => {
      setBody(db, 3, body(db, 3).replace('"amount":', '"amount":9'));
      const root = rewriteNodes(db);
      db.prepare('DELETE FROM checkpoints').run();
      db.prepare(
        'INSERT INTO checkpoints (seq, size, root, note, verifier_key, created_ms) VALUES (1, 20, ?, ?, ?, 0)',
      ).run(root, signCheckpoint({ origin: ORIGIN, size: 20, root }, testSigner()), KEY);
    });
    expect((await verify(path)).ok).toBe(true);
    const v = await verify(path, witnessed);
    expect(v.ok).toBe(false);
    expect(v.firstProblem).toMatchObject({ subject: 'event', kind: 'modified', index: 0 });
  });
});

describe('tampered checkpoints', () => {
  const cpArb = fc.record({
    n: fc.integer({ min: 12, max: 36 }),
    every: fc.integer({ min: 3, max: 4 }),
    a: fc.nat(),
    b: fc.nat(),
  });
  const run = (op: (db: Database.Database, seqs: number[], a: number, b: number) => string) =>
    fc.asyncProperty(cpArb, async ({ n, every, a, b }) => {
      const path = await buildLedger(n, every, Array(12).fill(every));
      let kind = '';
      raw(path, (db) => {
        kind = op(db, db.prepare('SELECT seq FROM checkpoints ORDER BY seq').pluck().all() as number[], a, b);
      });
      const v = await verify(path);
      expect(v.ok).toBe(false);
      expect(v.problems.some((p) => p.subject === 'checkpoint' && p.kind === kind)).toBe(true);
    });

  it('a modified checkpoint note', async () => {
    await fc.assert(
      run((db, seqs, a) => {
        const seq = seqs[a % seqs.length]!;
        const note = db.prepare('SELECT note FROM checkpoints WHERE seq = ?').pluck().get(seq) as string;
        const lines = note.split('\n');
        lines[2] = Buffer.from(hashLeafText('forged')).toString('base64');
        db.prepare('UPDATE checkpoints SET note = ? WHERE seq = ?').run(lines.join('\n'), seq);
        return 'modified';
      }),
      { numRuns: 15 },
    );
  });

  it('a deleted checkpoint', async () => {
    await fc.assert(
      run((db, seqs, a) => {
        db.prepare('DELETE FROM checkpoints WHERE seq = ?').run(seqs[a % (seqs.length - 1)]!);
        return 'missing';
      }),
      { numRuns: 15 },
    );
  });

  it('an inserted checkpoint: a copy, or one signed by an unknown key', async () => {
    await fc.assert(
      run((db, seqs, a, b) => {
        const last = seqs[seqs.length - 1]!;
        const src = db
          .prepare('SELECT size, root, note, verifier_key FROM checkpoints WHERE seq = ?')
          .get(seqs[a % seqs.length]!) as Record<string, unknown>;
        const note =
          b % 2 === 0
            ? (src.note as string)
            : signCheckpoint(
                { origin: ORIGIN, size: src.size as number, root: src.root as Buffer },
                testSigner(5),
              );
        db.prepare(
          'INSERT INTO checkpoints (seq, size, root, note, verifier_key, created_ms) VALUES (?, ?, ?, ?, ?, 0)',
        ).run(last + 1, src.size, src.root, note, src.verifier_key);
        return b % 2 === 0 ? 'inserted' : 'invalid';
      }),
      { numRuns: 15 },
    );
  });

  it('two checkpoints swapped', async () => {
    await fc.assert(
      run((db, seqs, a) => {
        const s1 = seqs[a % (seqs.length - 1)]!;
        const s2 = s1 + 1;
        db.prepare('UPDATE checkpoints SET seq = -1 WHERE seq = ?').run(s1);
        db.prepare('UPDATE checkpoints SET seq = ? WHERE seq = ?').run(s1, s2);
        db.prepare('UPDATE checkpoints SET seq = ? WHERE seq = -1').run(s2);
        return 'reordered';
      }),
      { numRuns: 15 },
    );
  });
});

/** Overwrites the stored leaf hash of leaf i (inside its merkle_nodes page) with zeros. */
function zeroLeafHash(db: Database.Database, i: number): void {
  const page = db
    .prepare(
      'SELECT first_size, hashes FROM merkle_nodes WHERE first_size <= ? ORDER BY first_size DESC LIMIT 1',
    )
    .get(i + 1) as { first_size: number; hashes: Buffer };
  const at = hashesBetween(page.first_size, i + 1) * 32;
  page.hashes.fill(0, at, at + 32);
  db.prepare('UPDATE merkle_nodes SET hashes = ? WHERE first_size = ?').run(page.hashes, page.first_size);
}

/** Recomputes every stored Merkle hash from the (tampered) events; returns the new root. */
function rewriteNodes(db: Database.Database): Buffer {
  const texts = db.prepare('SELECT body FROM audit_events ORDER BY idx').pluck().all() as string[];
  const frontier: Uint8Array[] = [];
  db.prepare('DELETE FROM merkle_nodes').run();
  const put = db.prepare('INSERT INTO merkle_nodes (first_size, last_size, hashes) VALUES (?, ?, ?)');
  texts.forEach((t, i) => {
    let h = hashLeafText(t);
    const parts = [h];
    for (let s = i + 1; s % 2 === 0; s /= 2) {
      h = hashChildren(frontier.pop()!, h);
      parts.push(h);
    }
    frontier.push(h);
    put.run(i + 1, i + 1, Buffer.concat(parts));
  });
  let root = frontier[frontier.length - 1]!;
  for (let k = frontier.length - 2; k >= 0; k--) root = hashChildren(frontier[k]!, root);
  return Buffer.from(root);
}
