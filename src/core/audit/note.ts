/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 signatures (type 0x01).
 *
 *   note      = text "\n" signature-line+           text ends in "\n"; the blank line separates
 *   signature = "— " key-name " " base64(key-id[4] || ed25519-signature[64]) "\n"
 *   key id    = SHA-256(key-name || 0x0A || 0x01 || 32-byte public key)[:4]
 *   vkey      = key-name "+" hex8(key id) "+" base64(0x01 || 32-byte public key)
 *
 * Keys are node:crypto KeyObjects; nothing here touches files.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { fromBase64Strict, sha256, toBase64, toHex } from './hash.js';
import { isWellFormed } from './unicode.js';
import { err, ok, type Result } from '../result.js';

export const SIG_TYPE_ED25519 = 0x01;
const EM_DASH_PREFIX = '\u2014 ';
/** Notes larger than this are rejected before any parsing (a checkpoint is ~100 bytes). */
export const MAX_NOTE_BYTES = 64 * 1024;
const MAX_SIGNATURES = 100;

export interface NoteSigner {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  /** `<name>+<hex key id>+<base64(0x01 || public key)>`: what a verifier configures. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly verifierKey: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** Key names are non-empty and contain no Unicode white space and no "+". */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && isWellFormed(name);
}

export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  const nameBytes = Buffer.from(name, 'utf8');
  const input = Buffer.concat([nameBytes, Buffer.from([0x0a, SIG_TYPE_ED25519]), publicKey]);
  return sha256(input).subarray(0, 4);
}

export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const material = Buffer.concat([Buffer.from([SIG_TYPE_ED25519]), publicKey]);
  return `${name}+${toHex(noteKeyId(name, publicKey))}+${toBase64(material)}`;
}

/** Raw 32-byte Ed25519 public key of a KeyObject (public or private). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** Ed25519 private key from its 32-byte RFC 8032 seed (PKCS#8 wrapping of the seed). */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError('an Ed25519 seed is 32 bytes');
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

export function createNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  if (!isValidKeyName(name)) throw new TypeError(`invalid note key name ${JSON.stringify(name)}`);
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('the note signer needs an Ed25519 private key');
  }
  const publicKey = rawPublicKey(privateKey);
  return {
    name,
    keyId: noteKeyId(name, publicKey),
    publicKey,
    verifierKey: formatVerifierKey(name, publicKey),
    sign: (message) => sign(null, message, privateKey),
  };
}

/** Parses `<name>+<hex8>+<base64(0x01 || key)>`, checking the key id against the key. */
export function parseVerifierKey(text: string): Result<NoteVerifier, string> {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (first < 0 || second < 0) return err('a verifier key is <name>+<hex key id>+<base64 key>');
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  if (!isValidKeyName(name)) return err('invalid key name');
  if (!/^[0-9a-f]{8}$/.test(idHex)) return err('the key id is not 8 lower-case hex digits');
  const material = fromBase64Strict(text.slice(second + 1));
  if (!material || material.length !== 33 || material[0] !== SIG_TYPE_ED25519) {
    return err('the key material is not base64(0x01 || 32-byte Ed25519 key)');
  }
  const publicKey = material.subarray(1);
  const keyId = noteKeyId(name, publicKey);
  if (toHex(keyId) !== idHex) return err('the key id does not match the key');
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return err('the key is not a valid Ed25519 public key');
  }
  return ok({
    name,
    keyId,
    publicKey,
    verifierKey: text,
    verify: (message, signature) => signature.length === 64 && verify(null, message, key, signature),
  });
}

/** Signs `text` (which must end in a newline) with every signer, in order. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  const check = checkNoteText(text);
  if (!check.ok) throw new TypeError(check.error);
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => {
    const blob = Buffer.concat([s.keyId, s.sign(message)]);
    return `${EM_DASH_PREFIX}${s.name} ${toBase64(blob)}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

export interface OpenedNote {
  text: string;
  /** Verifier keys of the known signers whose signatures verified. */
  verifiedBy: string[];
}

/**
 * Verifies a signed note against trusted keys. Signatures from unknown keys are ignored; a
 * signature from a known key that fails rejects the whole note; at least one must verify.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): Result<OpenedNote, string> {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) return err('note is too large');
  if (!isWellFormed(note)) return err('note is not valid Unicode');
  if (hasControlCharacter(note)) return err('note contains a control character');
  if (!note.endsWith('\n')) return err('note does not end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return err('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2, -1).split('\n');
  if (sigLines.length > MAX_SIGNATURES) return err('note has too many signatures');
  const message = Buffer.from(text, 'utf8');
  const verifiedBy: string[] = [];
  for (const line of sigLines) {
    if (!line.startsWith(EM_DASH_PREFIX)) return err('malformed signature line');
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space <= 0) return err('malformed signature line');
    const name = rest.slice(0, space);
    const blob = fromBase64Strict(rest.slice(space + 1));
    if (!isValidKeyName(name) || !blob || blob.length < 5) return err('malformed signature line');
    const keyId = blob.subarray(0, 4);
    for (const v of verifiers) {
      if (v.name !== name || !Buffer.from(v.keyId).equals(keyId)) continue;
      if (!v.verify(message, blob.subarray(4)))
        return err(`signature by ${v.name}+${toHex(v.keyId)} does not verify`);
      if (!verifiedBy.includes(v.verifierKey)) verifiedBy.push(v.verifierKey);
    }
  }
  if (verifiedBy.length === 0) return err('no signature from a trusted key');
  return ok({ text, verifiedBy });
}

function checkNoteText(text: string): Result<true, string> {
  if (!text.endsWith('\n')) return err('note text must end with a newline');
  if (!isWellFormed(text)) return err('note text is not valid Unicode');
  if (hasControlCharacter(text)) return err('note text contains a control character');
  return ok(true);
}

/** Any character below U+0020 other than newline. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}
