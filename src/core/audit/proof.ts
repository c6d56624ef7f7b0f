/**
 * RFC 9162 inclusion and consistency proofs: generation over a stored tree (sections 2.1.3.1 and
 * 2.1.4.1) and the verification algorithms of sections 2.1.3.2 and 2.1.4.2. Verification returns
 * a reason instead of throwing: a failed proof is an expected outcome.
 */
import { HASH_BYTES, bytesEqual, hashChildren } from './hash.js';
import { splitPoint, subtreeHash, type TreeReader } from './merkle.js';
import { err, ok, type Result } from '../result.js';

/** PATH(m, D[n]): the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(reader: TreeReader, index: number, size: number): Uint8Array[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`no leaf ${index} in a tree of size ${size}`);
  }
  const memo = new Map<string, Uint8Array>();
  const path: Uint8Array[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(subtreeHash(reader, lo + k, hi, memo));
    } else {
      walk(m - k, lo + k, hi);
      path.push(subtreeHash(reader, lo, lo + k, memo));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(m, D[n]): proves the tree of size `size1` is a prefix of the tree of size `size2`. */
export function consistencyProof(reader: TreeReader, size1: number, size2: number): Uint8Array[] {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) {
    throw new RangeError(`no consistency proof from size ${size1} to size ${size2}`);
  }
  if (size1 === 0 || size1 === size2) return [];
  const memo = new Map<string, Uint8Array>();
  const proof: Uint8Array[] = [];
  const sub = (m: number, lo: number, hi: number, complete: boolean): void => {
    if (m === hi - lo) {
      if (!complete) proof.push(subtreeHash(reader, lo, hi, memo));
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      sub(m, lo, lo + k, complete);
      proof.push(subtreeHash(reader, lo + k, hi, memo));
    } else {
      sub(m - k, lo + k, hi, false);
      proof.push(subtreeHash(reader, lo, lo + k, memo));
    }
  };
  sub(size1, 0, size2, true);
  return proof;
}

const half = (x: number): number => Math.floor(x / 2);
const odd = (x: number): boolean => x % 2 === 1;

/** RFC 9162 section 2.1.3.2. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Result<true, string> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || size < 0) {
    return err('index and size must be non-negative integers');
  }
  if (index >= size) return err(`leaf index ${index} is not below tree size ${size}`);
  if (leafHash.length !== HASH_BYTES) return err('leaf hash is not 32 bytes');
  if (proof.some((p) => p.length !== HASH_BYTES)) return err('a proof hash is not 32 bytes');
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return err('proof is longer than the tree is deep');
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return err('proof is shorter than the tree is deep');
  return bytesEqual(r, root) ? ok(true) : err('computed root does not match the expected root');
}

/** RFC 9162 section 2.1.4.2, with the edge cases pinned by the transparency-dev test vectors. */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): Result<true, string> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < 0) {
    return err('sizes must be non-negative integers');
  }
  if (size1 > size2) return err(`size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === 0) return err('a consistency proof from the empty tree proves nothing');
  if (size1 === size2) {
    if (proof.length > 0) return err('sizes are equal but the proof is not empty');
    return bytesEqual(root1, root2) ? ok(true) : err('sizes are equal but the roots differ');
  }
  if (proof.length === 0) return err('proof is empty');
  if (proof.some((p) => p.length !== HASH_BYTES)) return err('a proof hash is not 32 bytes');
  const path = isPow2(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return err('proof is longer than needed');
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return err('proof is shorter than needed');
  if (!bytesEqual(fr, root1)) return err('proof does not lead to the first root');
  if (!bytesEqual(sr, root2)) return err('proof does not lead to the second root');
  return ok(true);
}

function isPow2(n: number): boolean {
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
