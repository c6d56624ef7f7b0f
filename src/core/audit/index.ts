/**
 * The audit ledger's core: event format, canonical encoding, RFC 9162 Merkle tree and proofs,
 * C2SP signed checkpoints, ledger and bundle verification. Pure: no files, no network, no clock.
 * docs/audit.md specifies the formats byte for byte.
 */
export * from './event.js';
export {
  AUDIT_EVENT_TYPES,
  EVENT_ID_HEX_DIGITS,
  EVENT_ID_PREFIX,
  canonicalEventText,
  checkEventText,
  encodeEvent,
  eventColumns,
  formatEventTime,
  parseEventText,
  validateEventShape,
  type EncodedEvent,
  type EventColumns,
} from './event-encode.js';
export {
  EMPTY_ROOT_HEX,
  emptyRoot,
  fromBase64Strict,
  hashChildren,
  hashLeaf,
  hashLeafText,
  toBase64,
  toHex,
} from './hash.js';
export { merkleRoot, rootAt, StreamingTree, subtreeHash, type TreeReader } from './merkle.js';
export { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from './proof.js';
export { rangeProof, rootFromRange } from './range-proof.js';
export {
  createNoteSigner,
  formatVerifierKey,
  noteKeyId,
  openNote,
  parseVerifierKey,
  privateKeyFromSeed,
  rawPublicKey,
  signNote,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';
export {
  formatCheckpointBody,
  openCheckpoint,
  parseCheckpointBody,
  peekCheckpoint,
  signCheckpoint,
  type Checkpoint,
  type OpenedCheckpoint,
} from './checkpoint.js';
export {
  trustedVerifiers,
  verifyLedger,
  type LedgerProblem,
  type LedgerVerification,
  type ProblemKind,
  type ProblemSubject,
  type VerifyLedgerOptions,
} from './verify-ledger.js';
export { verifyAgainstWitness, type WitnessVerification } from './witness-check.js';
export {
  BUNDLE_FORMAT,
  exportBundle,
  serializeBundle,
  verifyBundle,
  type AuditBundleV1,
  type BundleSummary,
  type BundleVerification,
} from './bundle.js';
