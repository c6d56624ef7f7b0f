/**
 * Export bundle: one self-contained JSON file an auditor verifies offline with nothing but the
 * ledger's public verifier key: the events of a range as canonical text, a signed checkpoint, and
 * a range proof tying exactly those events, at exactly those indices, to the signed root.
 *
 * The file is itself RFC 8785 canonical JSON and `verifyBundle` insists on that, so changing any
 * byte of it (even white space or an escape) makes verification fail with a precise message.
 */
import { canonicalJson } from '../canonical-json.js';
import { GatewayError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import type { AuditLedgerReader, AuditStore } from '../../ports/audit-store.js';
import { openCheckpoint } from './checkpoint.js';
import { checkEventText } from './event-encode.js';
import { bytesEqual, fromBase64Strict, hashLeafText } from './hash.js';
import { parseVerifierKey } from './note.js';
import { rootFromRange } from './range-proof.js';

export const BUNDLE_FORMAT = 'portcullis-audit-bundle/1';

export interface AuditBundleV1 {
  format: typeof BUNDLE_FORMAT;
  /** Checkpoint origin: which ledger this came from. */
  origin: string;
  /** The key that signed `checkpoint`, `<name>+<hex id>+<base64 key>`. */
  verifier_key: string;
  /** C2SP signed checkpoint note covering every exported event. */
  checkpoint: string;
  tree_size: number;
  /** Exported leaf range [from, to). */
  from: number;
  to: number;
  /** Events in index order: their leaf index and canonical JSON text (the leaf data). */
  events: Array<{ index: number; canonical: string }>;
  /** Range proof (see range-proof.ts): subtree hashes outside [from, to), base64, left to right. */
  proof: string[];
}

export type BundleSource = Pick<AuditLedgerReader, 'listCheckpoints' | 'eventRows'> &
  Pick<AuditStore, 'rangeProof'>;

/**
 * Builds a bundle for events [from, to) under the newest checkpoint. `to` defaults to that
 * checkpoint's size; events after the newest checkpoint cannot be exported until one is signed.
 */
export async function exportBundle(
  store: BundleSource,
  range: { from?: number; to?: number } = {},
): Promise<AuditBundleV1> {
  const checkpoints = await store.listCheckpoints();
  const cp = checkpoints[checkpoints.length - 1];
  if (!cp) throw new GatewayError('invalid_request', 'the ledger has no signed checkpoint yet');
  const from = range.from ?? 0;
  const to = range.to ?? cp.size;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from >= to) {
    throw new GatewayError('invalid_request', `invalid range [${from}, ${to})`);
  }
  if (to > cp.size) {
    throw new GatewayError(
      'invalid_request',
      `events up to ${to} are not covered by a signed checkpoint yet (newest covers ${cp.size})`,
    );
  }
  const rows = await store.eventRows(from, to);
  if (rows.length !== to - from || rows.some((r, i) => r.index !== from + i)) {
    throw new GatewayError(
      'audit_store_unavailable',
      `the ledger is missing events in [${from}, ${to}); run "portcullis audit verify"`,
    );
  }
  const origin = cp.note.slice(0, cp.note.indexOf('\n'));
  return {
    format: BUNDLE_FORMAT,
    origin,
    verifier_key: cp.verifierKey,
    checkpoint: cp.note,
    tree_size: cp.size,
    from,
    to,
    events: rows.map((r) => ({ index: r.index, canonical: r.text })),
    proof: await store.rangeProof(from, to, cp.size),
  };
}

/** The bundle file's exact text: canonical JSON, no trailing newline. */
export function serializeBundle(bundle: AuditBundleV1): string {
  return canonicalJson(bundle);
}

export interface BundleSummary {
  origin: string;
  treeSize: number;
  from: number;
  to: number;
  events: number;
  verifierKey: string;
}

export type BundleVerification = Result<BundleSummary, { message: string; index?: number }>;

const KEYS = ['checkpoint', 'events', 'format', 'from', 'origin', 'proof', 'to', 'tree_size', 'verifier_key'];

