/**
 * Export bundles: exported from a live store, verified offline with only the public key; any
 * change to any byte of the file fails verification with a message that says what is wrong.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryAuditStore } from '../src/adapters/storage/memory/audit-store.js';
import { exportBundle, serializeBundle, verifyBundle, type AuditBundleV1 } from '../src/core/audit/bundle.js';
import { computeEventId, type AuditEventV1 } from '../src/core/audit/event.js';
import { canonicalJson } from '../src/core/canonical-json.js';
import type { AuditStore } from '../src/ports/audit-store.js';
import { sampleEvent, testSigner } from './audit-fixtures.js';

const KEY = testSigner().verifierKey;
let store: AuditStore;
let bundle: AuditBundleV1;
let text: string;

beforeAll(async () => {
  store = createMemoryAuditStore({ signer: testSigner(), checkpoints: { everyEvents: 1000 } });
  await Promise.all(Array.from({ length: 25 }, (_, i) => store.append(sampleEvent(i))));
  await store.checkpointNow();
  await Promise.all(Array.from({ length: 3 }, (_, i) => store.append(sampleEvent(25 + i))));
  bundle = await exportBundle(store, { from: 6, to: 13 });
  text = serializeBundle(bundle);
});

const reSerialize = (edit: (b: AuditBundleV1) => void): string => {
  const copy = JSON.parse(text) as AuditBundleV1;
  edit(copy);
  return canonicalJson(copy);
};

describe('export and offline verification', () => {
  it('exports events, indices, the newest checkpoint, a range proof and the verifier key', () => {
    expect(bundle).toMatchObject({
      format: 'portcullis-audit-bundle/1',
      origin: 'ledger.example/test',
      verifier_key: KEY,
      tree_size: 25,
      from: 6,
      to: 13,
    });
    expect(bundle.events.map((e) => e.index)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(bundle.proof.length).toBeGreaterThan(0);
    expect(verifyBundle(text, KEY)).toEqual({
      ok: true,
      value: { origin: 'ledger.example/test', treeSize: 25, from: 6, to: 13, events: 7, verifierKey: KEY },
    });
    expect(verifyBundle(Buffer.from(text), `${KEY}\n`).ok).toBe(true);
  });

  it('verifies every range of the checkpointed tree', async () => {
    for (let from = 0; from < 25; from += 3) {
      for (const to of [from + 1, Math.min(25, from + 7), 25]) {
        expect(
          verifyBundle(serializeBundle(await exportBundle(store, { from, to })), KEY).ok,
          `${from}..${to}`,
        ).toBe(true);
      }
    }
    expect((await exportBundle(store)).to).toBe(25);
  });

  it('refuses ranges no signed checkpoint covers', async () => {
    await expect(exportBundle(store, { from: 20, to: 27 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(exportBundle(store, { from: 5, to: 5 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(exportBundle(createMemoryAuditStore({ signer: testSigner() }))).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe('tampering', () => {
  it('any single changed byte fails', () => {
    const bytes = Buffer.from(text);
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (pos, delta) => {
        const copy = Buffer.from(bytes);
        copy[pos] = (copy[pos]! + delta) % 256;
        expect(verifyBundle(copy, KEY).ok).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });

  const cases: Array<[string, () => string, RegExp]> = [
    ['white space added', () => text.replace('{"checkpoint"', '{ "checkpoint"'), /canonical form/],
    [
      'an event edited, its id recomputed',
      () =>
        reSerialize((b) => {
          const e = JSON.parse(b.events[2]!.canonical) as AuditEventV1 & Record<string, unknown>;
          const edited = { ...e, sequence: 999 };
          b.events[2]!.canonical = canonicalJson({ ...edited, id: computeEventId(edited) });
        }),
      /do not hash to the signed root/,
    ],
    [
      'an event edited, id left',
      () =>
        reSerialize((b) => {
          b.events[2]!.canonical = b.events[2]!.canonical.replace('"sequence":8', '"sequence":9');
        }),
      /index 8 id .* does not match its content/,
    ],
    ['an index changed', () => reSerialize((b) => void (b.events[1]!.index = 99)), /claims index 99/],
    ['an event dropped', () => reSerialize((b) => void b.events.pop()), /holds 6 events for a range of 7/],
    [
      'events swapped',
      () =>
        reSerialize((b) => {
          const [x, y] = [b.events[0]!.canonical, b.events[1]!.canonical];
          b.events[0]!.canonical = y;
          b.events[1]!.canonical = x;
        }),
      /do not hash to the signed root/,
    ],
    [
      'a proof hash replaced',
      () => reSerialize((b) => void (b.proof[0] = Buffer.alloc(32).toString('base64'))),
      /do not hash to the signed root/,
    ],
    ['a proof hash dropped', () => reSerialize((b) => void b.proof.pop()), /range proof is malformed/],
    [
      'the range moved',
      () =>
        reSerialize((b) => {
          b.from = 7;
          b.to = 14;
        }),
      /claims index 6, expected 7/,
    ],
    [
      'the checkpoint edited',
      () => reSerialize((b) => void (b.checkpoint = b.checkpoint.replace('\n25\n', '\n24\n'))),
      /checkpoint does not verify/,
    ],
    [
      'another verifier key named',
      () => reSerialize((b) => void (b.verifier_key = testSigner(3).verifierKey)),
      /names verifier key/,
    ],
    [
      'an extra member',
      () => reSerialize((b) => void ((b as unknown as Record<string, unknown>).note = 'x')),
      /members are/,
    ],
  ];
  for (const [name, make, message] of cases) {
    it(`fails precisely: ${name}`, () => {
      const r = verifyBundle(make(), KEY);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.message).toMatch(message);
    });
  }

  it('fails with the wrong public key, and with a checkpoint re-signed by another key', () => {
    const other = testSigner(3);
    expect(verifyBundle(text, other.verifierKey)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/names verifier key/) },
    });
    const resigned = reSerialize((b) => {
      b.verifier_key = other.verifierKey;
    });
    expect(verifyBundle(resigned, other.verifierKey)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/checkpoint does not verify/) },
    });
    expect(verifyBundle(text, 'not a key')).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/not a verifier key/) },
    });
  });
});
