/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text is
 *
 *   <origin>\n<tree size in decimal, no leading zeros>\n<base64 root hash>\n
 *
 * signed as a C2SP signed note whose key name is the origin. Portcullis writes no extension lines;
 * when reading, extension lines (non-empty, after the root) are accepted and ignored as the spec
 * allows.
 */
import { HASH_BYTES, fromBase64Strict, toBase64 } from './hash.js';
import { openNote, signNote, type NoteSigner, type NoteVerifier } from './note.js';
import { err, ok, type Result } from '../result.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
}

export interface OpenedCheckpoint extends Checkpoint {
  note: string;
  verifiedBy: string[];
}

export function formatCheckpointBody(cp: Checkpoint): string {
  if (!Number.isSafeInteger(cp.size) || cp.size < 0)
    throw new RangeError('checkpoint size must be a non-negative integer');
  if (cp.root.length !== HASH_BYTES) throw new RangeError('checkpoint root must be 32 bytes');
  if (cp.origin.length === 0 || /[\n]/.test(cp.origin))
    throw new RangeError('checkpoint origin must be one non-empty line');
  return `${cp.origin}\n${cp.size}\n${toBase64(cp.root)}\n`;
}

export function parseCheckpointBody(text: string): Result<Checkpoint, string> {
  if (!text.endsWith('\n')) return err('checkpoint text does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return err('checkpoint text has fewer than three lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin.length === 0) return err('checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) return err('checkpoint size is not a decimal number');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return err('checkpoint size is too large');
  const root = fromBase64Strict(rootText);
  if (!root || root.length !== HASH_BYTES) return err('checkpoint root is not base64 of 32 bytes');
  if (lines.slice(3).some((l) => l.length === 0)) return err('checkpoint has an empty extension line');
  return ok({ origin, size, root });
}

/** Signs a checkpoint; the signer's key name should equal the origin. */
export function signCheckpoint(cp: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpointBody(cp), [signer]);
}

/** Verifies the note signature with trusted keys, then parses the body. */
export function openCheckpoint(
  note: string,
  verifiers: readonly NoteVerifier[],
  expectOrigin?: string,
): Result<OpenedCheckpoint, string> {
  const opened = openNote(note, verifiers);
  if (!opened.ok) return opened;
  const body = parseCheckpointBody(opened.value.text);
  if (!body.ok) return body;
  if (expectOrigin !== undefined && body.value.origin !== expectOrigin) {
    return err(
      `checkpoint origin ${JSON.stringify(body.value.origin)} is not ${JSON.stringify(expectOrigin)}`,
    );
  }
  return ok({ ...body.value, note, verifiedBy: opened.value.verifiedBy });
}

/** Parses the body of a signed note without checking signatures (for listing, never for trust). */
export function peekCheckpoint(note: string): Result<Checkpoint, string> {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return err('not a signed note');
  return parseCheckpointBody(note.slice(0, split + 1));
}
