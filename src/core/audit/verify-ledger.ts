/**
 * Full verification of a stored ledger, streaming: every leaf is recomputed from the stored
 * canonical text, the tree is rebuilt with a streaming MTH, every stored Merkle hash is compared,
 * and every checkpoint (stored or witnessed) is checked for its signature and against the root
 * recomputed at its size. Memory stays O(log n + checkpoints); rows are read in chunks.
 *
 * `content: true` adds per-event conformance: the text parses as an AuditEventV1, is exactly its
 * own RFC 8785 canonical form (catching non-canonical rewrites), carries the id its content
 * implies, and the store's index columns agree with it. That costs a JSON parse and a
 * canonicalisation per event, so it is several times slower than the cryptographic checks.
 */
import { GatewayError } from '../errors.js';
import { peekCheckpoint } from './checkpoint.js';
import { checkEventText, eventColumns } from './event-encode.js';
import { binToHex, hashLeafTextHex } from './hash.js';
import { StreamingTree } from './merkle.js';
import { parseVerifierKey, type NoteVerifier } from './note.js';
import { classifyDivergence, type LedgerProblem } from './verify-classify.js';
import { judgeCheckpoints } from './verify-checkpoints.js';
import type {
  AuditLedgerReader,
  LeafHashOffload,
  LeafHashTicket,
  LedgerEventRowWithColumns,
} from '../../ports/audit-store.js';

export type { LedgerProblem, ProblemKind, ProblemSubject } from './verify-classify.js';

export interface VerifyLedgerOptions {
  /** Verifier keys (`<name>+<hex id>+<base64 key>`) the auditor trusts for checkpoints. */
  keys: readonly string[];
  /** Expected checkpoint origin (default: the first checkpoint's). */
  origin?: string;
  /** Signed checkpoint notes held by a witness: checked like stored ones. */
  witnessed?: readonly string[];
  /** Also check each event's canonical form, id and index columns (slower). */
  content?: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * Hashes a share of the leaves on another thread (LeafHasher); without one every leaf is hashed
   * on this thread. The caller owns it (and closes it).
   */
  leafHasher?: LeafHashOffload;
  /** Rows per read (default 512). */
  chunkSize?: number;
  /** How far the classifier looks for moved events (default 4096). */
  searchWindow?: number;
  /** Most problems reported (default 100); the first is always the lowest index. */
  maxProblems?: number;
}

export interface LedgerVerification {
  ok: boolean;
  /** Event rows read, i.e. the size of the recomputed tree. */
  size: number;
  /** Root recomputed from the events, hex. */
  root: string;
  checkpoints: { total: number; verified: number; latestVerifiedSize: number };
  witnessed: { total: number; verified: number };
  /** Events after the newest verified checkpoint: intact so far, but not yet signed. */
  unsignedTail: number;
  content: boolean;
  firstProblem: LedgerProblem | null;
  problems: LedgerProblem[];
}

const ROTATION_SUFFIX = '"type":"key_rotation","v":1}';
const SUBJECT_RANK = { event: 0, merkle_node: 1, checkpoint: 2 } as const;

export function trustedVerifiers(keys: readonly string[]): NoteVerifier[] {
  if (keys.length === 0)
    throw new GatewayError('audit_key_invalid', 'verification needs at least one trusted verifier key');
  return keys.map((k) => {
    const v = parseVerifierKey(k.trim());
    if (!v.ok) throw new GatewayError('audit_key_invalid', `verifier key ${JSON.stringify(k)}: ${v.error}`);
    return v.value;
  });
}

