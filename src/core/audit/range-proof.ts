/**
 * Range proof: proves that the contiguous leaves [from, to) are exactly the leaves at those
 * positions of the tree of `size` leaves. It generalises the RFC 9162 audit path to many leaves:
 * walk the MTH recursion of D[0:size]; a subtree entirely outside the range contributes its hash
 * (in the order the walk meets them, left to right), a subtree entirely inside is recomputed from
 * the leaves, a subtree that straddles the boundary is split at RFC 9162's k. At most about
 * 2 log2(size) hashes, however many leaves are proven.
 */
import { HASH_BYTES, hashChildren } from './hash.js';
import { splitPoint, subtreeHash, type TreeReader } from './merkle.js';
import { err, ok, type Result } from '../result.js';

function checkRange(from: number, to: number, size: number): string | null {
  for (const n of [from, to, size])
    if (!Number.isSafeInteger(n) || n < 0) return 'range bounds must be non-negative integers';
  if (from >= to) return `empty range [${from}, ${to})`;
  if (to > size) return `range end ${to} is beyond tree size ${size}`;
  return null;
}

export function rangeProof(reader: TreeReader, from: number, to: number, size: number): Uint8Array[] {
  const bad = checkRange(from, to, size);
  if (bad) throw new RangeError(bad);
  const memo = new Map<string, Uint8Array>();
  const out: Uint8Array[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi <= from || lo >= to) {
      out.push(subtreeHash(reader, lo, hi, memo));
      return;
    }
    if (lo >= from && hi <= to) return;
    const k = splitPoint(hi - lo);
    walk(lo, lo + k);
    walk(lo + k, hi);
  };
  walk(0, size);
  return out;
}

/** Recomputes the root of the tree of `size` leaves from the leaves [from, to) and their proof. */
export function rootFromRange(
  from: number,
  to: number,
  size: number,
  leaves: readonly Uint8Array[],
  proof: readonly Uint8Array[],
): Result<Uint8Array, string> {
  const bad = checkRange(from, to, size);
  if (bad) return err(bad);
  if (leaves.length !== to - from) return err(`expected ${to - from} leaves, got ${leaves.length}`);
  if (proof.some((p) => p.length !== HASH_BYTES)) return err('a proof hash is not 32 bytes');
  let next = 0;
  let short = false;
  const walk = (lo: number, hi: number): Uint8Array => {
    if (hi <= from || lo >= to) {
      const h = proof[next++];
      if (!h) {
        short = true;
        return new Uint8Array(HASH_BYTES);
      }
      return h;
    }
    if (hi - lo === 1) return leaves[lo - from]!;
    const k = splitPoint(hi - lo);
    return hashChildren(walk(lo, lo + k), walk(lo + k, hi));
  };
  const root = walk(0, size);
  if (short) return err('range proof has too few hashes');
  if (next !== proof.length) return err('range proof has too many hashes');
  return ok(root);
}
