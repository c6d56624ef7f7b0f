/**
 * The ledger's Ed25519 signing key on disk: a PKCS#8 PEM file with mode 0600, created on first
 * start. Rotation writes a new key, records a key_rotation event signed off by the old key, and
 * keeps the old key file as `<path>.retired-<time>` (it may still be needed to re-verify old
 * checkpoints' provenance; its public half is in the ledger).
 */
import { generateKeyPairSync, createPrivateKey, type KeyObject } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildSystemEvent } from '../core/audit/event.js';
import { createNoteSigner, type NoteSigner } from '../core/audit/note.js';
import { GatewayError } from '../core/errors.js';
import type { AuditStore, StoredCheckpoint } from '../ports/audit-store.js';

export interface LedgerKey {
  signer: NoteSigner;
  /** `<name>+<hex id>+<base64 key>`: give this to auditors (`verify-bundle --key`). */
  verifierKey: string;
  path: string;
  /** True when this call generated the key. */
  created: boolean;
}

function keyInvalid(detail: string, cause?: unknown): GatewayError {
  return new GatewayError('audit_key_invalid', detail, cause === undefined ? {} : { cause });
}

async function writeNewKey(path: string, key: KeyObject): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const pem = key.export({ format: 'pem', type: 'pkcs8' }) as string;
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(pem, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(path, 0o600);
}

async function readKey(path: string, keyName: string): Promise<NoteSigner> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw keyInvalid(
      `${path} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(await readFile(path, 'utf8'));
  } catch (e) {
    throw keyInvalid(`${path} is not a PEM private key`, e);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw keyInvalid(`${path} is not an Ed25519 key`);
  return createNoteSigner(keyName, key);
}

/** Loads the signing key, creating it (0600) if the file does not exist. keyName = the origin. */
export async function loadOrCreateSigningKey(path: string, keyName: string): Promise<LedgerKey> {
  let created = false;
  try {
    await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw keyInvalid(`cannot read ${path}`, e);
    try {
      await writeNewKey(path, generateKeyPairSync('ed25519').privateKey);
      created = true;
    } catch (w) {
      if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw keyInvalid(`cannot create ${path}`, w);
    }
  }
  try {
    const signer = await readKey(path, keyName);
    return { signer, verifierKey: signer.verifierKey, path, created };
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw keyInvalid(`cannot read ${path}`, e);
  }
}

/** The verifier key of an existing key file (for `portcullis audit key` / exports). */
export async function readVerifierKey(path: string, keyName: string): Promise<string> {
  return (await readKey(path, keyName)).verifierKey;
}

export interface RotationContext {
  time: number;
  instance: string;
  sequence: number;
  actor: string;
}

/**
 * Rotates the ledger key: generates a new key, appends a key_rotation event naming both verifier
 * keys, has the old key sign a checkpoint covering it, then installs the new key at `path` and
 * keeps the old one as `<path>.retired-<time>`.
 */
export async function rotateLedgerKey(
  store: AuditStore,
  path: string,
  keyName: string,
  ctx: RotationContext,
): Promise<{ previous: string; next: LedgerKey; checkpoint: StoredCheckpoint }> {
  const previous = store.verifierKey();
  if (previous === null) throw keyInvalid('this ledger has no signing key to rotate');
  const staged = `${path}.next`;
  await unlink(staged).catch(() => undefined);
  await writeNewKey(staged, generateKeyPairSync('ed25519').privateKey);
  const signer = await readKey(staged, keyName);
  const event = buildSystemEvent(
    'key_rotation',
    {
      time: ctx.time,
      instance: ctx.instance,
      actor: ctx.actor,
      details: { previous_key: previous, new_key: signer.verifierKey },
    },
    ctx.sequence,
  );
  let checkpoint: StoredCheckpoint;
  try {
    checkpoint = await store.rotateSigner(signer, event);
  } catch (e) {
    await unlink(staged).catch(() => undefined);
    throw e;
  }
  await rename(path, `${path}.retired-${ctx.time}`);
  await rename(staged, path);
  return { previous, next: { signer, verifierKey: signer.verifierKey, path, created: true }, checkpoint };
}
