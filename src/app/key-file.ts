import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GatewayError } from '../core/errors.js';

/**
 * Loads a 32-byte secret key kept as hex in a file, creating it (0600, directory 0700) on first
 * use. A key file that group or others can read is refused rather than silently used.
 */
export function loadOrCreateSecretKey(path: string, bytes = 32): Buffer {
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0) {
      throw new GatewayError('config_invalid', `key file ${path} is readable by others: chmod 600 it`);
    }
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    if (key.length < 16)
      throw new GatewayError('config_invalid', `key file ${path} does not hold a hex key of 16+ bytes`);
    return key;
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new GatewayError('config_invalid', `key file ${path} cannot be read`, { cause: e });
    }
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(bytes);
  try {
    writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecretKey(path, bytes);
    throw new GatewayError('config_invalid', `key file ${path} cannot be written`, { cause: e });
  }
  return key;
}
