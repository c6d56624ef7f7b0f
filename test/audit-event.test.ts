/**
 * The AuditEventV1 format, pinned byte for byte: if any of these strings or hashes change, the
 * ledger format changed, and every existing ledger and bundle would stop verifying. Do not
 * "update the snapshot": add an AuditEventV2 instead. (An independent check with Python's
 * hashlib and json.dumps(sort_keys=True) reproduced these values when they were pinned.)
 */
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from '../src/core/audit/checkpoint.js';
import { buildDecisionEvent, buildSystemEvent, computeEventId } from '../src/core/audit/event.js';
import {
  canonicalEventText,
  checkEventText,
  encodeEvent,
  eventColumns,
  parseEventText,
} from '../src/core/audit/event-encode.js';
import { hashLeafText, toHex } from '../src/core/audit/hash.js';
import { merkleRoot } from '../src/core/audit/merkle.js';
import { canonicalJson } from '../src/core/canonical-json.js';
import { exampleEvents, sampleDecision, sampleEvent, testSigner } from './audit-fixtures.js';

const PINNED = [
  {
    text: '{"action":{"actor":"startup","kind":"policy_reload"},"decision":{},"id":"evt_38589c4c0ea64de650c0b605dcea929a","impact":{},"inputs":{"details":{"rules":12,"version":"sha256:5d41402abc4b2a76"}},"instance":"gw-1","outcome":{"status":"recorded"},"policy":{},"sequence":0,"time":"2026-01-01T12:00:00.000Z","type":"policy_reload","v":1}',
    leaf: '36fb71cce1b95795961354040b8ff371101b8c6a21969b1f613355875aab2234',
  },
  {
    text: '{"action":{"adapter":"http","agent":{"id":"support-bot","version":"1.4.0"},"kind":"tool_call","tool":"refund"},"decision":{"code":"rule_matched","explanation":[],"obligations":{"approvals":[],"redact":[]},"outcome":"allow","reasons":["small refunds are allowed"],"steps":[{"duration_us":21,"port":"policy","status":"ran","step":"evaluate_policy"}]},"decision_id":"dec_7f3c1a9e0b2d4c6f8a1e3b5d7f9c2e4a","id":"evt_0e693de0573905707a13628c2ea8e4b0","impact":{"declared":{"amount":25,"currency":"EUR"}},"inputs":{"action":{"args":{"amount":25,"card":"[REDACTED:card]","order":"A-1001"},"kind":"tool_call","tool":"refund"},"context":{"environment":"prod"},"findings":{"pii":[{"end":19,"path":"action.args.card","start":0,"type":"credit_card"}]},"lineage":["orders"]},"instance":"gw-1","outcome":{"latency_us":90,"status":"pending_execution"},"policy":{"evaluated":[],"matched":[{"effect":"allow","policy_id":"refunds","reason":"small refunds are allowed","rule_id":"small-refund"}],"version":"sha256:5d41402abc4b2a76"},"sequence":1,"time":"2026-01-01T12:00:01.250Z","type":"decision","v":1}',
    leaf: 'a999ffbeee2482255c0117dd9d2272833905afe5a198187d10574f97b472331a',
  },
  {
    text: '{"action":{"adapter":"http","agent":{"id":"support-bot"}},"decision":{},"decision_id":"dec_7f3c1a9e0b2d4c6f8a1e3b5d7f9c2e4a","id":"evt_48253f93f7b95ae16d3216750c6fc7b7","impact":{"reported":{"amount":25,"currency":"EUR"}},"inputs":{"findings":{}},"instance":"gw-1","outcome":{"latency_ms":640,"status":"success"},"policy":{},"sequence":2,"time":"2026-01-01T12:00:01.900Z","type":"outcome","v":1}',
    leaf: 'cb8205b7d4c99e4c77ce53c8b531d19b8762ddac2ac0ac606ace5ad688467f9a',
  },
];
const ROOT = '1533ace2560bc748d503a6cb6a96cbe5f2d78cd6987b3bd9dcceb8d2387c027e';
const CHECKPOINT =
  'ledger.example/test\n3\nFTOs4lYLx0jVA6bLapbL5fLXjNaYezvZ3M640jh8An4=\n\n— ledger.example/test 5UmZF1DW5p25pfMdCqQ9VbGftdv5n/o0sm3zLLEukYdr69i7ukFeVzCvnVkytmQXDgcP46R1dvOVlKay/jNrzohr5AI=\n';

