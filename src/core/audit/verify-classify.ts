/**
 * What went wrong at the first index where the stored events stop matching the stored leaf
 * commitments (level 0 of merkle_nodes, kept apart from the events for exactly this purpose).
 *
 * With E = leaf hashes recomputed from the event rows and C = the committed leaf hashes, and i the
 * first index where they differ, the classification looks ahead (and back) a bounded window:
 *
 *   no event row at i, later rows exist         -> missing    (rows deleted, the rest kept)
 *   no event row at i or after, C continues      -> truncated  (the tail was cut off)
 *   event rows beyond the last commitment        -> inserted   (rows added outside the ledger)
 *   E[i] = C[j] and E[j] = C[i]                  -> reordered  (two events swapped)
 *   E[i] = C[j], j > i, and E[i+1] = C[j+1]      -> missing    (j - i events deleted, rest moved up)
 *   E[k] = C[i], k > i, and E[k+1] = C[i+1]      -> inserted   (k - i forged events, rest moved down)
 *   E[i+1] = C[i+1]                              -> modified   (only event i differs)
 *   otherwise                                    -> reordered if either hash appears nearby, else modified
 *
 * The caller then checks signed checkpoints: if the events up to a verified checkpoint past i
 * hash to its signed root, the events are authentic and it is the commitment that was altered.
 */
import type { AuditLedgerReader } from '../../ports/audit-store.js';
import { hashLeafTextHex } from './hash.js';

export type ProblemKind = 'modified' | 'missing' | 'inserted' | 'reordered' | 'truncated' | 'invalid';
export type ProblemSubject = 'event' | 'merkle_node' | 'checkpoint';

export interface LedgerProblem {
  kind: ProblemKind;
  subject: ProblemSubject;
  /** First ledger index affected (for a checkpoint: the first index it vouches for that fails). */
  index: number;
  /** When the evidence only bounds the damage: it lies in [index, end). */
  end?: number;
  /** The checkpoint concerned, by its sequence number. */
  checkpoint?: number;
  message: string;
}

interface Window {
  events: Map<number, string>;
  commits: Map<number, string>;
}

async function loadWindow(reader: AuditLedgerReader, lo: number, hi: number): Promise<Window> {
  const events = new Map<number, string>();
  const commits = new Map<number, string>();
  for (const row of await reader.eventRows(lo, hi)) events.set(row.index, hashLeafTextHex(row.text));
  for (const row of await reader.nodeRows(lo, hi)) commits.set(row.size - 1, row.hashes.slice(0, 64));
  return { events, commits };
}

export async function classifyDivergence(
  reader: AuditLedgerReader,
  i: number,
  extent: { events: number; nodes: number },
  window: number,
): Promise<LedgerProblem> {
  const nE = extent.events;
  const nC = extent.nodes;
  const { events: E, commits: C } = await loadWindow(
    reader,
    Math.max(0, i - window),
    Math.min(Math.max(nE, nC), i + window + 2),
  );
  const at = (k: number): string => `index ${k}`;

  if (!E.has(i) && C.has(i)) {
    let next = i + 1;
    while (next < nE && !E.has(next)) next++;
    if (next >= nE) {
      return {
        kind: 'truncated',
        subject: 'event',
        index: i,
        end: nC,
        message: `events from ${at(i)} on are gone, but the ledger committed to ${nC} events`,
      };
    }
    return {
      kind: 'missing',
      subject: 'event',
      index: i,
      end: next,
      message: `${next - i} event row(s) from ${at(i)} are missing`,
    };
  }
  if (E.has(i) && !C.has(i)) {
    if (i >= nC) {
      return {
        kind: 'inserted',
        subject: 'event',
        index: i,
        end: nE,
        message: `${nE - i} event row(s) from ${at(i)} have no Merkle commitment: added outside the ledger`,
      };
    }
    return {
      kind: 'missing',
      subject: 'merkle_node',
      index: i,
      message: `the stored leaf hash for ${at(i)} is missing`,
    };
  }

  const e = E.get(i)!;
  const c = C.get(i)!;
  const find = (m: Map<number, string>, h: string, from: number, to: number): number | undefined => {
    for (let k = from; k < to; k++) if (m.get(k) === h) return k;
    return undefined;
  };
  const aligned = (ei: number, ci: number): boolean =>
    (ei >= nE && ci >= nC) || (E.has(ei) && E.get(ei) === C.get(ci));
  const jC = find(C, e, i + 1, i + window + 1);
  const kE = find(E, c, i + 1, i + window + 1);

  if (jC !== undefined && kE === jC) {
    return {
      kind: 'reordered',
      subject: 'event',
      index: i,
      end: jC + 1,
      message: `events at ${at(i)} and ${at(jC)} were swapped`,
    };
  }
  if (jC !== undefined && aligned(i + 1, jC + 1)) {
    return {
      kind: 'missing',
      subject: 'event',
      index: i,
      end: jC,
      message: `${jC - i} event(s) from ${at(i)} were deleted and the later events moved up`,
    };
  }
  if (kE !== undefined && aligned(kE + 1, i + 1)) {
    return {
      kind: 'inserted',
      subject: 'event',
      index: i,
      end: kE,
      message: `${kE - i} event(s) were inserted at ${at(i)}, moving the later events down`,
    };
  }
  if (aligned(i + 1, i + 1)) {
    const copy = jC ?? find(C, e, Math.max(0, i - window), i);
    const what = copy === undefined ? '' : ` (it now repeats the event at ${at(copy)})`;
    return {
      kind: 'modified',
      subject: 'event',
      index: i,
      message: `the event at ${at(i)} was modified${what}`,
    };
  }
  if (jC !== undefined || kE !== undefined) {
    return {
      kind: 'reordered',
      subject: 'event',
      index: i,
      message: `events around ${at(i)} are out of order`,
    };
  }
  return { kind: 'modified', subject: 'event', index: i, message: `events from ${at(i)} were modified` };
}
