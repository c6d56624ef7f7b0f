/**
 * C2SP signed notes and tlog checkpoints. The PeterNeumann key, text and signature are the
 * reference example of golang.org/x/mod/sumdb/note (the origin of the C2SP signed-note format):
 * Ed25519 is deterministic, so signing that text with that key must reproduce the signature.
 */
import { describe, expect, it } from 'vitest';
import {
  formatCheckpointBody,
  openCheckpoint,
  parseCheckpointBody,
  peekCheckpoint,
  signCheckpoint,
} from '../src/core/audit/checkpoint.js';
import { emptyRoot, sha256, toHex } from '../src/core/audit/hash.js';
import {
  createNoteSigner,
  formatVerifierKey,
  noteKeyId,
  openNote,
  parseVerifierKey,
  privateKeyFromSeed,
  signNote,
} from '../src/core/audit/note.js';
import { ORIGIN, testSigner } from './audit-fixtures.js';

const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const NOTE = `${TEXT}\n${SIG}`;

function verifier(vkey: string) {
  const v = parseVerifierKey(vkey);
  if (!v.ok) throw new Error(v.error);
  return v.value;
}

describe('signed note: the Go sumdb/note reference example', () => {
  it('parses the verifier key and recomputes its key id', () => {
    const v = verifier(VKEY);
    expect(v.name).toBe('PeterNeumann');
    expect(toHex(v.keyId)).toBe('c74f20a3');
    expect(toHex(noteKeyId('PeterNeumann', v.publicKey))).toBe('c74f20a3');
    expect(formatVerifierKey('PeterNeumann', v.publicKey)).toBe(VKEY);
  });

  it('reproduces the reference signature from the private key seed', () => {
    const seed = Buffer.from(SKEY.split('+').slice(4).join('+'), 'base64').subarray(1);
    const signer = createNoteSigner('PeterNeumann', privateKeyFromSeed(seed));
    expect(signer.verifierKey).toBe(VKEY);
    expect(signNote(TEXT, [signer])).toBe(NOTE);
  });

  it('opens the reference note and rejects any change to its text or signature', () => {
    const opened = openNote(NOTE, [verifier(VKEY)]);
    expect(opened.ok && opened.value).toEqual({ text: TEXT, verifiedBy: [VKEY] });
    expect(openNote(NOTE.replace('cryptography', 'cryptographY'), [verifier(VKEY)]).ok).toBe(false);
    const sigAt = NOTE.indexOf('x08go');
    const flipped =
      NOTE.slice(0, sigAt + 10) + (NOTE[sigAt + 10] === 'A' ? 'B' : 'A') + NOTE.slice(sigAt + 11);
    expect(openNote(flipped, [verifier(VKEY)]).ok).toBe(false);
  });

  it('rejects mangled verifier keys', () => {
    for (let i = 0; i < VKEY.length; i++) {
      const mangled = VKEY.slice(0, i) + String.fromCharCode(VKEY.charCodeAt(i) + 1) + VKEY.slice(i + 1);
      expect(parseVerifierKey(mangled).ok, mangled).toBe(false);
    }
    for (const cut of [5, 13, 21, VKEY.length - 1])
      expect(parseVerifierKey(VKEY.slice(0, cut)).ok).toBe(false);
    expect(parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').ok).toBe(
      false,
    );
  });

  it('ignores unknown signers but needs one trusted signature, and a failing known signature rejects', () => {
    const other = testSigner(9, 'other.example/key');
    const both = signNote(TEXT, [other]);
    expect(openNote(both, [verifier(VKEY)])).toEqual({ ok: false, error: 'no signature from a trusted key' });
    const twoSigs = `${NOTE}${both.slice(TEXT.length + 1)}`;
    expect(openNote(twoSigs, [verifier(VKEY)]).ok).toBe(true);
    expect(openNote(twoSigs, [verifier(VKEY), verifier(other.verifierKey)]).ok && true).toBe(true);
    const forgedSameId = NOTE.replace('x08go/ZJkuBS9UG', 'x08go/ZJkuBS9UH');
    expect(openNote(forgedSameId, [verifier(VKEY)]).ok).toBe(false);
  });

  it('rejects malformed notes', () => {
    for (const bad of [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n— PeterNeumann\n`,
      `${TEXT}\n- PeterNeumann x08go=\n`,
      NOTE.slice(0, -1),
      `a\tb\n${NOTE}`,
    ]) {
      expect(openNote(bad, [verifier(VKEY)]).ok).toBe(false);
    }
  });
});

describe('tlog checkpoints', () => {
  const root = sha256('root');
  it('formats the three-line body and signs it as a note whose key name is the origin', () => {
    const body = formatCheckpointBody({ origin: ORIGIN, size: 42, root });
    expect(body).toBe(`${ORIGIN}\n42\n${Buffer.from(root).toString('base64')}\n`);
    const note = signCheckpoint({ origin: ORIGIN, size: 42, root }, testSigner());
    expect(note.startsWith(`${body}\n— ${ORIGIN} `)).toBe(true);
    const opened = openCheckpoint(note, [verifier(testSigner().verifierKey)], ORIGIN);
    expect(opened.ok && opened.value.size).toBe(42);
    expect(openCheckpoint(note, [verifier(testSigner().verifierKey)], 'other.origin').ok).toBe(false);
    expect(openCheckpoint(note.replace('\n42\n', '\n43\n'), [verifier(testSigner().verifierKey)]).ok).toBe(
      false,
    );
    expect(peekCheckpoint(note)).toMatchObject({ ok: true, value: { size: 42 } });
  });

  it('parses strictly: decimal size without leading zeros, base64 of 32 bytes, optional extension lines', () => {
    const r = Buffer.from(emptyRoot()).toString('base64');
    expect(parseCheckpointBody(`o\n0\n${r}\n`).ok).toBe(true);
    expect(parseCheckpointBody(`o\n7\n${r}\next\n`).ok).toBe(true);
    for (const bad of [
      `o\n07\n${r}\n`,
      `o\n-1\n${r}\n`,
      `o\n1\n${r.slice(4)}\n`,
      `o\n1\n${r}`,
      `\n1\n${r}\n`,
      `o\n1\n${r}\n\n`,
      'o\n1\n',
    ]) {
      expect(parseCheckpointBody(bad).ok, JSON.stringify(bad)).toBe(false);
    }
  });
});
