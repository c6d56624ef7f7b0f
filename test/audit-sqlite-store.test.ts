/**
 * What only the SQLite ledger has: append-only triggers, the deferred lookup index (runs, key
 * prefixes, catching up after a crash), read-only connections beside a writer, refusing to extend
 * a damaged ledger, and surviving SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryAuditStore } from '../src/adapters/storage/memory/audit-store.js';
import { openSqliteAuditStore } from '../src/adapters/storage/sqlite/audit-store.js';
import { hashesAt, hashesBetween } from '../src/adapters/storage/sqlite/audit-node-pages.js';
import { verifyLedger } from '../src/core/audit/verify-ledger.js';
import type { AuditStore } from '../src/ports/audit-store.js';
import { keyPrefix } from '../src/adapters/storage/sqlite/audit-lookup.js';
import { buildOutcomeEvent } from '../src/core/audit/event.js';
import { sha256 } from '../src/core/audit/hash.js';
import { sampleEvent, sampleSystemEvent, testSigner } from './audit-fixtures.js';

const KEY = testSigner().verifierKey;
const dirs: string[] = [];
const ledgerPath = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'portcullis-sqlite-'));
  dirs.push(d);
  return join(d, 'ledger.db');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('append-only in the database', () => {
  it('triggers abort every UPDATE and DELETE on every ledger table', async () => {
    const path = ledgerPath();
    const store = openSqliteAuditStore({ path, signer: testSigner() });
    await Promise.all([0, 1, 2].map((i) => store.append(sampleEvent(i))));
    await store.close();
    const db = new Database(path);
    // close() wrote the lookup run of the three events: every table has rows to attack.
    for (const t of ['lookup_runs', 'lookup_keys', 'lookup_postings'])
      expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBeGreaterThan(0);
    const attempts = [
      "UPDATE audit_events SET body = '{}' WHERE idx = 1",
      'DELETE FROM audit_events WHERE idx = 2',
      "UPDATE merkle_nodes SET hashes = x'00' WHERE first_size = 1",
      'DELETE FROM merkle_nodes',
      "UPDATE checkpoints SET note = ''",
      'DELETE FROM checkpoints',
      "UPDATE ledger_meta SET value = 'x'",
      'DELETE FROM ledger_meta',
      'UPDATE lookup_runs SET end = 0',
      'DELETE FROM lookup_runs',
      "UPDATE lookup_keys SET entries = x'00'",
      'DELETE FROM lookup_keys',
      "UPDATE lookup_postings SET offsets = x'00'",
      'DELETE FROM lookup_postings',
    ];
    for (const sql of attempts) expect(() => db.exec(sql), sql).toThrow(/append-only/);
    db.close();
  });

  it('refuses to extend a ledger whose tables disagree', async () => {
    const path = ledgerPath();
    const store = openSqliteAuditStore({ path, signer: testSigner() });
    await Promise.all([0, 1, 2].map((i) => store.append(sampleEvent(i))));
    await store.close();
    const db = new Database(path);
    db.exec('DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE idx = 2');
    db.close();
    expect(() => openSqliteAuditStore({ path, signer: testSigner() })).toThrow(/tables disagree/);
    const reader = openSqliteAuditStore({ path, readonly: true });
    expect((await verifyLedger(reader, { keys: [KEY] })).firstProblem).toMatchObject({
      kind: 'truncated',
      index: 2,
    });
    await reader.close();
  });
});

describe('Merkle hash pages', () => {
  it('count the hashes stored for a run of tree sizes (Legendre: sum of trailing zeros)', () => {
    let brute = 0;
    for (let n = 1; n <= 1000; n++) {
      expect(hashesBetween(1, n)).toBe(brute);
      let s = n;
      let count = 1;
      for (; s % 2 === 0; s /= 2) count++;
      brute += count;
    }
    expect(hashesBetween(37, 101)).toBe(hashesBetween(1, 101) - hashesBetween(1, 37));
  });

  it('count the hashes stored for one tree size: the leaf and one per trailing zero bit', () => {
    for (const n of [1, 2, 3, 4, 6, 8, 12, 1000, 1024, 2 ** 31 - 1, 2 ** 31, 3 * 2 ** 31, 2 ** 40])
      expect(hashesAt(n), String(n)).toBe(hashesBetween(n, n + 1));
    expect(hashesAt(2 ** 31)).toBe(32);
    expect(hashesAt(0)).toBe(1);
    expect(hashesAt(3 * 2 ** 40)).toBe(41);
  });
});

describe('deferred lookup index', () => {
  const RUN = 1024;
  async function fillBoth(n: number): Promise<[AuditStore, AuditStore, string]> {
    const path = ledgerPath();
    const sqlite = openSqliteAuditStore({ path, signer: testSigner(), lookupRunEvents: RUN });
    const memory = createMemoryAuditStore({ signer: testSigner() });
    for (let i = 0; i < n; i += 500) {
      const events = Array.from({ length: Math.min(500, n - i) }, (_, k) =>
        (i + k) % 997 === 0 ? sampleSystemEvent(i + k) : sampleEvent(i + k),
      );
      await Promise.all(events.flatMap((e) => [sqlite.append(e), memory.append(e)]));
    }
    await new Promise((r) => setImmediate(r));
    return [sqlite, memory, path];
  }
  const highWater = (path: string): number => {
    const peek = new Database(path, { readonly: true });
    try {
      return peek.prepare('SELECT max(end) FROM lookup_runs').pluck().get() as number;
    } finally {
      peek.close();
    }
  };

  it('answers every query the same as a full scan, across the indexed / not yet indexed boundary', async () => {
    const [sqlite, memory, path] = await fillBoth(5000);
    // A run is written once RUN events wait: after the commits that reached 1500, 2500, 3500
    // and 4500 events, one run each; the 904 events after 4096 wait for the next one.
    expect(highWater(path)).toBe(4 * RUN);
    const reader = openSqliteAuditStore({ path, readonly: true });
    const queries = [
      { agent: 'agent-1', after: 4400, limit: 200 },
      { agent: 'agent-1', after: 3990, limit: 100 },
      { agent: 'agent-2', limit: 1000 },
      { agent: 'agent-2', from: 1000, to: 1100 },
      { agent: 'agent-0', outcome: 'allow', limit: 50 },
      { decisionId: 'dec_004500' },
      { decisionId: 'dec_000100' },
      { decisionId: 'dec_004095', agent: 'agent-0' },
      { decisionId: 'dec_004096', outcome: 'deny' },
      { type: 'policy_reload' as const },
      { type: 'policy_reload' as const, from: 998, limit: 2 },
      { outcome: 'deny', from: 4090, to: 4110 },
      {
        agent: 'agent-0',
        since: Date.parse(sampleEvent(4080).time),
        until: Date.parse(sampleEvent(4120).time),
      },
    ];
    for (const q of queries) {
      const want = (await memory.listEvents(q)).events.map((e) => e.index);
      expect(want.length, JSON.stringify(q)).toBeGreaterThan(0);
      expect(
        (await sqlite.listEvents(q)).events.map((e) => e.index),
        JSON.stringify(q),
      ).toEqual(want);
      expect(
        (await reader.listEvents(q)).events.map((e) => e.index),
        JSON.stringify(q),
      ).toEqual(want);
    }
    // A filter that matches nothing in either part.
    expect((await sqlite.listEvents({ decisionId: 'dec_004095', agent: 'agent-1' })).events).toEqual([]);
    for (const i of [0, 10, 1023, 1024, 4095, 4096, 4999]) {
      const e = (await sqlite.getEventAt(i))!.event;
      expect((await sqlite.getEvent(e.id))?.index).toBe(i);
      expect((await reader.getEvent(e.id))?.index).toBe(i);
    }
    expect(await sqlite.getEvent(`evt_${'0'.repeat(32)}`)).toBeNull();
    expect(await reader.getEvent(`evt_${'0'.repeat(32)}`)).toBeNull();
    for (const id of ['dec_004999', 'dec_000001', 'dec_004096']) {
      const want = (await memory.getDecisionEvents(id)).map((e) => e.index);
      expect(want).toHaveLength(1);
      expect((await sqlite.getDecisionEvents(id)).map((e) => e.index)).toEqual(want);
      expect((await reader.getDecisionEvents(id)).map((e) => e.index)).toEqual(want);
    }
    // Merkle hashes live in pages of up to 256 tree sizes (here 256 and 244 per commit of 500):
    // proofs read through them.
    expect(await sqlite.rootAt()).toBe(await memory.rootAt());
    for (const [i, n] of [
      [0, 5000],
      [63, 64],
      [255, 256],
      [256, 257],
      [499, 500],
      [500, 501],
      [64, 4097],
      [4999, 5000],
      [2500, 3333],
    ] as const) {
      expect(await sqlite.inclusionProof(i, n)).toEqual(await memory.inclusionProof(i, n));
      expect(await reader.consistencyProof(i + 1, n)).toEqual(await memory.consistencyProof(i + 1, n));
    }
    await sqlite.close();
    expect(highWater(path)).toBe(5000);
    // The index was checked against the events: the reader now finds the tail through it too.
    for (const q of queries)
      expect((await reader.listEvents(q)).events.map((e) => e.index)).toEqual(
        (await memory.listEvents(q)).events.map((e) => e.index),
      );
    await reader.close();
  });

  it('checks every candidate against the event: ids sharing a key prefix never mix', async () => {
    const path = ledgerPath();
    const store = openSqliteAuditStore({ path, signer: testSigner(), lookupRunEvents: 8 });
    const memory = createMemoryAuditStore({ signer: testSigner() });
    // Decision ids with the same 8 hex digits after "dec_" share their 32-bit key prefix; ids
    // without hex digits there are hashed instead.
    const ids = [
      'dec_00000000aaaa',
      'dec_00000000bbbb',
      'dec_00000000',
      'approval-7',
      'approval-8',
      'DEC_00000000aaaa',
    ];
    const events = Array.from({ length: 40 }, (_, i) =>
      buildOutcomeEvent(
        {
          time: 1_767_225_600_000 + i,
          instance: 'gw-test',
          decision_id: ids[i % ids.length]!,
          status: 'success',
          adapter: 'http',
          agent: { id: `agent-${i % 2}` },
        },
        i,
      ),
    );
    for (const e of events) await Promise.all([store.append(e), memory.append(e)]);
    await new Promise((r) => setImmediate(r));
    expect(highWater(path)).toBe(40);
    for (const id of [...ids, 'dec_00000000cccc', 'approval-9']) {
      const want = (await memory.getDecisionEvents(id)).map((e) => e.index);
      expect(
        (await store.getDecisionEvents(id)).map((e) => e.index),
        id,
      ).toEqual(want);
      expect(
        (await store.listEvents({ decisionId: id, agent: 'agent-1' })).events.map((e) => e.index),
        id,
      ).toEqual((await memory.listEvents({ decisionId: id, agent: 'agent-1' })).events.map((e) => e.index));
    }
    expect((await store.getDecisionEvents('dec_00000000aaaa')).map((e) => e.index)).toEqual([
      0, 6, 12, 18, 24, 30, 36,
    ]);
    await store.close();
  });

  it('reduces ids to 32-bit key prefixes: hex digits when there are, else a hash', () => {
    expect(keyPrefix('evt_0123abcd' + 'f'.repeat(24))).toBe(0x0123abcd);
    expect(keyPrefix('dec_ffffffff')).toBe(0xffffffff);
    expect(keyPrefix('dec_00000000')).toBe(0);
    const hashed = (s: string): number => Buffer.from(sha256(s)).readUInt32BE(0);
    for (const s of ['dec_0000000', 'dec_0000000g', 'dec_0000000A', 'dec-00000000', 'approval-7', '', 'x'])
      expect(keyPrefix(s), s).toBe(hashed(s));
  });

  it('writes the runs of a ledger that grew while the index could not be written (a crash)', async () => {
    const path = ledgerPath();
    const writer = openSqliteAuditStore({ path, signer: testSigner(), lookupRunEvents: 64 });
    for (let i = 0; i < 300; i += 50)
      await Promise.all(Array.from({ length: 50 }, (_, k) => writer.append(sampleEvent(i + k))));
    await new Promise((r) => setImmediate(r));
    expect(highWater(path)).toBe(256);
    // Copy the file as it is now (WAL included): what a crash leaves behind.
    const db = new Database(path);
    const copy = join(path, '..', 'crashed.db');
    await db.backup(copy);
    db.close();
    await writer.close();
    expect(highWater(copy)).toBe(256);
    const reopened = openSqliteAuditStore({ path: copy, signer: testSigner(), lookupRunEvents: 64 });
    expect(highWater(copy)).toBe(300);
    const e = (await reopened.getEventAt(280))!.event;
    expect((await reopened.getEvent(e.id))?.index).toBe(280);
    expect((await reopened.getDecisionEvents('dec_000290')).map((x) => x.index)).toEqual([290]);
    await reopened.close();
  });
});

describe('read-only connections', () => {
  it('read what a running writer has committed and cannot append', async () => {
    const path = ledgerPath();
    const writer = openSqliteAuditStore({ path, signer: testSigner(), checkpoints: { everyEvents: 2 } });
    await Promise.all([0, 1, 2].map((i) => writer.append(sampleEvent(i))));
    const reader = openSqliteAuditStore({ path, readonly: true });
    expect(await reader.size()).toBe(3);
    await writer.append(sampleEvent(3));
    expect(await reader.size()).toBe(4);
    expect(await reader.rootAt(4)).toBe(await writer.rootAt(4));
    expect(reader.ready()).toBe(false);
    expect(reader.verifierKey()).toBeNull();
    await expect(reader.append(sampleEvent(4))).rejects.toMatchObject({ code: 'audit_store_unavailable' });
    expect((await verifyLedger(reader, { keys: [KEY] })).ok).toBe(true);
    await reader.close();
    await writer.close();
    expect(() => openSqliteAuditStore({ path: join(path, '..', 'absent.db'), readonly: true })).toThrow(
      /cannot open/,
    );
  });
});

describe('crash safety', () => {
  it('after SIGKILL mid-stream, every acknowledged event is in the ledger and it verifies', async () => {
    const path = ledgerPath();
    const child = `
      const { openSqliteAuditStore } = await import(${JSON.stringify(join(process.cwd(), 'src/adapters/storage/sqlite/audit-store.ts'))});
      const { sampleEvent, testSigner } = await import(${JSON.stringify(join(process.cwd(), 'test/audit-fixtures.ts'))});
      const store = openSqliteAuditStore({ path: ${JSON.stringify(path)}, signer: testSigner(), checkpoints: { everyEvents: 50 } });
      for (let i = 0; ; i += 20) {
        const receipts = await Promise.all(Array.from({ length: 20 }, (_, k) => store.append(sampleEvent(i + k))));
        process.stdout.write(receipts.map((r) => r.index).join('\\n') + '\\n');
      }`;
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acked = -1;
    let buffer = '';
    await new Promise<void>((resolve) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const l of lines) acked = Math.max(acked, Number(l));
        if (acked >= 400) proc.kill('SIGKILL');
      });
      proc.on('exit', () => resolve());
    });
    expect(acked).toBeGreaterThanOrEqual(400);
    const store = openSqliteAuditStore({ path, signer: testSigner() });
    const size = await store.size();
    expect(size).toBeGreaterThan(acked);
    const v = await verifyLedger(store, { keys: [KEY], content: true });
    expect(v).toMatchObject({ ok: true, size });
    expect(v.checkpoints.verified).toBeGreaterThanOrEqual(5);
    // Reopening with the key signed the events the crash left unsigned.
    expect((await store.latestCheckpoint())?.size).toBe(size);
    expect(v.unsignedTail).toBe(0);
    await store.close();
  }, 60_000);
});
