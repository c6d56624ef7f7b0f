/**
 * What only the SQLite ledger has: append-only triggers, the deferred lookup index, read-only
 * connections beside a writer, refusing to extend a damaged ledger, and surviving SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryAuditStore } from '../src/adapters/storage/memory/audit-store.js';
import { openSqliteAuditStore } from '../src/adapters/storage/sqlite/audit-store.js';
import { hashesBetween } from '../src/adapters/storage/sqlite/audit-node-pages.js';
import { verifyLedger } from '../src/core/audit/verify-ledger.js';
import type { AuditStore } from '../src/ports/audit-store.js';
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
    const attempts = [
      "UPDATE audit_events SET body = '{}' WHERE idx = 1",
      'DELETE FROM audit_events WHERE idx = 2',
      "UPDATE merkle_nodes SET hashes = x'00' WHERE first_size = 1",
      'DELETE FROM merkle_nodes',
      "UPDATE checkpoints SET note = ''",
      'DELETE FROM checkpoints',
      "UPDATE ledger_meta SET value = 'x'",
      'DELETE FROM ledger_meta',
      'DELETE FROM event_lookup',
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
});

describe('deferred lookup index', () => {
  async function fillBoth(n: number): Promise<[AuditStore, AuditStore, string]> {
    const path = ledgerPath();
    const sqlite = openSqliteAuditStore({ path, signer: testSigner() });
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

  it('answers every query the same as a full scan, across the indexed / not yet indexed boundary', async () => {
    const [sqlite, memory, path] = await fillBoth(5000);
    const peek = new Database(path, { readonly: true });
    const highWater = peek
      .prepare("SELECT max(idx) + 1 FROM event_lookup WHERE key = '#'")
      .pluck()
      .get() as number;
    peek.close();
    // Indexed when the 4500th event pushed the unindexed count past LOOKUP_BATCH (4096).
    expect(highWater).toBe(4500);
    const reader = openSqliteAuditStore({ path, readonly: true });
    const queries = [
      { agent: 'agent-1', after: 4400, limit: 200 },
      { agent: 'agent-2', limit: 1000 },
      { decisionId: 'dec_004500' },
      { decisionId: 'dec_000100' },
      { type: 'policy_reload' as const },
      { outcome: 'deny', from: 4490, to: 4510 },
      {
        agent: 'agent-0',
        since: Date.parse(sampleEvent(4480).time),
        until: Date.parse(sampleEvent(4520).time),
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
    for (const i of [10, 4499, 4500, 4999]) {
      const e = (await sqlite.getEventAt(i))!.event;
      expect((await sqlite.getEvent(e.id))?.index).toBe(i);
      expect((await reader.getEvent(e.id))?.index).toBe(i);
    }
    expect((await reader.getDecisionEvents('dec_004999')).map((e) => e.index)).toEqual([4999]);
    // Merkle hashes live in pages of 64 tree sizes: proofs read through them.
    expect(await sqlite.rootAt()).toBe(await memory.rootAt());
    for (const [i, n] of [
      [0, 5000],
      [63, 64],
      [64, 4097],
      [4999, 5000],
      [2500, 3333],
    ] as const) {
      expect(await sqlite.inclusionProof(i, n)).toEqual(await memory.inclusionProof(i, n));
      expect(await reader.consistencyProof(i + 1, n)).toEqual(await memory.consistencyProof(i + 1, n));
    }
    await sqlite.close();
    const after = new Database(path, { readonly: true });
    expect(after.prepare("SELECT max(idx) + 1 FROM event_lookup WHERE key = '#'").pluck().get()).toBe(5000);
    after.close();
    await reader.close();
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