describe('pinned format', () => {
  const events = exampleEvents();

  it('canonical bytes, ids and leaf hashes of the example events never change', () => {
    events.forEach((e, i) => {
      expect(canonicalEventText(e)).toBe(PINNED[i]!.text);
      expect(toHex(hashLeafText(PINNED[i]!.text))).toBe(PINNED[i]!.leaf);
      expect(e.id).toBe(computeEventId(e));
    });
  });

  it('the tree root and the signed checkpoint of the three events never change', () => {
    const root = merkleRoot(PINNED.map((p) => hashLeafText(p.text)));
    expect(toHex(root)).toBe(ROOT);
    expect(signCheckpoint({ origin: 'ledger.example/test', size: 3, root }, testSigner())).toBe(CHECKPOINT);
  });
});

describe('builders', () => {
  it('produce frozen events whose cached canonical text equals RFC 8785 of the object', () => {
    for (const e of [...exampleEvents(), sampleEvent(3)]) {
      expect(Object.isFrozen(e)).toBe(true);
      expect(Object.isFrozen(e.inputs)).toBe(true);
      expect(canonicalEventText(e)).toBe(canonicalJson(e));
      expect(checkEventText(canonicalEventText(e)).ok).toBe(true);
      expect(parseEventText(canonicalEventText(e))).toEqual(e);
    }
  });

  it('snapshot the inputs: later changes to the decision do not reach the event', () => {
    const decision = sampleDecision(5);
    const parts = {
      time: 1_767_225_600_000,
      instance: 'gw',
      decision,
      action: { kind: 'tool_call', args: { a: 1 } },
      context: undefined,
      findings: {},
      adapter: 'sdk' as const,
      agent: { id: null },
      impact: undefined,
      explanation: undefined,
      matched: decision.matched,
      steps: decision.steps,
      outcome: 'deny' as const,
    };
    const e = buildDecisionEvent(parts, 5);
    expect(buildDecisionEvent(parts, 5).id).toBe(e.id);
    expect(buildDecisionEvent(parts, 6).id).not.toBe(e.id);
    decision.steps.push({ step: 'audit', port: 'x', status: 'ran', duration_us: 1 });
    expect((e.decision.steps as unknown[]).length).toBe(1);
    expect(e.outcome).toEqual({ status: 'denied', latency_us: 12 });
    expect(e.inputs.lineage).toEqual([]);
    expect(eventColumns(e)).toEqual({
      id: e.id,
      type: 'decision',
      timeMs: 1_767_225_600_000,
      agent: null,
      outcome: 'deny',
      decisionId: decision.id,
    });
  });

  it('records escalations as pending approval and lays out system events', () => {
    expect(sampleEvent(2).outcome.status).toBe('pending_approval');
    const rot = buildSystemEvent(
      'key_rotation',
      { time: 0, instance: 'gw', details: { previous_key: 'a', new_key: 'b' } },
      0,
    );
    expect(rot).toMatchObject({
      type: 'key_rotation',
      time: '1970-01-01T00:00:00.000Z',
      inputs: { details: { new_key: 'b' } },
      action: { kind: 'key_rotation', actor: null },
    });
    expect(canonicalEventText(rot).endsWith('"type":"key_rotation","v":1}')).toBe(true);
  });

  it('reject inputs that are not JSON, naming where', () => {
    const base = exampleEvents()[1]!;
    expect(() =>
      buildSystemEvent('admin_action', { time: 0, instance: 'gw', details: { note: 'bad \uD800' } }, 0),
    ).toThrow(/inputs\.details\.note contains a lone surrogate/);
    expect(() => buildSystemEvent('admin_action', { time: -1, instance: 'gw', details: {} }, 0)).toThrow(
      /event time/,
    );
    expect(() => buildSystemEvent('admin_action', { time: 0, instance: '', details: {} }, 0)).toThrow(
      /instance/,
    );
    expect(() => encodeEvent({ ...base, sequence: 99 })).toThrow(/does not match its content/);
    expect(() => encodeEvent({ ...base, extra: 1 } as never)).toThrow(/unknown member/);
  });
});

describe('checkEventText', () => {
  const text = PINNED[0]!.text;
  it('accepts the canonical text and rejects every non-canonical rewrite of it', () => {
    expect(checkEventText(text).ok).toBe(true);
    const rewrites = [
      text.replace('{"action"', '{ "action"'),
      text.replace('"sequence":0', '"sequence":0.0'),
      text.replace('T12:00:00.000Z', 'T24:00:00.000Z'),
      text.replace('2026-01-01T', '2026-02-30T'),
      text.replace('"rules":12', '"rules":1.2e1'),
      text.replace('"instance":"gw-1"', '"instance":"gw\\u002d1"'),
      text.replace('"decision":{},"id"', '"id":"evt_38589c4c0ea64de650c0b605dcea929a","decision":{},"id"'),
      `${text}\n`,
    ];
    for (const r of rewrites) expect(checkEventText(r).ok, r).toBe(false);
    expect(checkEventText(text.replace('"rules":12', '"rules":13'))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/does not match its content/),
    });
  });
});
