/**
 * RFC 9162 Merkle tree, proofs and range proofs against the transparency-dev vectors in
 * ../shared/corpora/merkle-rfc6962, plus generate-then-verify properties.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyRoot, hashChildren, hashLeaf, toHex } from '../src/core/audit/hash.js';
import {
  StreamingTree,
  frontierNodes,
  merkleRoot,
  rootAt,
  type TreeReader,
} from '../src/core/audit/merkle.js';
import {
  consistencyProof,
  inclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../src/core/audit/proof.js';
import { rangeProof, rootFromRange } from '../src/core/audit/range-proof.js';

const CORPUS = join(process.cwd(), '..', 'shared', 'corpora', 'merkle-rfc6962');
const ref = JSON.parse(readFileSync(join(CORPUS, 'reference_vectors.json'), 'utf8')) as {
  leaf_inputs_hex: string[];
  node_hashes_by_level_hex: string[][];
  root_hashes_by_tree_size_hex: string[];
  hasher_vectors: Array<{
    op: string;
    input_hex?: string;
    input_ascii?: string;
    left_ascii?: string;
    right_ascii?: string;
    want: string;
  }>;
};
const hex = (b: Uint8Array): string => toHex(b);
const b64 = (s: string | null | undefined): Uint8Array => Buffer.from(s ?? '', 'base64');

function probes(kind: string): Array<{ file: string; v: Record<string, unknown> }> {
  const out: Array<{ file: string; v: Record<string, unknown> }> = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json'))
        out.push({
          file: relative(CORPUS, p),
          v: JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>,
        });
    }
  };
  walk(join(CORPUS, 'testdata', kind));
  return out;
}

/** A TreeReader over leaves in memory, computing perfect subtrees on demand. */
function memoryTree(leaves: Uint8Array[]): TreeReader {
  return { node: (level, index) => merkleRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level)) };
}

const leaves = ref.leaf_inputs_hex.map((h) => hashLeaf(Buffer.from(h, 'hex')));

