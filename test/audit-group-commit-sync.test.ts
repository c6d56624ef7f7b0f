/**
 * Group commit over a backend whose commits need a separate sync (SQLite 'background': fdatasync
 * of the WAL on the thread pool). Nobody may hear "appended" before the sync that covers the
 * event has finished; a witness may not see a checkpoint before then; a failed sync fails closed
 * for good. The memory store's `sync` hook stands in for the disk, so each step is observable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryAuditStore } from '../src/adapters/storage/memory/audit-store.js';
import { openSqliteAuditStore } from '../src/adapters/storage/sqlite/audit-store.js';
import { verifyLedger } from '../src/core/audit/verify-ledger.js';
import { GatewayError } from '../src/core/errors.js';
import { memoryWitness, sampleEvent, testSigner } from './audit-fixtures.js';

/** A disk whose syncs finish when the test says so. */
function manualDisk() {
  const calls: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  return {
    calls,
    sync: (): Promise<void> => new Promise((resolve, reject) => calls.push({ resolve, reject })),
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function watch<T>(p: Promise<T>): {
  settled: () => boolean;
  value: () => T | undefined;
  error: () => unknown;
} {
  let settled = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => ((settled = true), (value = v)),
    (e: unknown) => ((settled = true), (error = e)),
  );
  return { settled: () => settled, value: () => value, error: () => error };
}

describe('group commit with a separate sync', () => {
  it('resolves appends only after a sync that started after their commit', async () => {
    const disk = manualDisk();
    const store = createMemoryAuditStore({ signer: testSigner(), sync: disk.sync });
    const first = watch(store.append(sampleEvent(0)));
    await turn(); // committed, sync #1 running
    expect(disk.calls).toHaveLength(1);
    expect(await store.size()).toBe(1);
    const second = watch(store.append(sampleEvent(1)));
    await turn(); // queued while sync #1 runs: committed after it, answered after sync #2
    expect(disk.calls).toHaveLength(1);
    expect(await store.size()).toBe(1);
    expect(first.settled()).toBe(false);
    disk.calls[0]!.resolve();
    await turn();
    expect(first.value()).toMatchObject({ index: 0 });
    expect(second.settled()).toBe(false);
    expect(disk.calls).toHaveLength(2);
    disk.calls[1]!.resolve();
    await turn();
    expect(second.value()).toMatchObject({ index: 1 });
    expect(store.ready()).toBe(true);
    const closing = store.close();
    // close signs a final checkpoint; nothing else is waiting for the disk
    await closing;
  });

  it('commits what arrives during a sync in one batch when it ends, and syncs that once', async () => {
    const disk = manualDisk();
    const store = createMemoryAuditStore({ signer: testSigner(), sync: disk.sync });
    const a = watch(store.append(sampleEvent(0)));
    await turn();
    const later = [1, 2, 3].map((i) => watch(store.append(sampleEvent(i))));
    await turn();
    const last = watch(store.append(sampleEvent(4)));
    await turn();
    expect(store.status().batches).toBe(1); // the later appends wait for the sync to end
    expect(await store.size()).toBe(1);
    expect(disk.calls).toHaveLength(1);
    disk.calls[0]!.resolve();
    await turn();
    expect(a.settled()).toBe(true);
    expect(store.status().batches).toBe(2); // all four in one commit
    expect(await store.size()).toBe(5);
    expect(disk.calls).toHaveLength(2);
    disk.calls[1]!.resolve();
    await turn();
    expect([...later, last].every((w) => w.settled() && w.error() === undefined)).toBe(true);
    expect(disk.calls).toHaveLength(2);
    await store.close();
  });

  it('flush waits for the sync, and a checkpoint reaches the witness only after it', async () => {
    const disk = manualDisk();
    const witness = memoryWitness();
    const store = createMemoryAuditStore({
      signer: testSigner(),
      sync: disk.sync,
      witness,
      checkpoints: { everyEvents: 3 },
    });
    const appends = [0, 1, 2].map((i) => store.append(sampleEvent(i)));
    const flushed = watch(store.flush());
    await turn();
    expect((await store.latestCheckpoint())?.size).toBe(3); // stored in the commit
    expect(witness.notes).toHaveLength(0); // but not yet on disk
    expect(flushed.settled()).toBe(false);
    disk.calls[0]!.resolve();
    await Promise.all(appends);
    await turn();
    expect(flushed.settled()).toBe(true);
    expect(witness.notes.map((n) => n.split('\n')[1])).toEqual(['3']);
    await store.close();
  });

  it('a failed sync denies every waiting append and every later one, and the store stays not ready', async () => {
    const disk = manualDisk();
    const errors: unknown[] = [];
    const witness = memoryWitness();
    const store = createMemoryAuditStore({
      signer: testSigner(),
      sync: disk.sync,
      witness,
      checkpoints: { everyEvents: 1 },
      onError: (e) => errors.push(e),
    });
    const a = watch(store.append(sampleEvent(0)));
    await turn();
    const b = watch(store.append(sampleEvent(1))); // queued while the failing sync runs
    await turn();
    disk.calls[0]!.reject(new Error('EIO: i/o error, fdatasync'));
    await turn();
    await turn();
    for (const w of [a, b]) {
      expect(w.error()).toBeInstanceOf(GatewayError);
      expect((w.error() as GatewayError).code).toBe('audit_store_unavailable');
    }
    expect(store.ready()).toBe(false);
    expect(store.status().lastError).toMatch(/EIO/);
    expect(errors.length).toBeGreaterThan(0);
    expect(witness.notes).toHaveLength(0);
    await expect(store.append(sampleEvent(2))).rejects.toMatchObject({ code: 'audit_store_unavailable' });
    expect(disk.calls).toHaveLength(1); // nothing committed after the failure asks the disk again
    expect(store.ready()).toBe(false);
  });
});

describe('commit window (audit.durability: async)', () => {
  it('gathers the appends of several turns into one commit, and commits none before the window ends', async () => {
    const store = createMemoryAuditStore({ signer: testSigner(), commitWindowMs: 40 });
    const first = watch(store.append(sampleEvent(0)));
    await turn();
    const second = watch(store.append(sampleEvent(1)));
    await turn();
    expect(await store.size()).toBe(0);
    expect(first.settled() || second.settled()).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(first.value()).toMatchObject({ index: 0 });
    expect(second.value()).toMatchObject({ index: 1 });
    expect(store.status().batches).toBe(1);
    await store.close();
  });

  it('without a window, each turn commits on its own', async () => {
    const store = createMemoryAuditStore({ signer: testSigner() });
    await store.append(sampleEvent(0));
    await store.append(sampleEvent(1));
    expect(store.status().batches).toBe(2);
    await store.close();
  });
});

describe("SQLite synchronous: 'background'", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('appends, signs, reopens and verifies like the default mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-bg-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.db');
    const signer = testSigner();
    const witness = memoryWitness();
    let store = openSqliteAuditStore({
      path,
      signer,
      synchronous: 'background',
      witness,
      checkpoints: { everyEvents: 100 },
    });
    for (let round = 0; round < 5; round++) {
      const receipts = await Promise.all(
        Array.from({ length: 97 }, (_, i) => store.append(sampleEvent(round * 97 + i))),
      );
      expect(receipts.map((r) => r.index)).toEqual(Array.from({ length: 97 }, (_, i) => round * 97 + i));
    }
    await store.close(); // drains the witness queue
    // Within the commit that passes 100 unsigned events (batches of 97), and at close.
    expect(witness.notes.map((n) => Number(n.split('\n')[1]))).toEqual([194, 388, 485]);
    store = openSqliteAuditStore({ path, signer, synchronous: 'background' });
    const v = await verifyLedger(store, { keys: [signer.verifierKey], content: true });
    expect(v).toMatchObject({ ok: true, size: 485 });
    expect((await store.latestCheckpoint())?.size).toBe(485);
    await store.close();
  });
});
