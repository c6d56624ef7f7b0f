/** Runs the AuditStore contract against the memory store and the SQLite store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { createMemoryAuditStore } from '../../src/adapters/storage/memory/audit-store.js';
import { openSqliteAuditStore } from '../../src/adapters/storage/sqlite/audit-store.js';
import { auditStoreContract } from './audit-store.contract.js';

auditStoreContract({
  name: 'memory',
  open: (options) => {
    let broken = false;
    const store = createMemoryAuditStore({ ...options, failWrites: () => broken });
    return Promise.resolve({
      store,
      breakWrites: () => void (broken = true),
      healWrites: () => void (broken = false),
    });
  },
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

for (const synchronous of ['full', 'background'] as const)
  auditStoreContract({
    name: `sqlite (synchronous ${synchronous})`,
    open: (options) => {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-ledger-'));
      dirs.push(dir);
      const path = join(dir, 'ledger.db');
      let store = openSqliteAuditStore({ path, busyTimeoutMs: 20, synchronous, ...options });
      let locker: Database.Database | null = null;
      return Promise.resolve({
        store,
        // Another connection holding the write lock makes every commit fail after busy_timeout.
        breakWrites: () => {
          locker = new Database(path);
          locker.exec('BEGIN EXCLUSIVE');
        },
        healWrites: () => {
          locker?.exec('ROLLBACK');
          locker?.close();
          locker = null;
        },
        reopen: async (again) => {
          await store.close();
          store = openSqliteAuditStore({ path, synchronous, ...again });
          return store;
        },
      });
    },
  });