export async function verifyLedger(
  reader: AuditLedgerReader,
  options: VerifyLedgerOptions,
): Promise<LedgerVerification> {
  const trusted = trustedVerifiers(options.keys);
  const content = options.content ?? false;
  // 512 events (about 650 KB of text) per read: measured a little faster than 1024 and much
  // faster than 4096, whose texts no longer stay in the processor's caches.
  const chunk = options.chunkSize ?? 512;
  const witnessed = options.witnessed ?? [];
  const extent = await reader.extent();
  const total = Math.max(extent.events, extent.nodes);
  const checkpoints = await reader.listCheckpoints();
  const needed = new Set<number>();
  for (const cp of checkpoints) needed.add(cp.size);
  for (const note of [...checkpoints.map((c) => c.note), ...witnessed]) {
    const peek = peekCheckpoint(note);
    if (peek.ok) needed.add(peek.value.size);
  }

  const tree = new StreamingTree();
  const rootsAt = new Map<number, string>();
  const rotations: Array<{ index: number; newKey: string }> = [];
  const problems: LedgerProblem[] = [];
  let divergence: number | null = null;
  let nodeMismatch: { index: number; end: number } | null = null;

  // With a leaf hasher, chunk k + 1 is read and its share handed over before chunk k's tree is
  // built, so the other thread hashes while this one works. Its share adapts so that neither
  // thread waits long for the other.
  const offload = options.leafHasher;
  const share = { worker: 0.6 };
  let next = total > 0 ? await loadChunk(reader, 0, Math.min(total, chunk), content) : null;
  let handed = offload && next ? handOver(next.texts, share.worker, offload) : NOTHING_HANDED;
  for (let from = 0; from < total; from += chunk) {
    const to = Math.min(total, from + chunk);
    const { texts, hashes, rows } = next!;
    const leaves = leafHashes(texts, handed, offload, share);
    if (to < total) {
      next = await loadChunk(reader, to, Math.min(total, to + chunk), content);
      handed = offload ? handOver(next.texts, share.worker, offload) : NOTHING_HANDED;
    }
    for (let p = 0; p < to - from; p++) {
      const i = from + p;
      const text = texts[p];
      const leaf = leaves[p];
      if (text === undefined || leaf === undefined) {
        divergence ??= i;
        continue;
      }
      const completed = tree.push(leaf);
      if (needed.has(tree.size)) rootsAt.set(tree.size, tree.rootHex());
      if (text.endsWith(ROTATION_SUFFIX)) noteRotation(i, text, rotations);
      if (rows) checkContent(rows[p]!, problems);
      if (divergence !== null) continue;
      const stored = hashes[p];
      if (stored === undefined) divergence = i;
      else if (stored !== completed) {
        if (!stored.startsWith(leaf)) divergence = i;
        else nodeMismatch ??= firstBadNode(i, stored, completed);
      }
    }
    options.onProgress?.(to, total);
  }

  if (divergence !== null)
    problems.push(await classifyDivergence(reader, divergence, extent, options.searchWindow ?? 4096));
  if (nodeMismatch) {
    problems.push({
      kind: 'modified',
      subject: 'event',
      index: nodeMismatch.index,
      end: nodeMismatch.end,
      message: `events in [${nodeMismatch.index}, ${nodeMismatch.end}) and their leaf hashes were altered: a stored Merkle node over them no longer matches`,
    });
  }
  const judged = judgeCheckpoints({
    checkpoints,
    witnessed,
    trusted,
    origin: options.origin,
    rows: tree.size,
    rootsAt,
    rotations,
  });
  blameCommitments(problems, judged.goodSizes);
  // A precise finding at index i explains every signed root past i that no longer matches.
  const precise = problems
    .filter((p) => p.subject === 'event')
    .reduce((m, p) => Math.min(m, p.index), Infinity);
  problems.push(
    ...judged.problems.filter((p) => !(p.subject === 'event' && p.end !== undefined && p.end > precise)),
  );

  problems.sort((a, b) => a.index - b.index || SUBJECT_RANK[a.subject] - SUBJECT_RANK[b.subject]);
  const kept = problems.slice(0, options.maxProblems ?? 100);
  return {
    ok: problems.length === 0,
    size: tree.size,
    root: tree.rootHex(),
    checkpoints: {
      total: checkpoints.length,
      verified: judged.verified,
      latestVerifiedSize: judged.latestVerifiedSize,
    },
    witnessed: { total: witnessed.length, verified: judged.witnessVerified },
    unsignedTail: Math.max(0, tree.size - judged.latestVerifiedSize),
    content,
    firstProblem: kept[0] ?? null,
    problems: kept,
  };
}

/**
 * Events that still hash to a root signed past index i are authentic up to there: a divergence
 * between them and the stored Merkle hashes then lies in the hashes, not the events.
 */
function blameCommitments(problems: LedgerProblem[], goodSizes: readonly number[]): void {
  for (const p of problems) {
    if (p.subject !== 'event' || p.kind === 'invalid' || p.checkpoint !== undefined) continue;
    const covering = goodSizes.find((s) => s > p.index);
    if (covering === undefined) continue;
    p.subject = 'merkle_node';
    p.kind = p.kind === 'missing' ? 'missing' : 'modified';
    delete p.end;
    p.message = `the stored Merkle hashes at index ${p.index} were altered; the events still hash to the root signed at size ${covering}`;
  }
}

/** The lowest level whose stored hash differs: the damage lies under that node. */
function firstBadNode(i: number, stored: string, computed: string): { index: number; end: number } {
  let level = 0;
  while (stored.slice(level * 64, level * 64 + 64) === computed.slice(level * 64, level * 64 + 64)) level++;
  const end = i + 1;
  return { index: end - 2 ** level, end };
}

interface Handed {
  /** Chunk positions handed over, in order, and the submissions that carry them. */
  positions: number[];
  tickets: LeafHashTicket[];
}

const NOTHING_HANDED: Handed = { positions: [], tickets: [] };
const SHARE_STEP = 0.03;

