/**
 * The AuditStore contract: every store (memory, SQLite) must pass these cases unchanged.
 */
import { describe, expect, it } from 'vitest';
import { buildOutcomeEvent, buildSystemEvent, type AuditEventV1 } from '../../src/core/audit/event.js';
import { canonicalEventText } from '../../src/core/audit/event-encode.js';
import { fromBase64Strict, hashLeafText, toBase64 } from '../../src/core/audit/hash.js';
import { merkleRoot } from '../../src/core/audit/merkle.js';
import { openCheckpoint } from '../../src/core/audit/checkpoint.js';
import { parseVerifierKey } from '../../src/core/audit/note.js';
import { verifyConsistency, verifyInclusion } from '../../src/core/audit/proof.js';
import { rootFromRange } from '../../src/core/audit/range-proof.js';
import { verifyLedger } from '../../src/core/audit/verify-ledger.js';
import { GatewayError } from '../../src/core/errors.js';
import type { AuditStore } from '../../src/ports/audit-store.js';
import type { LedgerStoreOptions } from '../../src/adapters/storage/audit-ledger/ledger-store.js';
import { memoryWitness, ORIGIN, sampleEvent, testSigner } from '../audit-fixtures.js';

export interface OpenedHarnessStore {
  store: AuditStore;
  /** Makes every following commit fail (as a full disk or a held lock would). */
  breakWrites(): void;
  healWrites(): void;
  /** Closes and opens the same ledger again (durable stores only). */
  reopen?: (options: LedgerStoreOptions) => Promise<AuditStore>;
}

export interface AuditStoreHarness {
  name: string;
  open(options: LedgerStoreOptions): Promise<OpenedHarnessStore>;
}

const b64 = (s: string): Uint8Array => fromBase64Strict(s)!;
const key = testSigner().verifierKey;

async function fill(store: AuditStore, n: number, offset = 0): Promise<AuditEventV1[]> {
  const events = Array.from({ length: n }, (_, i) => sampleEvent(offset + i));
  await Promise.all(events.map((e) => store.append(e)));
  return events;
}

