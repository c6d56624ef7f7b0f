/**
 * RFC 9162 section 2.1.1 Merkle Tree Hash (MTH) over a list of leaves, for any size.
 *
 * Stored trees are addressed by perfect subtrees: node (level L, index j) is the MTH of the 2^L
 * leaves [j * 2^L, (j + 1) * 2^L). A tree of any size n is the MTH over the perfect subtrees of
 * n's binary decomposition, so every root and proof needs only O(log n) stored nodes.
 *
 * Arithmetic avoids 32-bit bitwise operators so sizes up to 2^53 work.
 */
import { EMPTY_ROOT_HEX, emptyRoot, hashChildren, hashChildrenHex } from './hash.js';

/** Reads the hash of a perfect subtree that lies entirely inside the tree being read. */
export interface TreeReader {
  node(level: number, index: number): Uint8Array;
}

/** The largest power of two strictly smaller than n (n >= 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1 || !Number.isInteger(n)) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** Number of trailing zero bits of a positive integer. */
export function trailingZeros(n: number): number {
  let z = 0;
  while (n % 2 === 0) {
    n /= 2;
    z++;
  }
  return z;
}

/** MTH of leaf hashes held in memory (RFC 9162 definition, recursive). */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return emptyRoot();
  return rangeRoot(leaves, 0, leaves.length);
}

function rangeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leaves[lo]!;
  const k = splitPoint(hi - lo);
  return hashChildren(rangeRoot(leaves, lo, lo + k), rangeRoot(leaves, lo + k, hi));
}

/**
 * MTH(D[lo:hi]) from stored perfect subtrees. Aligned power-of-two ranges are one read; other
 * ranges split as RFC 9162 does. `memo` lets one proof computation reuse right-edge ranges, so a
 * proof costs O(log n) reads, not O(log^2 n).
 */
export function subtreeHash(
  reader: TreeReader,
  lo: number,
  hi: number,
  memo?: Map<string, Uint8Array>,
): Uint8Array {
  const width = hi - lo;
  if (width <= 0) throw new RangeError(`empty subtree [${lo}, ${hi})`);
  if (isPowerOfTwo(width) && lo % width === 0) return reader.node(trailingZeros(width), lo / width);
  const key = `${lo}:${hi}`;
  const cached = memo?.get(key);
  if (cached) return cached;
  const k = splitPoint(width);
  const h = hashChildren(subtreeHash(reader, lo, lo + k, memo), subtreeHash(reader, lo + k, hi, memo));
  memo?.set(key, h);
  return h;
}

/** Root of the first `size` leaves of a stored tree. */
export function rootAt(reader: TreeReader, size: number): Uint8Array {
  if (size === 0) return emptyRoot();
  return subtreeHash(reader, 0, size, new Map());
}

/**
 * Streaming MTH ("compact range"): push leaf hashes in order and read the root of the prefix at
 * any point. Holds one hash per set bit of the size. Works on hex strings because that is the
 * verifier's fast path. `push` returns the hashes completed by this leaf, level 0 (the leaf)
 * first: exactly what the store keeps for tree size `size` after the push.
 */
export class StreamingTree {
  private readonly stack: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(leafHex: string): string {
    let h = leafHex;
    let completed = leafHex;
    let s = ++this.count;
    while (s % 2 === 0) {
      h = hashChildrenHex(this.stack.pop()!, h);
      completed += h;
      s /= 2;
    }
    this.stack.push(h);
    return completed;
  }

  rootHex(): string {
    const st = this.stack;
    if (st.length === 0) return EMPTY_ROOT_HEX;
    let r = st[st.length - 1]!;
    for (let i = st.length - 2; i >= 0; i--) r = hashChildrenHex(st[i]!, r);
    return r;
  }

  /** The perfect subtrees of the current size, largest (leftmost) first. */
  frontier(): readonly string[] {
    return this.stack;
  }
}

/**
 * Positions of the perfect subtrees of a tree of `size` leaves, leftmost (largest) first: the
 * frontier a writer keeps to extend the tree and to compute its root.
 */
export function frontierNodes(size: number): Array<{ level: number; index: number }> {
  const out: Array<{ level: number; index: number }> = [];
  let start = 0;
  let width = 1;
  while (width * 2 <= size) width *= 2;
  for (; width >= 1; width /= 2) {
    if (start + width <= size) {
      out.push({ level: trailingZeros(width), index: start / width });
      start += width;
    }
  }
  return out;
}
