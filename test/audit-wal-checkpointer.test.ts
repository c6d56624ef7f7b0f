/**
 * WAL checkpoints on a worker thread: once a ledger is busy the writer stops checkpointing in its
 * own commits, the worker keeps the log small, the ledger stays whole, and a worker that cannot
 * run hands checkpoints back to the writer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteLedgerBackend } from '../src/adapters/storage/sqlite/audit-store.js';
import { START_AFTER_EVENTS, WalCheckpointer } from '../src/adapters/storage/sqlite/wal-checkpointer.js';
import { createLedgerStore } from '../src/adapters/storage/audit-ledger/ledger-store.js';
import { verifyLedger } from '../src/core/audit/verify-ledger.js';
import type { AuditStore } from '../src/ports/audit-store.js';
import { sampleEvent, testSigner } from './audit-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = async (what: string, ok: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function appendRange(store: AuditStore, from: number, n: number): Promise<void> {
  for (let i = from; i < from + n; i += 250)
    await Promise.all(
      Array.from({ length: Math.min(250, from + n - i) }, (_, k) => store.append(sampleEvent(i + k))),
    );
}

describe('WAL checkpoints on a worker', () => {
  it('take over from the writer once it is busy and keep the log small; the ledger verifies', async () => {
    const path = join(dir, 'busy.db');
    const backend = new SqliteLedgerBackend({ path, synchronous: 'normal' });
    const autocheckpoint = () => backend.db.pragma('wal_autocheckpoint', { simple: true }) as number;
    const signer = testSigner();
    const store = createLedgerStore(backend, { signer });
    const append = (from: number, n: number) => appendRange(store, from, n);
    await append(0, START_AFTER_EVENTS - 250);
    expect(autocheckpoint()).toBe(1000); // not busy yet: SQLite checkpoints in the commits
    await append(START_AFTER_EVENTS - 250, 500);
    await until('the worker to take over', () => autocheckpoint() === 0);
    // About 5 MB of events more (some 1300 pages): without checkpoints the log would hold them all.
    await append(START_AFTER_EVENTS + 250, 4000);
    await new Promise((r) => setTimeout(r, 600)); // a few of the worker's ticks
    await append(START_AFTER_EVENTS + 4250, 10); // a commit after a complete checkpoint restarts the log
    const status = backend.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    expect(status[0]!.log).toBeLessThan(100);
    await store.checkpointNow();
    const v = await verifyLedger(store, { keys: [signer.verifierKey] });
    expect(v).toMatchObject({ ok: true, size: START_AFTER_EVENTS + 4260 });
    await store.close();
  });

  it('leaves checkpoints to SQLite when turned off', async () => {
    const backend = new SqliteLedgerBackend({ path: join(dir, 'off.db'), backgroundCheckpoints: false });
    await appendRange(createLedgerStore(backend, { signer: testSigner() }), 0, START_AFTER_EVENTS + 500);
    await new Promise((r) => setTimeout(r, 300));
    expect(backend.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    backend.close();
  });

  it('reports a worker that cannot open the ledger, and never claims to run', async () => {
    let running = false;
    let stopped: unknown = 'not yet';
    new WalCheckpointer({
      path: join(dir, 'missing', 'nothing.db'),
      onRunning: () => (running = true),
      onStopped: (e) => (stopped = e),
    });
    await until('the worker to fail', () => stopped !== 'not yet');
    expect(running).toBe(false);
    expect(String(stopped)).toMatch(/unable to open|directory does not exist|SQLITE_CANTOPEN/i);
  });
});
