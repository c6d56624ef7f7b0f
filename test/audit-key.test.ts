/**
 * The signing key on disk and the ledger opened from configuration.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, readVerifierKey, rotateLedgerKey } from '../src/app/audit-key.js';
import {
  configuredVerifierKey,
  openAuditLedger,
  openAuditLedgerReadOnly,
  readWitnessCheckpoints,
} from '../src/app/audit-ledger.js';
import { verifyLedger } from '../src/core/audit/verify-ledger.js';
import { verifyAgainstWitness } from '../src/core/audit/witness-check.js';
import { sampleEvent } from './audit-fixtures.js';

const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'portcullis-key-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('signing key file', () => {
  it('is created on first use with mode 0600 and loaded unchanged afterwards', async () => {
    const path = join(temp(), 'keys', 'ledger.key');
    const first = await loadOrCreateSigningKey(path, 'ledger.example/k');
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.verifierKey).toMatch(/^ledger\.example\/k\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    const again = await loadOrCreateSigningKey(path, 'ledger.example/k');
    expect(again).toMatchObject({ created: false, verifierKey: first.verifierKey });
    expect(await readVerifierKey(path, 'ledger.example/k')).toBe(first.verifierKey);
  });

  it('refuses a key readable by others, a file that is not a key, and a non-Ed25519 key', async () => {
    const dir = temp();
    const path = join(dir, 'ledger.key');
    await loadOrCreateSigningKey(path, 'n');
    chmodSync(path, 0o644);
    await expect(loadOrCreateSigningKey(path, 'n')).rejects.toMatchObject({
      code: 'audit_key_invalid',
      detail: expect.stringMatching(/chmod 600/),
    });
    const junk = join(dir, 'junk.key');
    writeFileSync(junk, 'not a key', { mode: 0o600 });
    await expect(loadOrCreateSigningKey(junk, 'n')).rejects.toMatchObject({ code: 'audit_key_invalid' });
  });
});

describe('the ledger opened from configuration', () => {
  it('creates key and database, witnesses checkpoints, and rotates the key with a record in the ledger', async () => {
    const base = temp();
    const settings = {
      path: 'data/ledger.db',
      origin: 'ledger.example/app',
      signingKeyPath: 'data/ledger.key',
      checkpointEveryEvents: 3,
      checkpointEveryMs: 60_000,
      witness: 'witness',
      baseDir: base,
    };
    const { store, key } = await openAuditLedger(settings);
    expect(key.created).toBe(true);
    await Promise.all([0, 1, 2].map((i) => store.append(sampleEvent(i))));
    const rotated = await rotateLedgerKey(store, join(base, 'data/ledger.key'), settings.origin, {
      time: 1_767_225_900_000,
      instance: 'gw-test',
      sequence: 3,
      actor: 'admin',
    });
    expect(rotated.previous).toBe(key.verifierKey);
    expect(rotated.checkpoint).toMatchObject({ size: 4, verifierKey: key.verifierKey });
    await Promise.all([4, 5, 6].map((i) => store.append(sampleEvent(i))));
    await store.close();

    expect(await configuredVerifierKey(settings.signingKeyPath, settings.origin, base)).toBe(
      rotated.next.verifierKey,
    );
    expect(readdirSync(join(base, 'data')).filter((f) => f.startsWith('ledger.key.retired-')).length).toBe(1);
    const reader = openAuditLedgerReadOnly(settings.path, base);
    const rotation = (await reader.listEvents({ type: 'key_rotation' })).events;
    expect(rotation.map((e) => [e.index, e.event.inputs.details])).toEqual([
      [3, { previous_key: key.verifierKey, new_key: rotated.next.verifierKey }],
    ]);
    const v = await verifyLedger(reader, { keys: [key.verifierKey], content: true });
    expect(v).toMatchObject({ ok: true, size: 7, unsignedTail: 0 });
    const notes = await readWitnessCheckpoints(settings.witness, base);
    expect(notes.length).toBe((await reader.listCheckpoints()).length);
    expect(
      (await verifyAgainstWitness(reader, notes, { keys: [key.verifierKey, rotated.next.verifierKey] })).ok,
    ).toBe(true);
    await reader.close();
  });
});
