/**
 * The builders seal events with sealEventBody: one frozen copy in canonical member order and the
 * engine's JSON.stringify. It must give exactly what sealEvent(freezeJson(body)) gives (the
 * reference: freezeJson and the `canonicalize` package): the same canonical bytes, id and frozen
 * members, and the same error for a body either refuses. Member order inside the object is not
 * part of the contract (the canonical text is); the fast path's is canonical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEventV1 } from '../src/core/audit/event.js';
import { canonicalEventText, freezeJson, sealEvent, sealEventBody } from '../src/core/audit/event-encode.js';
import { canonicalJson } from '../src/core/canonical-json.js';
import { exampleEvents, sampleEvent, sampleSystemEvent } from './audit-fixtures.js';

type Outcome =
  { ok: true; text: string; id: string; value: unknown; frozen: boolean } | { ok: false; error: string };

function deepFrozen(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  return Object.isFrozen(v) && Object.values(v).every(deepFrozen);
}

function outcome(seal: () => AuditEventV1): Outcome {
  try {
    const e = seal();
    // The members as plain data (toEqual compares them whatever their order).
    return {
      ok: true,
      text: canonicalEventText(e),
      id: e.id,
      value: JSON.parse(JSON.stringify(e)) as unknown,
      frozen: deepFrozen(e),
    };
  } catch (e) {
    return { ok: false, error: `${(e as { code?: string }).code}: ${(e as Error).message}` };
  }
}

function expectSame(body: Record<string, unknown>): Outcome {
  const fast = outcome(() => sealEventBody(body));
  const reference = outcome(() => sealEvent(freezeJson(body) as unknown as Omit<AuditEventV1, 'id'>));
  expect(fast).toEqual(reference);
  if (fast.ok) {
    expect(fast.frozen).toBe(true);
    expect(fast.text).toBe(canonicalJson(JSON.parse(fast.text)));
  }
  return fast;
}

const bodyOf = (e: AuditEventV1): Record<string, unknown> => {
  const { id: _id, ...rest } = JSON.parse(JSON.stringify(e)) as AuditEventV1;
  return rest;
};

/** Strings that stress escaping and key order: quotes, backslashes, controls, astral, U+2028. */
const awkward = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '',
    '"',
    '\\',
    '\n',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u2028',
    'é',
    'e\u0301',
    '😀',
    'id',
    'a'.repeat(70),
  ),
  fc.string({ unit: fc.constantFrom('"', '\\', '\t', 'a', '\u0001', 'ÿ', '€') }),
  // Long strings with characters to escape anywhere.
  fc.string({ minLength: 60, maxLength: 90, unit: fc.constantFrom('a', 'b', '"', '\\', '\n', '😀') }),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.constantFrom(0, -0, 1e21, 1e-7, 2 ** 53, -1.5, 5e-324),
    awkward,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(awkward, tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('sealEventBody', () => {
  it('seals the fixtures exactly as sealEvent(freezeJson(body)) does', () => {
    for (const e of [...exampleEvents(), sampleEvent(7), sampleSystemEvent(3)]) {
      const sealed = expectSame(bodyOf(e));
      expect(sealed).toMatchObject({ ok: true, id: e.id, text: canonicalEventText(e) });
    }
  });

  it('gives the same bytes, id, object and errors for any layer contents', () => {
    const layer = fc.oneof(
      { weight: 19, arbitrary: fc.dictionary(awkward, json, { maxKeys: 6 }) },
      { weight: 1, arbitrary: json },
    );
    let sealed = 0;
    fc.assert(
      fc.property(
        fc.record({
          inputs: layer,
          policy: layer,
          decision: layer,
          action: layer,
          outcome: layer,
          impact: layer,
          instance: fc.oneof(
            { weight: 1, arbitrary: awkward },
            { weight: 4, arbitrary: fc.constant('gw-1') },
          ),
          decision_id: fc.oneof(
            { weight: 1, arbitrary: awkward },
            { weight: 1, arbitrary: fc.constant(undefined) },
            { weight: 3, arbitrary: fc.constant('dec_0123') },
          ),
          extra: fc.oneof({ weight: 1, arbitrary: json }, { weight: 9, arbitrary: fc.constant(undefined) }),
        }),
        (layers) => {
          const { extra, ...rest } = layers;
          const body: Record<string, unknown> = {
            v: 1,
            type: 'decision',
            time: '2026-01-01T12:00:00.000Z',
            sequence: 1,
            ...rest,
          };
          if (extra !== undefined) body.extra = extra;
          if (expectSame(body).ok) sealed++;
        },
      ),
      { numRuns: 400 },
    );
    // Most bodies are valid events: the comparison is mostly of bytes, not of errors.
    expect(sealed).toBeGreaterThan(100);
  });

  it('takes the reference path for what the one walk does not handle, with its errors', () => {
    const base = bodyOf(sampleEvent(1));
    const cases: Array<Record<string, unknown>> = [
      { ...base, inputs: { s: 'lone \uD800' } },
      { ...base, inputs: { ['\uDC00']: 1 } },
      { ...base, inputs: { n: Number.NaN } },
      { ...base, inputs: { n: Number.POSITIVE_INFINITY } },
      { ...base, inputs: { d: new Date(0) } },
      { ...base, inputs: { f: () => 1 } },
      { ...base, inputs: { a: [1, undefined, 2] } },
      // eslint-disable-next-line no-sparse-arrays
      { ...base, inputs: { a: [1, , 2] } },
      { ...base, inputs: JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as unknown },
      { ...base, inputs: Object.assign(Object.create(null) as object, { z: 1, a: 2 }) },
      { ...base, inputs: { big: 10n } },
      { ...base, id: 'evt_given_by_the_caller' },
      { ...base, id: '\uD800' },
      { ...base, time: 'yesterday' },
      { ...base, sequence: -1 },
      { ...base, unknown_member: 1 },
      { ...base, outcome: undefined, impact: undefined },
    ];
    for (const body of cases) expectSame(body);
    // A few of them are refused with the reference path's message.
    expect(outcome(() => sealEventBody(cases[0]!))).toMatchObject({
      ok: false,
      error: expect.stringContaining('$.inputs.s contains a lone surrogate') as unknown,
    });
    expect(outcome(() => sealEventBody(cases[8]!))).toMatchObject({ ok: true });
  });
});
