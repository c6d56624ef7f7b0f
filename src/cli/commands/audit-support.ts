/**
 * What the `portcullis audit` commands share: the ledger settings of a config file, the keys a
 * verification trusts, reading a `--key` argument, and the check that no other process (a
 * running gateway) has the ledger open before the key is rotated.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { readVerifierKey } from '../../app/audit-key.js';
import { loadConfigFile, resolvePath } from '../../app/config-loader.js';
import { parseVerifierKey } from '../../core/audit/note.js';
import { GatewayError } from '../../core/errors.js';

export interface LedgerSettings {
  /** Absolute path of the SQLite ledger. */
  path: string;
  origin: string;
  keyPath: string;
  instance: string;
  witness: string | undefined;
  baseDir: string;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
}

export function ledgerSettings(configFile: string): LedgerSettings {
  const { config, baseDir } = loadConfigFile(configFile);
  const a = config.audit;
  if (a.path === ':memory:')
    throw new GatewayError(
      'config_invalid',
      `${configFile}: audit.path is :memory:, so there is no ledger file to read`,
    );
  return {
    path: resolvePath(baseDir, a.path),
    origin: a.origin,
    keyPath: resolvePath(baseDir, a.signing_key_path),
    instance: config.instance_id,
    witness: a.witness,
    baseDir,
    checkpointEveryEvents: a.checkpoint_every_events,
    checkpointEveryMs: a.checkpoint_every_ms,
  };
}

export function requireLedgerFile(s: LedgerSettings): void {
  if (!existsSync(s.path))
    throw new GatewayError(
      'audit_store_unavailable',
      `there is no ledger at ${s.path} (has the gateway run yet?)`,
    );
}

/** Key files the rotation retired (`<key>.retired-<ms>`), oldest first. */
export function retiredKeyFiles(keyPath: string): string[] {
  const dir = dirname(keyPath);
  const prefix = `${basename(keyPath)}.retired-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map((n) => join(dir, n));
}

/**
 * The verifier keys a verification trusts: the `--key` arguments when given (an auditor's own
 * copy, the stronger anchor), otherwise the configured signing key and every retired one.
 */
export async function trustedKeys(s: LedgerSettings, given: readonly string[]): Promise<string[]> {
  if (given.length > 0) return given.map(readKeyArgument);
  const keys: string[] = [];
  for (const file of [...retiredKeyFiles(s.keyPath), s.keyPath])
    keys.push(await verifierKeyOf(file, s.origin));
  return keys;
}

/** The verifier key of a signing key file, with a message that says what to do when it is unreadable. */
export async function verifierKeyOf(file: string, origin: string): Promise<string> {
  try {
    return await readVerifierKey(file, origin);
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw new GatewayError(
      'audit_key_invalid',
      `cannot read the signing key ${file} (verify takes --key <verifier key> to use a key you hold instead)`,
      { cause: e },
    );
  }
}

/** `--key`: a verifier key (`<name>+<hex id>+<base64>`) or a file whose first line is one. */
export function readKeyArgument(arg: string): string {
  const direct = arg.trim();
  if (parseVerifierKey(direct).ok) return direct;
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch {
    throw new GatewayError(
      'audit_key_invalid',
      `--key ${JSON.stringify(arg.slice(0, 80))} is neither a verifier key nor a readable file`,
    );
  }
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  const parsed = line === undefined ? null : parseVerifierKey(line);
  if (parsed === null || !parsed.ok)
    throw new GatewayError(
      'audit_key_invalid',
      `${arg} does not hold a verifier key (<name>+<hex key id>+<base64 key>, as "portcullis audit key export" prints it)${parsed && !parsed.ok ? `: ${parsed.error}` : ''}`,
    );
  return line!;
}

/**
 * Refuses when another process has the ledger open. Leaving WAL mode needs every other connection
 * closed, so trying it is an exact test; when it succeeds the ledger is put back in WAL mode.
 */
export function assertLedgerNotInUse(path: string): void {
  if (!existsSync(path)) return;
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    let mode: unknown;
    try {
      mode = db.pragma('journal_mode = DELETE', { simple: true });
    } catch (e) {
      if (
        (e as { code?: string }).code !== 'SQLITE_BUSY' &&
        (e as { code?: string }).code !== 'SQLITE_LOCKED'
      )
        throw e;
      mode = 'busy';
    }
    if (mode !== 'delete')
      throw new GatewayError(
        'audit_store_unavailable',
        `another process has ${path} open (a running gateway?): stop it, rotate, then start it again`,
      );
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}