/** Checks a bundle offline. `publicKeyText` is the auditor's trusted verifier key. */
export function verifyBundle(input: string | Uint8Array, publicKeyText: string): BundleVerification {
  const fail = (message: string, index?: number): BundleVerification =>
    err(index === undefined ? { message } : { message, index });
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return fail('the bundle is not valid UTF-8');
  }
  let b: Record<string, unknown>;
  try {
    b = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail('the bundle is not valid JSON');
  }
  try {
    if (canonicalJson(b) !== text)
      return fail('the bundle is not in canonical form: it was edited after export');
  } catch {
    return fail('the bundle holds values that are not canonical JSON');
  }
  const shape = checkShape(b);
  if (!shape.ok) return fail(shape.error);
  const bundle = shape.value;
  const key = parseVerifierKey(publicKeyText.trim());
  if (!key.ok) return fail(`the given public key is not a verifier key: ${key.error}`);
  if (bundle.verifier_key !== key.value.verifierKey)
    return fail(`the bundle names verifier key ${bundle.verifier_key}, not the key given`);
  const cp = openCheckpoint(bundle.checkpoint, [key.value]);
  if (!cp.ok) return fail(`the checkpoint does not verify: ${cp.error}`);
  if (cp.value.origin !== bundle.origin)
    return fail(`the checkpoint origin ${cp.value.origin} is not the bundle's ${bundle.origin}`);
  if (cp.value.size !== bundle.tree_size)
    return fail(`the checkpoint size ${cp.value.size} is not the bundle's tree_size ${bundle.tree_size}`);
  const { from, to } = bundle;
  if (from < 0 || from >= to || to > bundle.tree_size)
    return fail(`the range [${from}, ${to}) does not fit a tree of ${bundle.tree_size}`);
  if (bundle.events.length !== to - from)
    return fail(`the bundle holds ${bundle.events.length} events for a range of ${to - from}`);
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < bundle.events.length; i++) {
    const e = bundle.events[i]!;
    if (e.index !== from + i)
      return fail(`event ${i} claims index ${e.index}, expected ${from + i}`, e.index);
    const checked = checkEventText(e.canonical);
    if (!checked.ok) return fail(`the event at index ${e.index} ${checked.error}`, e.index);
    leaves.push(hashLeafText(e.canonical));
  }
  const proof: Uint8Array[] = [];
  for (const [i, p] of bundle.proof.entries()) {
    const h = fromBase64Strict(p);
    if (!h) return fail(`proof hash ${i} is not strict base64`);
    proof.push(h);
  }
  const root = rootFromRange(from, to, bundle.tree_size, leaves, proof);
  if (!root.ok) return fail(`the range proof is malformed: ${root.error}`);
  if (!bytesEqual(root.value, cp.value.root)) {
    return fail(
      `the events [${from}, ${to}) and the proof do not hash to the signed root of size ${bundle.tree_size}: an event or a proof hash was altered`,
    );
  }
  return ok({
    origin: bundle.origin,
    treeSize: bundle.tree_size,
    from,
    to,
    events: bundle.events.length,
    verifierKey: bundle.verifier_key,
  });
}

function checkShape(b: Record<string, unknown>): Result<AuditBundleV1, string> {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return err('the bundle is not a JSON object');
  if (b.format !== BUNDLE_FORMAT) return err(`unknown bundle format ${JSON.stringify(b.format)}`);
  const keys = Object.keys(b).sort();
  if (keys.join() !== KEYS.join())
    return err(`the bundle members are ${keys.join(', ')}, expected ${KEYS.join(', ')}`);
  for (const k of ['origin', 'verifier_key', 'checkpoint'])
    if (typeof b[k] !== 'string') return err(`${k} is not a string`);
  for (const k of ['tree_size', 'from', 'to'])
    if (!Number.isSafeInteger(b[k])) return err(`${k} is not an integer`);
  if (!Array.isArray(b.proof) || !b.proof.every((p) => typeof p === 'string'))
    return err('proof is not a list of strings');
  if (!Array.isArray(b.events)) return err('events is not a list');
  for (const [i, e] of (b.events as unknown[]).entries()) {
    const ev = e as Record<string, unknown>;
    if (
      ev === null ||
      typeof ev !== 'object' ||
      Object.keys(ev).sort().join() !== 'canonical,index' ||
      typeof ev.canonical !== 'string' ||
      !Number.isSafeInteger(ev.index)
    ) {
      return err(`events[${i}] is not {index, canonical}`);
    }
  }
  return ok(b as unknown as AuditBundleV1);
}
