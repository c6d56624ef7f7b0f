/**
 * Leaf hashing on a worker thread (LeafHasher) and its use by the group-commit writer: the worker's
 * hashes are exactly the inline ones for any text, a batch larger than the shared buffers is
 * split, a worker that fails leaves the caller to hash, and a ledger written with the worker is
 * byte for byte the ledger written without it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LeafHasher } from '../src/adapters/storage/audit-ledger/leaf-hasher.js';
import { createMemoryAuditStore } from '../src/adapters/storage/memory/audit-store.js';
import { openSqliteAuditStore } from '../src/adapters/storage/sqlite/audit-store.js';
import { hashLeafTextBin } from '../src/core/audit/hash.js';
import { verifyLedger } from '../src/core/audit/verify-ledger.js';
import type { AuditStore } from '../src/ports/audit-store.js';
import { sampleEvent, testSigner } from './audit-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-leaf-hasher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const TEXTS = [
  '',
  'a',
  '{"a":1}',
  'Grüße, señor: 2 €',
  'emoji \u{1F512} and CJK 门',
  '\u0000 inside',
  'x'.repeat(70_000),
];

/** A hasher whose worker has started (until then it declines everything). */
async function startedHasher(): Promise<LeafHasher> {
  const h = new LeafHasher();
  for (let i = 0; i < 500; i++) {
    const t = h.submit(['probe']);
    if (t) {
      expect(h.collect(t.ticket)).toEqual([hashLeafTextBin('probe')]);
      return h;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the leaf hasher worker did not start within 5 s');
}

/** Hashes every text: submissions while the worker takes them, the rest inline, like a caller. */
function hashAll(h: LeafHasher, texts: readonly string[]): { hashes: string[]; tickets: number } {
  const tickets: Array<{ ticket: number; count: number }> = [];
  let done = 0;
  for (;;) {
    const t = h.submit(texts.slice(done));
    if (!t) break;
    tickets.push(t);
    done += t.count;
  }
  const tail = texts.slice(done).map(hashLeafTextBin);
  const head = tickets.flatMap((t) => {
    const out = h.collect(t.ticket);
    expect(out).not.toBeNull();
    expect(out).toHaveLength(t.count);
    return out!;
  });
  return { hashes: [...head, ...tail], tickets: tickets.length };
}

describe('LeafHasher', () => {
  it('computes SHA-256(0x00 || utf8) exactly as the inline hash does, batch after batch', async () => {
    const h = await startedHasher();
    try {
      for (let round = 0; round < 20; round++) {
        const texts = Array.from(
          { length: 40 + round * 97 },
          (_, i) => `${TEXTS[(i + round) % TEXTS.length]}#${round}.${i}`,
        );
        const { hashes, tickets } = hashAll(h, texts);
        expect(tickets).toBeGreaterThan(0);
        expect(hashes).toEqual(texts.map(hashLeafTextBin));
      }
    } finally {
      h.close();
    }
  });

  it('splits what does not fit one slot, declines when every slot is busy and reuses freed slots', async () => {
    const h = await startedHasher();
    try {
      const big = Array.from({ length: 12 }, (_, i) => String.fromCharCode(97 + i).repeat(300_000));
      const first = h.submit(big)!;
      expect(first.count).toBe(1); // 1 MiB holds one text at 3 bytes per unit
      const outstanding = [first.ticket];
      for (;;) {
        const t = h.submit(['x']);
        if (!t) break;
        outstanding.push(t.ticket);
      }
      expect(outstanding).toHaveLength(8); // all slots busy: the next submission is declined
      expect(h.collect(outstanding[0]!)).toEqual([hashLeafTextBin(big[0]!)]);
      const again = h.submit(['y'])!; // the collected slot is free again
      expect(h.collect(again.ticket)).toEqual([hashLeafTextBin('y')]);
      h.abandon(outstanding[1]!); // an abandoned slot is reused once the worker is past it
      for (const t of outstanding.slice(2)) expect(h.collect(t)).toEqual([hashLeafTextBin('x')]);
      const reused = h.submit(['z']);
      expect(reused).not.toBeNull();
      expect(h.collect(reused!.ticket)).toEqual([hashLeafTextBin('z')]);
      expect(() => h.collect(outstanding[1]!)).toThrow(/not outstanding/);
      // A text that alone might not fit a slot is never handed over.
      expect(h.submit(['z'.repeat(400_000)])).toBeNull();
    } finally {
      h.close();
    }
  });

  it('declines until its worker has started, and answers null once it is gone', async () => {
    const fresh = new LeafHasher();
    expect(fresh.submit(['a'])).toBeNull(); // the worker cannot have started synchronously
    fresh.close();
    const h = await startedHasher();
    const t = h.submit(['a', 'b', 'c', 'd'])!;
    h.close();
    expect(h.collect(t.ticket)).toBeNull();
    expect(h.available).toBe(false);
    expect(h.submit(['a'])).toBeNull();
    // Also when the worker had finished the ticket before close(): closed means null, not a race
    // with the asynchronous terminate().
    const g = await startedHasher();
    const u = g.submit(['a'])!;
    await new Promise((r) => setTimeout(r, 50));
    g.close();
    expect(g.collect(u.ticket)).toBeNull();
  });
});

/** Appends events [from, from + n) in one turn: one batch, above the writer's hand-over sizes. */
async function appendRound(store: AuditStore, from: number, n: number): Promise<void> {
  const receipts = await Promise.all(
    Array.from({ length: n }, (_, i) => store.append(sampleEvent(from + i))),
  );
  expect(receipts.map((r) => r.index)).toEqual(Array.from({ length: n }, (_, i) => from + i));
}

const rootHex = async (store: AuditStore): Promise<string> =>
  Buffer.from(await store.rootAt(), 'base64').toString('hex');

/**
 * Writes the same events to both stores in rounds of 150 until the second one's writer has used
 * its worker (it starts in the background at the first large batch), then three rounds more.
 */
async function writeBoth(inline: AuditStore, parallel: AuditStore, used: () => boolean): Promise<number> {
  let size = 0;
  let after = 0;
  while (after < 3) {
    if (size > 30_000) throw new Error('the writer never used its leaf hasher');
    await appendRound(inline, size, 150);
    await appendRound(parallel, size, 150);
    size += 150;
    if (used()) after++;
    else await new Promise((r) => setTimeout(r, 10));
  }
  return size;
}

describe('group commit with leaf hashing on a worker', () => {
  it('writes the same tree with and without the worker, and the SQLite ledger verifies', async () => {
    const signer = testSigner();
    const inline = createMemoryAuditStore({ signer, parallelHashing: false });
    const parallel = openSqliteAuditStore({ path: join(dir, 'parallel.db'), signer });
    const collect = vi.spyOn(LeafHasher.prototype, 'collect');
    const size = await writeBoth(inline, parallel, () => collect.mock.results.some((r) => r.value !== null));
    expect(await rootHex(parallel)).toBe(await rootHex(inline));
    for (let i = 0; i < size; i += 97) {
      const [pi, pp] = await Promise.all([inline.inclusionProof(i, size), parallel.inclusionProof(i, size)]);
      expect(pp).toEqual(pi);
    }
    await parallel.checkpointNow();
    const v = await verifyLedger(parallel, { keys: [signer.verifierKey] });
    expect(v.ok).toBe(true);
    expect(v.root).toBe(await rootHex(inline));
    await Promise.all([inline.close(), parallel.close()]);
  });

  it('hashes inline when the worker fails mid-batch: nothing is lost, the tree is right', async () => {
    const collect = vi.spyOn(LeafHasher.prototype, 'collect').mockReturnValue(null);
    const signer = testSigner();
    const inline = createMemoryAuditStore({ signer, parallelHashing: false });
    const store = openSqliteAuditStore({ path: join(dir, 'fallback.db'), signer });
    await writeBoth(inline, store, () => collect.mock.calls.length > 0);
    expect(await rootHex(store)).toBe(await rootHex(inline));
    await store.checkpointNow();
    expect((await verifyLedger(store, { keys: [signer.verifierKey] })).ok).toBe(true);
    await Promise.all([inline.close(), store.close()]);
  });

  it('verifies a ledger with a leaf hasher exactly as without one, damage included', async () => {
    const signer = testSigner();
    const path = join(dir, 'verify.db');
    const store = openSqliteAuditStore({ path, signer, parallelHashing: false });
    for (let i = 0; i < 3000; i += 300) await appendRound(store, i, 300);
    await store.checkpointNow();
    await store.close();
    const reader = openSqliteAuditStore({ path, readonly: true });
    const h = await startedHasher();
    const collect = vi.spyOn(h, 'collect');
    try {
      const plain = await verifyLedger(reader, { keys: [signer.verifierKey], chunkSize: 128 });
      const helped = await verifyLedger(reader, {
        keys: [signer.verifierKey],
        chunkSize: 128,
        leafHasher: h,
      });
      expect(collect).toHaveBeenCalled();
      expect(helped).toEqual(plain);
      expect(helped.ok).toBe(true);
      // The same reader with one event's text altered: both name the same first bad index.
      const altered = {
        ...reader,
        eventTexts: async (from: number, to: number) =>
          (await reader.eventTexts(from, to))?.map((t, k) => (from + k === 1234 ? `${t} ` : t)) ?? null,
      };
      const bad = await verifyLedger(altered, { keys: [signer.verifierKey], chunkSize: 128, leafHasher: h });
      expect(bad.ok).toBe(false);
      expect(bad.firstProblem?.index).toBe(1234);
      expect(bad).toEqual(await verifyLedger(altered, { keys: [signer.verifierKey], chunkSize: 128 }));
    } finally {
      h.close();
      await reader.close();
    }
  });
});