describe('reference vectors', () => {
  it('hasher: empty root, empty leaf, leaf and node', () => {
    for (const v of ref.hasher_vectors) {
      const got =
        v.op === 'empty_root'
          ? emptyRoot()
          : v.op === 'hash_leaf'
            ? hashLeaf(
                v.input_hex !== undefined
                  ? Buffer.from(v.input_hex, 'hex')
                  : Buffer.from(v.input_ascii!, 'ascii'),
              )
            : hashChildren(Buffer.from(v.left_ascii!, 'ascii'), Buffer.from(v.right_ascii!, 'ascii'));
      expect(hex(got)).toBe(v.want);
    }
  });

  it('roots for tree sizes 0..8, by recursion, streaming and from stored subtrees', () => {
    const tree = new StreamingTree();
    expect(tree.rootHex()).toBe(ref.root_hashes_by_tree_size_hex[0]);
    for (let n = 0; n <= 8; n++) {
      const want = ref.root_hashes_by_tree_size_hex[n];
      expect(hex(merkleRoot(leaves.slice(0, n)))).toBe(want);
      expect(hex(rootAt(memoryTree(leaves), n))).toBe(want);
      if (n > 0) {
        tree.push(hex(leaves[n - 1]!));
        expect(tree.rootHex()).toBe(want);
      }
    }
  });

  it('node hashes per level match, and the streaming tree emits exactly them', () => {
    const reader = memoryTree(leaves);
    ref.node_hashes_by_level_hex.forEach((level, l) =>
      level.forEach((h, i) => expect(hex(reader.node(l, i))).toBe(h)),
    );
    const tree = new StreamingTree();
    const completed = leaves.map((leaf) => tree.push(hex(leaf)));
    // Size 8 completes the leaf 7 and the level 1, 2 and 3 nodes ending there.
    expect(completed[7]).toBe(ref.node_hashes_by_level_hex.map((level) => level[level.length - 1]).join(''));
    expect(frontierNodes(7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });
});

describe('transparency-dev inclusion probes', () => {
  const all = probes('inclusion');
  it('covers all 98 probes (6 valid)', () => {
    expect(all.length).toBe(98);
    expect(all.filter((p) => p.v.wantErr === false).length).toBe(6);
  });
  for (const { file, v } of all) {
    it(`${file}: ${String(v.desc)} ${v.wantErr ? 'fails' : 'verifies'}`, () => {
      const proof = ((v.proof as string[] | null) ?? []).map(b64);
      const r = verifyInclusion(
        v.leafIdx as number,
        v.treeSize as number,
        b64(v.leafHash as string),
        proof,
        b64(v.root as string),
      );
      expect(r.ok).toBe(!v.wantErr);
    });
  }
});

describe('transparency-dev consistency probes', () => {
  const all = probes('consistency');
  it('covers all 98 probes (6 valid)', () => {
    expect(all.length).toBe(98);
    expect(all.filter((p) => p.v.wantErr === false).length).toBe(6);
  });
  for (const { file, v } of all) {
    it(`${file}: ${String(v.desc)} ${v.wantErr ? 'fails' : 'verifies'}`, () => {
      const proof = ((v.proof as string[] | null) ?? []).map(b64);
      const r = verifyConsistency(
        v.size1 as number,
        v.size2 as number,
        proof,
        b64(v.root1 as string),
        b64(v.root2 as string),
      );
      expect(r.ok).toBe(!v.wantErr);
    });
  }
  it('our generated proofs equal the valid probes', () => {
    const reader = memoryTree(leaves);
    for (const { v } of all.filter(
      (p) => p.v.wantErr === false && (p.v.size1 as number) < (p.v.size2 as number),
    )) {
      expect(
        consistencyProof(reader, v.size1 as number, v.size2 as number).map((p) =>
          Buffer.from(p).toString('base64'),
        ),
      ).toEqual(v.proof);
    }
    for (const { v } of probes('inclusion').filter(
      (p) => p.v.wantErr === false && (p.v.treeSize as number) <= 8 && p.v.proof,
    )) {
      expect(
        inclusionProof(reader, v.leafIdx as number, v.treeSize as number).map((p) =>
          Buffer.from(p).toString('base64'),
        ),
      ).toEqual(v.proof);
    }
  });
});

describe('generated proofs (properties)', () => {
  const leafSet = (n: number): Uint8Array[] =>
    Array.from({ length: n }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
  const flip = (proof: Uint8Array[], at: number, bit: number): Uint8Array[] =>
    proof.map((p, i) =>
      i === at % proof.length ? Uint8Array.from(p, (x, j) => (j === bit % 32 ? x ^ 1 : x)) : p,
    );

  it('every inclusion proof verifies; a flipped bit, a wrong index or an impossible size does not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), fc.nat(), (n, i0, at, bit) => {
        const ls = leafSet(n);
        const i = i0 % n;
        const root = merkleRoot(ls);
        const proof = inclusionProof(memoryTree(ls), i, n);
        expect(verifyInclusion(i, n, ls[i]!, proof, root).ok).toBe(true);
        if (proof.length > 0)
          expect(verifyInclusion(i, n, ls[i]!, flip(proof, at, bit), root).ok).toBe(false);
        if (n > 1) expect(verifyInclusion((i + 1) % n, n, ls[i]!, proof, root).ok).toBe(false);
        expect(verifyInclusion(i, i, ls[i]!, proof, root).ok).toBe(false);
        expect(verifyInclusion(i, n, ls[i]!, [...proof, ls[0]!], root).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('every consistency proof verifies; a flipped bit or swapped roots do not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 70 }), fc.nat(), fc.nat(), fc.nat(), (n, m0, at, bit) => {
        const ls = leafSet(n);
        const m = 1 + (m0 % (n - 1));
        const r1 = merkleRoot(ls.slice(0, m));
        const r2 = merkleRoot(ls);
        const proof = consistencyProof(memoryTree(ls), m, n);
        expect(verifyConsistency(m, n, proof, r1, r2).ok).toBe(true);
        expect(verifyConsistency(m, n, flip(proof, at, bit), r1, r2).ok).toBe(false);
        expect(verifyConsistency(m, n, proof, r2, r1).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('range proofs rebuild the root from exactly the leaves of the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), fc.nat(), (n, a, b, at) => {
        const ls = leafSet(n);
        const from = a % n;
        const to = from + 1 + (b % (n - from));
        const proof = rangeProof(memoryTree(ls), from, to, n);
        expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 1)));
        const r = rootFromRange(from, to, n, ls.slice(from, to), proof);
        expect(r.ok && hex(r.value)).toBe(hex(merkleRoot(ls)));
        const tampered = ls.slice(from, to);
        tampered[at % tampered.length] = hashLeaf(Buffer.from('forged'));
        const bad = rootFromRange(from, to, n, tampered, proof);
        expect(bad.ok && hex(bad.value)).not.toBe(hex(merkleRoot(ls)));
        if (proof.length > 0)
          expect(rootFromRange(from, to, n, ls.slice(from, to), proof.slice(1)).ok).toBe(false);
        expect(rootFromRange(from, to, n, ls.slice(from, to), [...proof, proof[0] ?? ls[0]!]).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
