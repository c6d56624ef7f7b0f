/**
 * An AuditStore over any synchronous LedgerBackend: group-commit appends, checkpoint signing,
 * queries, and RFC 9162 proofs computed from stored nodes in O(log n) reads.
 */
import type { AuditEventV1 } from '../../../core/audit/event.js';
import { parseEventText } from '../../../core/audit/event-encode.js';
import { toBase64 } from '../../../core/audit/hash.js';
import { rootAt } from '../../../core/audit/merkle.js';
import type { NoteSigner } from '../../../core/audit/note.js';
import { consistencyProof, inclusionProof } from '../../../core/audit/proof.js';
import { rangeProof } from '../../../core/audit/range-proof.js';
import { GatewayError } from '../../../core/errors.js';
import type { AuditAppendReceipt } from '../../../ports/audit-sink.js';
import type {
  AuditEventPage,
  AuditEventQuery,
  AuditStore,
  AuditStoreStatus,
  CheckpointWitness,
  LedgerEventRow,
  StoredAuditEvent,
  StoredCheckpoint,
} from '../../../ports/audit-store.js';
import type { BackendQuery, LedgerBackend } from './backend.js';
import { Checkpointer, type CheckpointPolicy } from './checkpointer.js';
import { GroupCommitWriter } from './group-commit.js';

export interface LedgerStoreOptions {
  /** Checkpoint origin (C2SP tlog-checkpoint first line) and signing key name. */
  origin?: string;
  /** Signs checkpoints; without one the store cannot sign (read-only use, tests). */
  signer?: NoteSigner;
  checkpoints?: CheckpointPolicy;
  witness?: CheckpointWitness;
  /** Most events per commit (default 4096). */
  maxBatch?: number;
  /** How long appends gather before a commit (default 0: the end of the turn; see GroupCommitWriter). */
  commitWindowMs?: number;
  /** Hash large batches' leaves on a worker thread while the rows are written (default true). */
  parallelHashing?: boolean;
  now?: () => number;
  /** Failures that are not returned to a caller (checkpoint signing, witness). */
  onError?: (error: unknown) => void;
}

const MAX_PAGE = 1000;

