/**
 * docs/audit.md's worked example must be what the code computes: every value on that page is
 * recomputed here and looked up in the page text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from '../src/core/audit/checkpoint.js';
import { canonicalEventText } from '../src/core/audit/event-encode.js';
import { EMPTY_ROOT_HEX, hashChildren, hashLeafText, toHex } from '../src/core/audit/hash.js';
import { merkleRoot, type TreeReader } from '../src/core/audit/merkle.js';
import { consistencyProof, inclusionProof } from '../src/core/audit/proof.js';
import { canonicalJson } from '../src/core/canonical-json.js';
import { exampleEvents, testSigner } from './audit-fixtures.js';

const doc = readFileSync('docs/audit.md', 'utf8');
/** Table rows with the padding a formatter adds collapsed to single spaces. */
const rows = doc
  .split('\n')
  .filter((l) => l.startsWith('|'))
  .map((l) => l.replace(/ +/g, ' '));
const events = exampleEvents();
const texts = events.map(canonicalEventText);
const leaves = texts.map(hashLeafText);
const reader: TreeReader = {
  node: (level, index) => merkleRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level)),
};

describe('docs/audit.md worked example', () => {
  it('shows the canonical form, id, size and leaf hash of each event', () => {
    events.forEach((e, i) => {
      expect(doc).toContain(`\n${texts[i]}\n`);
      expect(rows).toContain(
        `| ${i} | \`${e.id}\` | ${Buffer.byteLength(texts[i]!)} | \`${toHex(leaves[i]!)}\` |`,
      );
    });
    const { id: _id, ...withoutId } = events[0]!;
    expect(doc).toContain(`\n${canonicalJson(withoutId)}\n`);
  });

  it('shows the interior node, the root and the proofs', () => {
    const n01 = hashChildren(leaves[0]!, leaves[1]!);
    const root = merkleRoot(leaves);
    expect(toHex(hashChildren(n01, leaves[2]!))).toBe(toHex(root));
    expect(doc).toContain(`node(0,1) = SHA-256(0x01 ‖ leaf0 ‖ leaf1) = ${toHex(n01)}`);
    expect(doc).toContain(`root      = SHA-256(0x01 ‖ node(0,1) ‖ leaf2) = ${toHex(root)}`);
    expect(inclusionProof(reader, 1, 3).map(toHex)).toEqual([toHex(leaves[0]!), toHex(leaves[2]!)]);
    expect(doc).toContain('The inclusion proof of leaf 1 in the tree of size 3 is `[leaf0, leaf2]`');
    expect(consistencyProof(reader, 2, 3).map(toHex)).toEqual([toHex(leaves[2]!)]);
    expect(doc).toContain('from size 2 to size 3 is `[leaf2]`');
    expect(doc).toContain(`MTH({})     = SHA-256("")   = ${EMPTY_ROOT_HEX}`);
  });

  it('shows the test key and the exact signed checkpoint', () => {
    const signer = testSigner();
    expect(doc).toContain('32-byte seed is 32 bytes of `0x01`');
    expect(doc).toContain(`\`${toHex(signer.publicKey)}\`, its key id \`${toHex(signer.keyId)}\``);
    expect(doc).toContain(`\n${signer.verifierKey}\n`);
    const note = signCheckpoint({ origin: 'ledger.example/test', size: 3, root: merkleRoot(leaves) }, signer);
    expect(doc).toContain(`\`\`\`text\n${note}\`\`\``);
  });
});
