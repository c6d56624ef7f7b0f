/**
 * RFC 9162 section 2.1.1 hashing with SHA-256: a leaf is SHA-256(0x00 || bytes), an interior node
 * SHA-256(0x01 || left || right), the empty tree SHA-256(""). Three representations are offered:
 * bytes (Uint8Array) for proofs and APIs; lower-case hex for the verifier's hot loop, where Node's
 * one-shot `hash()` returning a string is about twice as fast as returning a Buffer; and binary
 * strings (one character per byte, Node's 'latin1' encoding) for the ledger writer, which hashes
 * children and copies hashes into pages without decoding hex (about half the cost per node).
 */
import { hash } from 'node:crypto';

export const HASH_BYTES = 32;

/** SHA-256 of the empty string: the root of a tree with no leaves. */
export const EMPTY_ROOT_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const scratch = Buffer.alloc(1 + 2 * HASH_BYTES);

export function sha256(data: Uint8Array | string): Uint8Array {
  return hash('sha256', data, 'buffer');
}

export function emptyRoot(): Uint8Array {
  return Buffer.from(EMPTY_ROOT_HEX, 'hex');
}

/** Leaf hash of raw bytes. */
export function hashLeaf(data: Uint8Array): Uint8Array {
  const buf = Buffer.allocUnsafe(data.length + 1);
  buf[0] = 0x00;
  buf.set(data, 1);
  return hash('sha256', buf, 'buffer');
}

/**
 * Leaf hash of a string's UTF-8 encoding, as hex. U+0000 encodes as the single byte 0x00, so
 * hashing "\0" + text is exactly SHA-256(0x00 || utf8(text)) without copying the text.
 */
export function hashLeafTextHex(text: string): string {
  return hash('sha256', '\u0000' + text, 'hex');
}

export function hashLeafText(text: string): Uint8Array {
  return hash('sha256', '\u0000' + text, 'buffer');
}

export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    const buf = Buffer.allocUnsafe(1 + left.length + right.length);
    buf[0] = 0x01;
    buf.set(left, 1);
    buf.set(right, 1 + left.length);
    return hash('sha256', buf, 'buffer');
  }
  scratch[0] = 0x01;
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_BYTES);
  return hash('sha256', scratch, 'buffer');
}

/** Interior node hash of two hex-encoded 32-byte children, as hex. */
export function hashChildrenHex(leftHex: string, rightHex: string): string {
  scratch[0] = 0x01;
  scratch.write(leftHex, 1, HASH_BYTES, 'hex');
  scratch.write(rightHex, 1 + HASH_BYTES, HASH_BYTES, 'hex');
  return hash('sha256', scratch, 'hex');
}

/** Leaf hash of a string's UTF-8 encoding, as a binary string (32 characters, one per byte). */
export function hashLeafTextBin(text: string): string {
  return hash('sha256', '\u0000' + text, 'binary');
}

/** Interior node hash of two binary-string children (32 characters each), as a binary string. */
export function hashChildrenBin(left: string, right: string): string {
  scratch[0] = 0x01;
  scratch.write(left, 1, HASH_BYTES, 'latin1');
  scratch.write(right, 1 + HASH_BYTES, HASH_BYTES, 'latin1');
  return hash('sha256', scratch, 'binary');
}

export function toBin(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function fromBin(bin: string): Uint8Array {
  return Buffer.from(bin, 'latin1');
}

/** A binary-string hash (or run of hashes) as lower-case hex. */
export function binToHex(bin: string): string {
  return Buffer.from(bin, 'latin1').toString('hex');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 (RFC 4648 section 4) decoding that rejects anything a lenient decoder would
 * silently accept: missing padding, stray characters, non-zero unused bits. Returns null on error.
 */
export function fromBase64Strict(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
