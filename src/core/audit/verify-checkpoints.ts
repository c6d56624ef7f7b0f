/**
 * Judges stored and witnessed checkpoints against the tree recomputed from the event rows.
 *
 * A stored checkpoint is good when: its sequence number follows the previous one, its note
 * verifies under a trusted key, its body matches the stored size/root columns, its origin is the
 * ledger's, its size is larger than the previous checkpoint's, and its root equals the root the
 * verifier recomputed from the events at that size. Equality with the recomputed root at every
 * checkpoint size implies every pair of checkpoints is consistent (RFC 9162 consistency holds by
 * construction), so no separate consistency proofs are needed here.
 *
 * Key rotation: keys named as `new_key` by key_rotation events become trusted once a checkpoint
 * signed by an already-trusted key covers that event.
 */
import { openCheckpoint, peekCheckpoint } from './checkpoint.js';
import { toBase64 } from './hash.js';
import { parseVerifierKey, type NoteVerifier } from './note.js';
import type { LedgerProblem } from './verify-classify.js';
import type { StoredCheckpoint } from '../../ports/audit-store.js';

export interface CheckpointEvidence {
  checkpoints: readonly StoredCheckpoint[];
  witnessed: readonly string[];
  trusted: readonly NoteVerifier[];
  origin: string | undefined;
  /** Number of event rows the recomputed tree holds. */
  rows: number;
  /** Recomputed root (hex) at each checkpoint size that rows reach. */
  rootsAt: ReadonlyMap<number, string>;
  rotations: ReadonlyArray<{ index: number; newKey: string }>;
}

export interface CheckpointJudgement {
  problems: LedgerProblem[];
  verified: number;
  latestVerifiedSize: number;
  witnessVerified: number;
  /** Sizes at which a trusted signature vouches for exactly the recomputed root, ascending. */
  goodSizes: number[];
}

export function judgeCheckpoints(ev: CheckpointEvidence): CheckpointJudgement {
  const trusted = [...ev.trusted];
  const problems: LedgerProblem[] = [];
  let origin = ev.origin;
  let verified = 0;
  let lastGood = 0;
  const good: number[] = [];
  let prevSeq = 0;
  let prevSize = -1;
  const seenNotes = new Set<string>();
  const trustRotations = (size: number): void => {
    for (const r of ev.rotations) {
      if (r.index >= size || trusted.some((t) => t.verifierKey === r.newKey)) continue;
      const v = parseVerifierKey(r.newKey);
      if (v.ok) trusted.push(v.value);
    }
  };
  const rootCheck = (
    size: number,
    root: Uint8Array,
    cp: number | undefined,
    what: string,
    goodBelow: number,
  ): boolean => {
    if (size > ev.rows) {
      problems.push({
        kind: 'truncated',
        subject: 'event',
        index: ev.rows,
        end: size,
        ...seqOf(cp),
        message: `${what} vouches for ${size} events but only ${ev.rows} remain`,
      });
      return false;
    }
    const expect = size === 0 ? undefined : ev.rootsAt.get(size);
    if (size > 0 && expect !== Buffer.from(root).toString('hex')) {
      const from = Math.min(goodBelow, size - 1);
      problems.push({
        kind: 'modified',
        subject: 'event',
        index: from,
        end: size,
        ...seqOf(cp),
        message: `the events in [${from}, ${size}) do not hash to the root ${what} signed`,
      });
      return false;
    }
    return true;
  };

  for (const cp of ev.checkpoints) {
    const label = `checkpoint ${cp.seq}`;
    const bad = (kind: LedgerProblem['kind'], message: string): void => {
      problems.push({
        kind,
        subject: 'checkpoint',
        index: cp.size,
        checkpoint: cp.seq,
        message: `${label}: ${message}`,
      });
    };
    if (cp.seq !== prevSeq + 1) {
      if (cp.seq > prevSeq + 1) bad('missing', `checkpoint(s) ${prevSeq + 1}..${cp.seq - 1} are missing`);
      else bad('inserted', `sequence number ${cp.seq} repeats or goes back`);
    }
    prevSeq = Math.max(prevSeq, cp.seq);
    if (seenNotes.has(cp.note)) {
      bad('inserted', 'is a copy of an earlier checkpoint');
      continue;
    }
    seenNotes.add(cp.note);
    const opened = openCheckpoint(cp.note, trusted);
    if (!opened.ok) {
      bad(opened.error.startsWith('no signature from a trusted key') ? 'invalid' : 'modified', opened.error);
      continue;
    }
    const c = opened.value;
    origin ??= c.origin;
    if (c.origin !== origin) {
      bad('invalid', `origin ${JSON.stringify(c.origin)} is not the ledger's ${JSON.stringify(origin)}`);
      continue;
    }
    if (c.size !== cp.size || toBase64(c.root) !== cp.root)
      bad('modified', 'stored size or root differs from the signed note');
    if (c.size <= prevSize)
      bad('reordered', `size ${c.size} does not grow past the previous checkpoint's ${prevSize}`);
    prevSize = Math.max(prevSize, c.size);
    if (!rootCheck(c.size, c.root, cp.seq, label, lastGood)) continue;
    verified++;
    good.push(c.size);
    lastGood = Math.max(lastGood, c.size);
    trustRotations(c.size);
  }

  let witnessVerified = 0;
  for (const note of ev.witnessed) {
    const peek = peekCheckpoint(note);
    const size = peek.ok ? peek.value.size : 0;
    const opened = openCheckpoint(note, trusted);
    if (!opened.ok) {
      problems.push({
        kind: 'invalid',
        subject: 'checkpoint',
        index: size,
        message: `witnessed checkpoint for size ${size}: ${opened.error}`,
      });
      continue;
    }
    const c = opened.value;
    if (origin !== undefined && c.origin !== origin) {
      problems.push({
        kind: 'invalid',
        subject: 'checkpoint',
        index: size,
        message: `witnessed checkpoint for size ${size} has origin ${JSON.stringify(c.origin)}`,
      });
      continue;
    }
    if (!rootCheck(c.size, c.root, undefined, `the witnessed checkpoint for size ${c.size}`, 0)) continue;
    witnessVerified++;
    good.push(c.size);
    if (!ev.checkpoints.some((s) => s.size === c.size && s.root === toBase64(c.root))) {
      problems.push({
        kind: 'missing',
        subject: 'checkpoint',
        index: c.size,
        message: `the witness holds a checkpoint for size ${c.size} that the ledger's checkpoint table lacks`,
      });
    }
  }
  return {
    problems,
    verified,
    latestVerifiedSize: lastGood,
    witnessVerified,
    goodSizes: good.sort((a, b) => a - b),
  };
}

function seqOf(cp: number | undefined): { checkpoint?: number } {
  return cp === undefined ? {} : { checkpoint: cp };
}