/** Hands the leading `share` of a chunk's present texts to the leaf hasher, as far as it takes them. */
function handOver(texts: ReadonlyArray<string | undefined>, share: number, offload: LeafHashOffload): Handed {
  const present: number[] = [];
  for (let p = 0; p < texts.length; p++) if (texts[p] !== undefined) present.push(p);
  const want = present.slice(0, Math.ceil(present.length * share));
  const tickets: LeafHashTicket[] = [];
  let done = 0;
  while (done < want.length) {
    const t = offload.submit(want.slice(done).map((p) => texts[p]!));
    if (t === null) break;
    tickets.push(t);
    done += t.count;
  }
  return { positions: want.slice(0, done), tickets };
}

/**
 * Hex leaf hashes of a chunk by position (undefined where the row is missing): the texts not
 * handed over are hashed here first, then the handed ones are collected (or, if the helper
 * failed, hashed here too). Moves the helper's share towards balance.
 */
function leafHashes(
  texts: ReadonlyArray<string | undefined>,
  handed: Handed,
  offload: LeafHashOffload | undefined,
  share: { worker: number },
): Array<string | undefined> {
  const out = new Array<string | undefined>(texts.length);
  let h = 0;
  for (let p = 0; p < texts.length; p++) {
    const t = texts[p];
    if (t === undefined) continue;
    if (handed.positions[h] === p) h++;
    else out[p] = hashLeafTextHex(t);
  }
  if (!offload || handed.tickets.length === 0) return out;
  let at = 0;
  let waited = false;
  for (const t of handed.tickets) {
    const bins = offload.collect(t.ticket);
    waited ||= offload.waited;
    for (let k = 0; k < t.count; k++, at++) {
      const p = handed.positions[at]!;
      const bin = bins?.[k];
      out[p] = bin === undefined ? hashLeafTextHex(texts[p]!) : binToHex(bin);
    }
  }
  share.worker = waited ? Math.max(0.2, share.worker - SHARE_STEP) : Math.min(1, share.worker + SHARE_STEP);
  return out;
}

interface Chunk {
  /** By position in the chunk; undefined where a row is missing. */
  texts: Array<string | undefined>;
  hashes: Array<string | undefined>;
  rows: Array<LedgerEventRowWithColumns | undefined> | null;
}

/** One chunk of events and stored hashes, by position; the fast path when nothing is missing. */
async function loadChunk(
  reader: AuditLedgerReader,
  from: number,
  to: number,
  content: boolean,
): Promise<Chunk> {
  const [fastTexts, fastHashes] = await Promise.all([
    content ? null : reader.eventTexts(from, to),
    reader.nodeHashes(from, to),
  ]);
  const byPosition = <R, T>(
    items: R[],
    position: (r: R) => number,
    value: (r: R) => T,
  ): Array<T | undefined> => {
    const out = new Array<T | undefined>(to - from);
    for (const r of items) out[position(r) - from] = value(r);
    return out;
  };
  const hashes =
    fastHashes ??
    byPosition(
      await reader.nodeRows(from, to),
      (r) => r.size - 1,
      (r) => r.hashes,
    );
  if (fastTexts) return { texts: fastTexts, hashes, rows: null };
  if (!content)
    return {
      texts: byPosition(
        await reader.eventRows(from, to),
        (r) => r.index,
        (r) => r.text,
      ),
      hashes,
      rows: null,
    };
  const full = await reader.eventRowsWithColumns(from, to);
  return {
    texts: byPosition(
      full,
      (r) => r.index,
      (r) => r.text,
    ),
    hashes,
    rows: byPosition(
      full,
      (r) => r.index,
      (r) => r,
    ),
  };
}

function noteRotation(index: number, text: string, out: Array<{ index: number; newKey: string }>): void {
  try {
    const e = JSON.parse(text) as { type?: unknown; inputs?: { details?: { new_key?: unknown } } };
    const key = e.inputs?.details?.new_key;
    if (e.type === 'key_rotation' && typeof key === 'string') out.push({ index, newKey: key });
  } catch {
    // Not JSON: reported by the content check or as a hash mismatch.
  }
}

function checkContent(row: LedgerEventRowWithColumns, problems: LedgerProblem[]): void {
  const checked = checkEventText(row.text);
  if (!checked.ok) {
    problems.push({
      kind: 'invalid',
      subject: 'event',
      index: row.index,
      message: `the event at index ${row.index} ${checked.error}`,
    });
    return;
  }
  const c = eventColumns(checked.value);
  const stored = {
    id: row.id,
    type: row.type,
    timeMs: row.timeMs,
    agent: row.agent,
    outcome: row.outcome,
    decisionId: row.decisionId,
  };
  const wrong = (Object.keys(stored) as Array<keyof typeof stored>).filter((k) => stored[k] !== c[k]);
  if (wrong.length > 0) {
    problems.push({
      kind: 'invalid',
      subject: 'event',
      index: row.index,
      message: `the index columns of event ${row.index} disagree with it: ${wrong.join(', ')}`,
    });
  }
}