export function createLedgerStore(backend: LedgerBackend, options: LedgerStoreOptions = {}): AuditStore {
  const writer: GroupCommitWriter | null = backend.readonly
    ? null
    : new GroupCommitWriter(backend, {
        maxBatch: options.maxBatch ?? 4096,
        windowMs: options.commitWindowMs ?? 0,
        parallelHashing: options.parallelHashing ?? true,
        checkpointFor: (size, root) => checkpointer?.checkpointFor(size, root) ?? null,
        onCheckpoint: (cp) => checkpointer?.committed(cp),
        ...onError(options),
      });
  const checkpointer: Checkpointer | null =
    writer && options.signer
      ? new Checkpointer(backend, () => ({ size: writer.size, root: writer.root() }), {
          origin: options.origin ?? options.signer.name,
          signer: options.signer,
          ...(options.checkpoints ? { policy: options.checkpoints } : {}),
          ...(options.witness ? { witness: options.witness } : {}),
          ...(options.now ? { now: options.now } : {}),
          ...onError(options),
        })
      : null;
  let closed = false;

  const size = (): number => writer?.size ?? backend.size();
  const read = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      if (e instanceof GatewayError) return Promise.reject(e);
      return Promise.reject(
        new GatewayError('audit_store_unavailable', 'the audit ledger cannot be read', { cause: e }),
      );
    }
  };
  const toStored = (row: LedgerEventRow): StoredAuditEvent => ({
    index: row.index,
    event: parseEventText(row.text),
    canonical: row.text,
  });
  const needSize = (n: number, max: number, what: string): void => {
    if (!Number.isSafeInteger(n) || n < 0 || n > max)
      throw new GatewayError('invalid_request', `${what} must be an integer in 0..${max}`);
  };

  const store: AuditStore = {
    name: `${backend.name}-ledger`,
    append(event: AuditEventV1): Promise<AuditAppendReceipt> {
      if (!writer)
        return Promise.reject(
          new GatewayError('audit_store_unavailable', 'the audit ledger is open read-only'),
        );
      return writer.append(event);
    },
    ready: () => !closed && writer !== null && writer.ready,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (writer) await writer.close();
      if (checkpointer) {
        try {
          checkpointer.signNow();
        } catch (e) {
          options.onError?.(e);
        }
        await checkpointer.close();
      }
      backend.close();
    },
    flush: () => writer?.flush() ?? Promise.resolve(),
    size: () => read(size),
    extent: () => read(() => backend.extent()),
    eventRows: (from, to) => read(() => backend.eventRows(from, to)),
    eventRowsWithColumns: (from, to) => read(() => backend.eventRowsWithColumns(from, to)),
    nodeRows: (from, to) => read(() => backend.nodeRows(from, to)),
    eventTexts: (from, to) => read(() => backend.eventTexts(from, to)),
    nodeHashes: (from, to) => read(() => backend.nodeHashes(from, to)),
    listCheckpoints: () => read(() => backend.checkpoints()),
    latestCheckpoint: () => read(() => backend.latestCheckpoint()),
    listEvents: (query = {}) => read(() => listEvents(backend, query, toStored)),
    getEvent: (id) =>
      read(() => {
        const row = backend.eventById(id);
        return row ? toStored(row) : null;
      }),
    getEventAt: (index) =>
      read(() => {
        const row =
          Number.isSafeInteger(index) && index >= 0 ? backend.eventRows(index, index + 1)[0] : undefined;
        return row ? toStored(row) : null;
      }),
    getDecisionEvents: (decisionId) => read(() => backend.eventsByDecision(decisionId).map(toStored)),
    rootAt: (at) =>
      read(() => {
        const n = size();
        const s = at ?? n;
        needSize(s, n, 'size');
        return toBase64(s === n && writer ? writer.root() : rootAt(backend, s));
      }),
    inclusionProof: (index, at) =>
      read(() => {
        const n = size();
        const s = at ?? n;
        needSize(s, n, 'size');
        needSize(index, s - 1, 'index');
        return {
          leaf_index: index,
          tree_size: s,
          leaf_hash: toBase64(backend.node(0, index)),
          root_hash: toBase64(rootAt(backend, s)),
          hashes: inclusionProof(backend, index, s).map(toBase64),
        };
      }),
    consistencyProof: (from, to) =>
      read(() => {
        const n = size();
        const s2 = to ?? n;
        needSize(s2, n, 'to');
        needSize(from, s2, 'from');
        return {
          size1: from,
          size2: s2,
          root1: toBase64(rootAt(backend, from)),
          root2: toBase64(rootAt(backend, s2)),
          hashes: consistencyProof(backend, from, s2).map(toBase64),
        };
      }),
    rangeProof: (from, to, at) =>
      read(() => {
        needSize(at, size(), 'size');
        needSize(to, at, 'to');
        needSize(from, to - 1, 'from');
        return rangeProof(backend, from, to, at).map(toBase64);
      }),
    checkpointNow: async () => {
      await store.flush();
      return checkpointer ? read(() => checkpointer.signNow()) : null;
    },
    async rotateSigner(next: NoteSigner, rotationEvent: AuditEventV1): Promise<StoredCheckpoint> {
      if (!writer || !checkpointer)
        throw new GatewayError('audit_key_invalid', 'this ledger has no signing key to rotate');
      const details = rotationEvent.inputs.details as Record<string, unknown> | undefined;
      if (
        rotationEvent.type !== 'key_rotation' ||
        details?.previous_key !== checkpointer.verifierKey ||
        details?.new_key !== next.verifierKey
      ) {
        throw new GatewayError(
          'invalid_request',
          'the rotation event must be a key_rotation naming the current and the next verifier key',
        );
      }
      const receipt = await writer.append(rotationEvent);
      // A checkpoint may already have been signed (with the old key) by the commit itself.
      const cp = checkpointer.signNow() ?? backend.latestCheckpoint();
      if (!cp || cp.size <= receipt.index)
        throw new GatewayError('audit_store_unavailable', 'the rotation checkpoint could not be signed');
      checkpointer.setSigner(next);
      return cp;
    },
    verifierKey: () => checkpointer?.verifierKey ?? null,
    status(): AuditStoreStatus {
      const latest = backend.latestCheckpoint();
      return {
        ready: store.ready(),
        size: size(),
        pending: writer?.pending ?? 0,
        lastError: writer?.lastError ?? null,
        latestCheckpoint: latest ? { seq: latest.seq, size: latest.size } : null,
        batches: writer?.batches ?? 0,
        appended: writer?.appended ?? 0,
        witness:
          options.witness && checkpointer
            ? {
                name: options.witness.name,
                submitted: checkpointer.witnessSubmitted,
                pending: checkpointer.witnessPending,
                lastError: checkpointer.witnessError,
              }
            : null,
      };
    },
  };
  return store;
}

function onError(options: LedgerStoreOptions): { onError?: (e: unknown) => void } {
  return options.onError ? { onError: options.onError } : {};
}

function listEvents(
  backend: LedgerBackend,
  q: AuditEventQuery,
  toStored: (r: LedgerEventRow) => StoredAuditEvent,
): AuditEventPage {
  const limit = q.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw new GatewayError('invalid_request', `limit must be 1..${MAX_PAGE}`);
  for (const [k, v] of Object.entries({
    from: q.from,
    to: q.to,
    after: q.after,
    since: q.since,
    until: q.until,
  })) {
    if (v !== undefined && !Number.isSafeInteger(v))
      throw new GatewayError('invalid_request', `${k} must be an integer`);
  }
  const from = Math.max(q.from ?? 0, q.after === undefined ? 0 : q.after + 1, 0);
  const query: BackendQuery = {
    from,
    to: q.to ?? null,
    agent: q.agent ?? null,
    outcome: q.outcome ?? null,
    type: q.type ?? null,
    decisionId: q.decisionId ?? null,
    since: q.since ?? null,
    until: q.until ?? null,
    limit: limit + 1,
  };
  const rows = backend.queryEvents(query);
  const page = rows.slice(0, limit);
  return { events: page.map(toStored), next: rows.length > limit ? page[page.length - 1]!.index : null };
}
