/**
 * From an AuditEventV1 object to the bytes the ledger commits to, and back.
 *
 * - Canonical form: RFC 8785 (JCS) JSON of the whole event, UTF-8 encoded. That string is the
 *   leaf data: leaf hash = SHA-256(0x00 || utf8(canonical)).
 * - Event id: "evt_" + the first 32 hex digits (128 bits) of SHA-256(utf8(canonical JSON of the
 *   event without its `id` member)). Deterministic: anyone can recompute it from the event.
 * - Sealed events: the builders return deep-frozen events whose canonical text was computed once
 *   while building; `canonicalEventText` reuses it, so appending does not canonicalise twice.
 */
import { canonicalCopy, canonicalJson, NOT_PLAIN } from '../canonical-json.js';
import { GatewayError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { err, ok, type Result } from '../result.js';
import type { AuditEventType, AuditEventV1 } from './event.js';
import { sha256, toHex } from './hash.js';
import { isWellFormed } from './unicode.js';

export const EVENT_ID_PREFIX = 'evt_';
export const EVENT_ID_HEX_DIGITS = 32;
const EVENT_ID_PATTERN = /^evt_[0-9a-f]{32}$/;
/** RFC 3339 in UTC with exactly millisecond precision, as Date.prototype.toISOString writes it. */
const EVENT_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_TIME_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = [
  'decision',
  'outcome',
  'policy_reload',
  'config_change',
  'admin_action',
  'key_rotation',
  'approval',
  'mcp',
];

const LAYERS = ['inputs', 'policy', 'decision', 'action', 'outcome', 'impact'] as const;
const REQUIRED_KEYS = ['v', 'type', 'id', 'time', 'instance', 'sequence', ...LAYERS];
const ALLOWED_KEYS = new Set([...REQUIRED_KEYS, 'decision_id']);

const sealedText = new WeakMap<object, string>();

/** The indexed columns a store keeps beside the canonical text, derived from the event only. */
export interface EventColumns {
  id: string;
  type: AuditEventType;
  timeMs: number;
  /** action.agent.id */
  agent: string | null;
  /** decision.outcome (allow, deny, escalate) or, for outcome events, outcome.status. */
  outcome: string | null;
  decisionId: string | null;
}

export interface EncodedEvent {
  /** Canonical JSON; its UTF-8 bytes are the Merkle leaf data. */
  text: string;
  columns: EventColumns;
}

export function formatEventTime(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIME_MS) {
    throw new GatewayError(
      'audit_event_invalid',
      `event time ${ms} is not a millisecond timestamp between 1970 and 9999`,
    );
  }
  return new Date(ms).toISOString();
}

/**
 * Deep copy of JSON data as plain frozen objects: undefined members are dropped (as JSON does);
 * lone surrogates, non-finite numbers and non-JSON values (undefined in arrays, functions, bigint,
 * class instances such as Date) are rejected with `audit_event_invalid`.
 */
export function freezeJson(value: unknown, path = '$'): JsonValue {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (!isWellFormed(value)) throw invalid(`${path} contains a lone surrogate`);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`${path} is not a finite number`);
    return value;
  }
  if (Array.isArray(value)) {
    return Object.freeze(value.map((v, i) => freezeJson(v, `${path}[${i}]`))) as JsonValue[];
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw invalid(`${path} is not a plain JSON object`);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (!isWellFormed(k)) throw invalid(`${path} has a key with a lone surrogate`);
      out[k] = freezeJson(v, `${path}.${k}`);
    }
    return Object.freeze(out);
  }
  throw invalid(`${path} is a ${typeof value}, which is not JSON`);
}