export function auditStoreContract(h: AuditStoreHarness): void {
  describe(`AuditStore contract: ${h.name}`, () => {
    it('appends in order, returns index and id, reads events back byte for byte', async () => {
      const { store } = await h.open({ signer: testSigner() });
      const events = Array.from({ length: 7 }, (_, i) => sampleEvent(i));
      const receipts = await Promise.all(events.map((e) => store.append(e)));
      expect(receipts).toEqual(events.map((e, i) => ({ index: i, id: e.id })));
      expect(await store.size()).toBe(7);
      const third = await store.getEventAt(3);
      expect(third?.event).toEqual(events[3]);
      expect(third?.canonical).toBe(canonicalEventText(events[3]!));
      expect((await store.getEvent(events[5]!.id))?.index).toBe(5);
      expect(await store.getEvent('evt_00000000000000000000000000000000')).toBeNull();
      expect(await store.getEventAt(7)).toBeNull();
      await store.close();
    });

    it('group-commits the appends of one turn and resolves only after commit', async () => {
      const { store } = await h.open({ signer: testSigner() });
      const pending = Array.from({ length: 100 }, (_, i) => store.append(sampleEvent(i)));
      expect(store.status().pending).toBe(100);
      expect(await store.size()).toBe(0);
      await Promise.all(pending);
      const s = store.status();
      expect(s.appended).toBe(100);
      expect(s.batches).toBeLessThanOrEqual(2);
      expect(s.size).toBe(100);
      await store.close();
    });

    it('filters and paginates events by index cursor', async () => {
      const { store } = await h.open({ signer: testSigner() });
      await fill(store, 30);
      const agent1 = await store.listEvents({ agent: 'agent-1', limit: 1000 });
      expect(agent1.events.map((e) => e.index)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
      expect(agent1.next).toBeNull();
      expect(
        (await store.listEvents({ outcome: 'deny' })).events.every(
          (e) => e.event.decision.outcome === 'deny',
        ),
      ).toBe(true);
      expect((await store.listEvents({ type: 'outcome' })).events).toEqual([]);
      expect((await store.listEvents({ decisionId: 'dec_000012' })).events.map((e) => e.index)).toEqual([12]);
      const t0 = Date.parse(sampleEvent(10).time);
      expect((await store.listEvents({ since: t0, until: t0 + 2000 })).events.map((e) => e.index)).toEqual([
        10, 11, 12,
      ]);
      expect((await store.listEvents({ from: 5, to: 8 })).events.map((e) => e.index)).toEqual([5, 6, 7]);
      const seen: number[] = [];
      let after: number | undefined;
      for (;;) {
        const page = await store.listEvents({ limit: 7, ...(after === undefined ? {} : { after }) });
        seen.push(...page.events.map((e) => e.index));
        if (page.next === null) break;
        after = page.next;
      }
      expect(seen).toEqual([...Array(30).keys()]);
      const filteredPages = await store.listEvents({ agent: 'agent-2', limit: 4 });
      expect(filteredPages.events.map((e) => e.index)).toEqual([2, 5, 8, 11]);
      expect(
        (await store.listEvents({ agent: 'agent-2', limit: 4, after: filteredPages.next! })).events.map(
          (e) => e.index,
        ),
      ).toEqual([14, 17, 20, 23]);
      await expect(store.listEvents({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_request' });
      await expect(store.listEvents({ limit: 1001 })).rejects.toMatchObject({ code: 'invalid_request' });
      await store.close();
    });

    it('links outcome and approval events to their decision', async () => {
      const { store } = await h.open({ signer: testSigner() });
      await fill(store, 3);
      const outcome = buildOutcomeEvent(
        {
          time: 1_767_225_700_000,
          instance: 'gw-test',
          decision_id: 'dec_000001',
          status: 'success',
          latency_ms: 12,
          adapter: 'http',
        },
        10,
      );
      const approval = buildSystemEvent(
        'approval',
        {
          time: 1_767_225_700_001,
          instance: 'gw-test',
          decision_id: 'dec_000001',
          actor: 'alice',
          details: { status: 'approved' },
        },
        11,
      );
      await store.append(outcome);
      await store.append(approval);
      const linked = await store.getDecisionEvents('dec_000001');
      expect(linked.map((e) => [e.index, e.event.type])).toEqual([
        [1, 'decision'],
        [3, 'outcome'],
        [4, 'approval'],
      ]);
      expect((await store.listEvents({ outcome: 'success' })).events.map((e) => e.index)).toEqual([3]);
      await store.close();
    });

    it('signs checkpoints every N events, on demand and at close', async () => {
      const witness = memoryWitness();
      const opened = await h.open({ signer: testSigner(), checkpoints: { everyEvents: 10 }, witness });
      const { store } = opened;
      for (let i = 0; i < 25; i++) await store.append(sampleEvent(i));
      const cps = await store.listCheckpoints();
      expect(cps.map((c) => c.size)).toEqual([10, 20]);
      expect(cps.map((c) => c.seq)).toEqual([1, 2]);
      const verifier = parseVerifierKey(key);
      if (!verifier.ok) throw new Error(verifier.error);
      const opened20 = openCheckpoint(cps[1]!.note, [verifier.value], ORIGIN);
      expect(opened20.ok && opened20.value.size).toBe(20);
      expect(cps[1]!.root).toBe(await store.rootAt(20));
      expect(cps[1]!.verifierKey).toBe(key);
      expect((await store.checkpointNow())?.size).toBe(25);
      expect(await store.checkpointNow()).toBeNull();
      await store.append(sampleEvent(25));
      await store.close();
      expect(witness.notes.map((n) => n.split('\n')[1])).toEqual(['10', '20', '25', '26']);
      if (opened.reopen) {
        const again = await opened.reopen({});
        expect((await again.latestCheckpoint())?.size).toBe(26);
        await again.close();
      }
    });

    it('serves RFC 9162 inclusion, consistency and range proofs from stored nodes', async () => {
      const { store } = await h.open({ signer: testSigner() });
      const events = await fill(store, 21);
      const leaves = events.map((e) => hashLeafText(canonicalEventText(e)));
      for (const size of [1, 2, 7, 8, 13, 21]) {
        const root = merkleRoot(leaves.slice(0, size));
        expect(await store.rootAt(size)).toBe(toBase64(root));
        for (let i = 0; i < size; i++) {
          const p = await store.inclusionProof(i, size);
          expect(p.leaf_hash).toBe(toBase64(leaves[i]!));
          expect(p.root_hash).toBe(toBase64(root));
          expect(verifyInclusion(i, size, leaves[i]!, p.hashes.map(b64), root).ok).toBe(true);
        }
        for (const from of [1, 3, size]) {
          if (from > size) continue;
          const c = await store.consistencyProof(from, size);
          expect(verifyConsistency(from, size, c.hashes.map(b64), b64(c.root1), root).ok).toBe(true);
        }
      }
      const range = await store.rangeProof(4, 11, 21);
      const r = rootFromRange(4, 11, 21, leaves.slice(4, 11), range.map(b64));
      expect(r.ok && toBase64(r.value)).toBe(await store.rootAt());
      await expect(store.inclusionProof(21, 21)).rejects.toMatchObject({ code: 'invalid_request' });
      await expect(store.inclusionProof(0, 22)).rejects.toMatchObject({ code: 'invalid_request' });
      await expect(store.consistencyProof(5, 4)).rejects.toMatchObject({ code: 'invalid_request' });
      await store.close();
    });

    it('rejects appends it cannot commit, reports not ready, and recovers', async () => {
      const opened = await h.open({ signer: testSigner() });
      const { store } = opened;
      await fill(store, 3);
      expect(store.ready()).toBe(true);
      opened.breakWrites();
      const failed = await Promise.allSettled([store.append(sampleEvent(3)), store.append(sampleEvent(4))]);
      for (const f of failed) {
        expect(f.status).toBe('rejected');
        expect((f as PromiseRejectedResult).reason).toBeInstanceOf(GatewayError);
        expect((f as PromiseRejectedResult).reason.code).toBe('audit_store_unavailable');
      }
      expect(store.ready()).toBe(false);
      expect(store.status().lastError).not.toBeNull();
      opened.healWrites();
      expect((await store.append(sampleEvent(5))).index).toBe(3);
      expect(store.ready()).toBe(true);
      await store.checkpointNow();
      const v = await verifyLedger(store, { keys: [key] });
      expect(v.ok).toBe(true);
      expect(v.size).toBe(4);
      await store.close();
    });

    it('refuses malformed events without harming the ledger', async () => {
      const { store } = await h.open({ signer: testSigner() });
      const good = sampleEvent(0);
      await expect(
        store.append({ ...good, id: 'evt_ffffffffffffffffffffffffffffffff' }),
      ).rejects.toMatchObject({ code: 'audit_event_invalid' });
      await expect(store.append({ ...good, v: 2 } as unknown as AuditEventV1)).rejects.toMatchObject({
        code: 'audit_event_invalid',
      });
      const copy = JSON.parse(JSON.stringify(good)) as AuditEventV1;
      expect((await store.append(copy)).index).toBe(0);
      expect(store.ready()).toBe(true);
      await store.close();
      await expect(store.append(sampleEvent(1))).rejects.toMatchObject({ code: 'audit_store_unavailable' });
      expect(store.ready()).toBe(false);
    });

    it('verifies end to end, survives reopening and keeps extending the same tree', async () => {
      const opened = await h.open({ signer: testSigner(), checkpoints: { everyEvents: 8 } });
      await fill(opened.store, 10);
      await fill(opened.store, 4, 10);
      const root = await opened.store.rootAt();
      const v = await verifyLedger(opened.store, { keys: [key], content: true });
      expect(v).toMatchObject({ ok: true, size: 14, problems: [], firstProblem: null });
      expect(v.checkpoints).toEqual({ total: 1, verified: 1, latestVerifiedSize: 10 });
      expect(v.unsignedTail).toBe(4);
      if (!opened.reopen) {
        await opened.store.close();
        return;
      }
      const again = await opened.reopen({ signer: testSigner(), checkpoints: { everyEvents: 8 } });
      expect(await again.size()).toBe(14);
      expect(await again.rootAt(14)).toBe(root);
      expect((await again.latestCheckpoint())?.size).toBe(14);
      await fill(again, 5, 14);
      const after = await verifyLedger(again, { keys: [key], content: true });
      expect(after).toMatchObject({ ok: true, size: 19 });
      await again.close();
    });

    it('rotates the signing key: the old key signs the rotation, the new key signs what follows', async () => {
      const { store } = await h.open({ signer: testSigner(1), checkpoints: { everyEvents: 5 } });
      await fill(store, 6);
      const next = testSigner(2);
      const rotation = buildSystemEvent(
        'key_rotation',
        {
          time: 1_767_225_800_000,
          instance: 'gw-test',
          actor: 'admin',
          details: { previous_key: key, new_key: next.verifierKey },
        },
        99,
      );
      await expect(
        store.rotateSigner(
          next,
          buildSystemEvent('key_rotation', { time: 1, instance: 'x', details: {} }, 1),
        ),
      ).rejects.toMatchObject({ code: 'invalid_request' });
      const cp = await store.rotateSigner(next, rotation);
      expect(cp.size).toBe(7);
      expect(cp.verifierKey).toBe(key);
      expect(store.verifierKey()).toBe(next.verifierKey);
      await fill(store, 6, 7);
      const latest = await store.latestCheckpoint();
      expect(latest?.verifierKey).toBe(next.verifierKey);
      expect((await verifyLedger(store, { keys: [key] })).ok).toBe(true);
      const onlyNew = await verifyLedger(store, { keys: [next.verifierKey] });
      expect(onlyNew.ok).toBe(false);
      expect(onlyNew.firstProblem?.subject).toBe('checkpoint');
      await store.close();
    });
  });
}
