/**
 * Checks a ledger against checkpoints held by a witness, without reading every event: for each
 * witnessed checkpoint (size s, root r) the ledger must have at least s events, its root at size s
 * must be r, and an RFC 9162 consistency proof from s to the current size must verify against r
 * and the current root. An administrator who rewrites history and re-signs with the ledger key is
 * caught by any checkpoint the witness kept from before. For a check that also recomputes every
 * leaf, pass the notes to verifyLedger as `witnessed`.
 */
import type { AuditStore } from '../../ports/audit-store.js';
import { openCheckpoint } from './checkpoint.js';
import { fromBase64Strict, toBase64 } from './hash.js';
import { verifyConsistency } from './proof.js';
import type { LedgerProblem } from './verify-classify.js';
import { trustedVerifiers } from './verify-ledger.js';

export interface WitnessVerification {
  ok: boolean;
  /** Witnessed checkpoints that verified and are consistent with the ledger. */
  consistent: number;
  total: number;
  size: number;
  problems: LedgerProblem[];
}

export type WitnessCheckSource = Pick<AuditStore, 'size' | 'rootAt' | 'consistencyProof' | 'listCheckpoints'>;

export async function verifyAgainstWitness(
  store: WitnessCheckSource,
  notes: readonly string[],
  options: { keys: readonly string[]; origin?: string },
): Promise<WitnessVerification> {
  const trusted = trustedVerifiers(options.keys);
  const size = await store.size();
  const current = fromBase64Strict(await store.rootAt(size))!;
  const stored = await store.listCheckpoints();
  const problems: LedgerProblem[] = [];
  let consistent = 0;
  for (const note of notes) {
    const opened = openCheckpoint(note, trusted, options.origin);
    if (!opened.ok) {
      problems.push({
        kind: 'invalid',
        subject: 'checkpoint',
        index: 0,
        message: `a witnessed checkpoint does not verify: ${opened.error}`,
      });
      continue;
    }
    const cp = opened.value;
    const what = `the witnessed checkpoint for size ${cp.size}`;
    if (cp.size > size) {
      problems.push({
        kind: 'truncated',
        subject: 'event',
        index: size,
        end: cp.size,
        message: `${what} is beyond the ledger's ${size} events: the ledger was truncated`,
      });
      continue;
    }
    if (cp.size > 0) {
      const root = await store.rootAt(cp.size);
      const proof = await store.consistencyProof(cp.size, size);
      const proven = verifyConsistency(
        cp.size,
        size,
        proof.hashes.map((h) => fromBase64Strict(h)!),
        cp.root,
        current,
      );
      if (root !== toBase64(cp.root) || !proven.ok) {
        const why =
          root !== toBase64(cp.root)
            ? 'the ledger root at that size differs'
            : `no consistency with the current tree (${proven.ok ? '' : proven.error})`;
        problems.push({
          kind: 'modified',
          subject: 'event',
          index: 0,
          end: cp.size,
          message: `${what}: ${why}: history was rewritten`,
        });
        continue;
      }
    }
    consistent++;
    if (!stored.some((s) => s.size === cp.size && s.root === toBase64(cp.root))) {
      problems.push({
        kind: 'missing',
        subject: 'checkpoint',
        index: cp.size,
        message: `${what} is missing from the ledger's checkpoint table`,
      });
    }
  }
  problems.sort((a, b) => a.index - b.index);
  return { ok: problems.length === 0, consistent, total: notes.length, size, problems };
}