/** JSON.stringify(s) for a well-formed string, without its cost when nothing needs escaping. */
function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // What JSON.stringify escapes in a well-formed string: controls, '"' and '\\'.
    if (c < 0x20 || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/**
 * Freezes a built event body, gives it its id and seals it: the same canonical text, id and
 * members as sealEvent(freezeJson(body)), in one copy and one native JSON.stringify per
 * top-level member. The sealed event's members are in canonical order. Bodies the fast path
 * cannot take (invalid ones included) go through sealEvent(freezeJson(body)), which also
 * produces its errors.
 */
export function sealEventBody(body: Record<string, unknown>): AuditEventV1 {
  const keys: string[] = [];
  const values: JsonValue[] = [];
  const texts: string[] = [];
  let copy: JsonObject;
  try {
    // The id member is copied and checked like the rest (as freezeJson does), then replaced.
    copy = canonicalCopy(body, true) as JsonObject;
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return sealEvent(freezeJson(body) as unknown as Omit<AuditEventV1, 'id'>);
  }
  // The copy's members are in canonical order (canonicalCopy admits no integer-like keys).
  for (const k of Object.keys(copy)) {
    if (k === 'id') continue;
    const frozen = copy[k]!;
    keys.push(k);
    values.push(frozen);
    texts.push(`${quote(k)}:${JSON.stringify(frozen)}`);
  }
  const id = idFromCanonical(`{${texts.join(',')}}`);
  // The id member goes where it sorts: after the keys below "id", before the others.
  let at = 0;
  while (at < keys.length && keys[at]! < 'id') at++;
  keys.splice(at, 0, 'id');
  values.splice(at, 0, id);
  texts.splice(at, 0, `"id":${JSON.stringify(id)}`);
  const frozen: JsonObject = {};
  for (let i = 0; i < keys.length; i++) frozen[keys[i]!] = values[i]!;
  const event = Object.freeze(frozen) as unknown as AuditEventV1;
  const shape = validateEventShape(event);
  if (!shape.ok) throw invalid(shape.error);
  sealedText.set(event, `{${texts.join(',')}}`);
  return event;
}

/** Canonical JSON of the event's top-level members, sorted as RFC 8785 sorts them. */
function canonicalFromMembers(members: Map<string, string>): string {
  const keys = [...members.keys()].sort();
  return `{${keys.map((k) => members.get(k)!).join(',')}}`;
}

function memberTexts(body: object): Map<string, string> {
  const members = new Map<string, string>();
  for (const [k, v] of Object.entries(body)) {
    if (k === 'id' || v === undefined) continue;
    members.set(k, `${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return members;
}

function idFromCanonical(withoutId: string): string {
  return EVENT_ID_PREFIX + toHex(sha256(withoutId)).slice(0, EVENT_ID_HEX_DIGITS);
}

/** The deterministic id of an event (any `id` member present is ignored). */
export function computeEventId(event: Omit<AuditEventV1, 'id'> | AuditEventV1): string {
  return idFromCanonical(canonicalFromMembers(memberTexts(event)));
}

/**
 * Gives a built event its id, freezes it and remembers its canonical text. `body` must already be
 * frozen JSON (see freezeJson); the builders guarantee that.
 */
export function sealEvent(body: Omit<AuditEventV1, 'id'>): AuditEventV1 {
  const members = memberTexts(body);
  const id = idFromCanonical(canonicalFromMembers(members));
  members.set('id', `"id":${JSON.stringify(id)}`);
  const event = Object.freeze({ ...body, id }) as AuditEventV1;
  const shape = validateEventShape(event);
  if (!shape.ok) throw invalid(shape.error);
  sealedText.set(event, canonicalFromMembers(members));
  return event;
}

/** Canonical text of an event; for events not sealed by a builder, validates shape and id first. */
export function canonicalEventText(event: AuditEventV1): string {
  const cached = sealedText.get(event);
  if (cached !== undefined && Object.isFrozen(event)) return cached;
  const shape = validateEventShape(event);
  if (!shape.ok) throw invalid(shape.error);
  let text: string;
  try {
    text = canonicalJson(event);
  } catch (e) {
    throw new GatewayError('audit_event_invalid', 'event is not canonicalisable JSON', { cause: e });
  }
  const id = computeEventId(event);
  if (id !== event.id) throw invalid(`event id ${event.id} does not match its content (expected ${id})`);
  return text;
}

/** Digits [at, at + n) of a string as a number (the caller knows they are digits). */
function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let k = at; k < at + n; k++) v = v * 10 + text.charCodeAt(k) - 48;
  return v;
}

/**
 * Milliseconds of an event time that passed the shape check (EVENT_TIME_PATTERN, which fixes
 * every digit's position): Date.parse's result, at about a third of its cost.
 */
export function eventTimeMs(time: string): number {
  return Date.UTC(
    digits(time, 0, 4),
    digits(time, 5, 2) - 1,
    digits(time, 8, 2),
    digits(time, 11, 2),
    digits(time, 14, 2),
    digits(time, 17, 2),
    digits(time, 20, 3),
  );
}

/** The index columns of an event that passed validateEventShape (sealed events have). */
export function eventColumns(event: AuditEventV1): EventColumns {
  const agent = (event.action.agent as JsonObject | undefined)?.id;
  const outcome = event.decision.outcome ?? event.outcome.status;
  return {
    id: event.id,
    type: event.type,
    timeMs: eventTimeMs(event.time),
    agent: typeof agent === 'string' ? agent : null,
    outcome: typeof outcome === 'string' ? outcome : null,
    decisionId: event.decision_id ?? null,
  };
}

/** What a store needs to append an event: canonical text and index columns. */
export function encodeEvent(event: AuditEventV1): EncodedEvent {
  return { text: canonicalEventText(event), columns: eventColumns(event) };
}

/** Structural check of an AuditEventV1 (not its id). */
export function validateEventShape(value: unknown): Result<AuditEventV1, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return err('event is not an object');
  const e = value as Record<string, unknown>;
  for (const k of Object.keys(e))
    if (!ALLOWED_KEYS.has(k)) return err(`event has an unknown member ${JSON.stringify(k)}`);
  for (const k of REQUIRED_KEYS) if (!(k in e)) return err(`event lacks ${k}`);
  if (e.v !== 1) return err('event version v is not 1');
  if (typeof e.type !== 'string' || !AUDIT_EVENT_TYPES.includes(e.type as AuditEventType))
    return err('event type is unknown');
  if (typeof e.id !== 'string' || !EVENT_ID_PATTERN.test(e.id))
    return err('event id is not evt_ + 32 hex digits');
  const timeMs = typeof e.time === 'string' && EVENT_TIME_PATTERN.test(e.time) ? Date.parse(e.time) : NaN;
  if (!Number.isFinite(timeMs) || new Date(timeMs).toISOString() !== e.time) {
    return err('event time is not RFC 3339 UTC with millisecond precision');
  }
  if (typeof e.instance !== 'string' || e.instance.length === 0) return err('event instance is empty');
  if (!Number.isSafeInteger(e.sequence) || (e.sequence as number) < 0)
    return err('event sequence is not a non-negative integer');
  if ('decision_id' in e && (typeof e.decision_id !== 'string' || e.decision_id.length === 0))
    return err('event decision_id is not a string');
  for (const layer of LAYERS) {
    const l = e[layer];
    if (l === null || typeof l !== 'object' || Array.isArray(l))
      return err(`event layer ${layer} is not an object`);
  }
  return ok(value as AuditEventV1);
}

/** Parses stored canonical text back into an event (shape-checked, not id-checked). */
export function parseEventText(text: string): AuditEventV1 {
  const shape = validateEventShape(JSON.parse(text) as unknown);
  if (!shape.ok) throw invalid(shape.error);
  return shape.value;
}

/**
 * Full conformance check of stored text: it parses as an AuditEventV1, is exactly its own RFC 8785
 * canonical form, and carries the right id. Returns the event or what is wrong.
 */
export function checkEventText(text: string): Result<AuditEventV1, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return err('is not JSON');
  }
  const shape = validateEventShape(parsed);
  if (!shape.ok) return shape;
  let canonical: string;
  try {
    canonical = canonicalJson(parsed);
  } catch (e) {
    return err(`cannot be canonicalised: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (canonical !== text) return err('is not in RFC 8785 canonical form');
  const id = computeEventId(shape.value);
  if (id !== shape.value.id) return err(`id ${shape.value.id} does not match its content (expected ${id})`);
  return shape;
}

function invalid(detail: string): GatewayError {
  return new GatewayError('audit_event_invalid', detail);
}
