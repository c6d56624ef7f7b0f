import { join } from 'node:path';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MemoryApprovalStore } from '../../src/adapters/storage/memory/approval-store.js';
import { SqliteApprovalStore } from '../../src/adapters/storage/sqlite/approval-store.js';
import { GatewayError } from '../../src/core/errors.js';
import { approvalStoreContract, record } from './approval-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'pc-approvals-'));

approvalStoreContract('memory', () => Promise.resolve(new MemoryApprovalStore()));
approvalStoreContract('sqlite', () => Promise.resolve(new SqliteApprovalStore(join(dir, 'contract.db'))));

describe('SqliteApprovalStore', () => {
  it('keeps pending approvals and the kill switch across a restart (file reopened)', async () => {
    const path = join(dir, 'restart.db');
    const first = new SqliteApprovalStore(path);
    const r = record();
    await first.insert(r);
    await first.saveControlState({
      all: null,
      agents: {},
      tools: { 'payments.*': { reason: 'x', by: 'a', at: 1 } },
      posture: 'lockdown',
    });
    await first.close();

    const second = new SqliteApprovalStore(path);
    expect(await second.get(r.id)).toEqual(r);
    expect((await second.loadControlState())?.posture).toBe('lockdown');
    expect(await second.insert({ ...record(), action_hash: r.action_hash })).toBe(false);
    await second.close();
  });

  it('creates its file readable by the owner only', async () => {
    const path = join(dir, 'sub', 'mode.db');
    const s = new SqliteApprovalStore(path);
    await s.close();
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it('fails with approval_store_unavailable when the file cannot be opened or is closed', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, '');
    expect(() => new SqliteApprovalStore(join(notADir, 'nope.db'))).toThrow(GatewayError);
    const s = new SqliteApprovalStore(join(dir, 'closed.db'));
    await s.close();
    await expect(s.get('apr_x')).rejects.toMatchObject({ code: 'approval_store_unavailable' });
  });
});
