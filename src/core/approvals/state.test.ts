import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionHash } from './action-hash.js';
import { parseDurationMs } from './duration.js';
import { quorumMet } from './quorum.js';
import {
  castVote,
  consumeApproval,
  createApproval,
  expireApproval,
  planRequest,
  statusAt,
  type ApprovalSettings,
} from './state.js';
import type { ApprovalRecordV1, Voter } from './types.js';

const T0 = Date.UTC(2026, 0, 1);
const settings: ApprovalSettings = {
  defaultExpiryMs: 3_600_000,
  maxExpiryMs: 7 * 86_400_000,
  useWithinMs: 900_000,
  defaultRequirement: { roles: ['approver'], count: 1 },
};
const action = { kind: 'tool_call', tool: 'payments.transfer', args: { amount: 20000, currency: 'EUR' } };

function pending(
  requirements = [{ roles: ['treasury'], count: 2 }],
  onBehalfOf: string | null = 'carol',
): ApprovalRecordV1 {
  return createApproval(
    {
      id: 'apr_1',
      decisionId: 'dec_1',
      agentId: 'pay-bot',
      onBehalfOf,
      action,
      context: null,
      actionHash: actionHash({ agentId: 'pay-bot', onBehalfOf, action, context: null }),
      requirements,
      reasons: ['large transfer'],
    },
    settings,
    T0,
  );
}

const person = (id: string, roles = ['approver', 'treasury'], aliases: string[] = []): Voter => ({
  id,
  roles,
  aliases,
});

function vote(
  rec: ApprovalRecordV1,
  who: Voter,
  decision: 'approve' | 'deny' = 'approve',
  at = T0 + 1000,
): ApprovalRecordV1 {
  const r = castVote(rec, who, decision, at, settings);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail}`);
  return r.value;
}

describe('approval state machine', () => {
  it('needs the quorum of distinct people before it is approved', () => {
    const one = vote(pending(), person('alice'));
    expect(one.status).toBe('pending');
    const two = vote(one, person('bob'));
    expect(two.status).toBe('approved');
    expect(two.decided_at).toBe(T0 + 1000);
    expect(two.revision).toBe(3);
  });

  it('counts one person once: a second vote by the same person is refused', () => {
    const one = vote(pending(), person('alice'));
    const again = castVote(one, person('alice'), 'approve', T0 + 2000, settings);
    expect(again).toEqual({ ok: false, error: expect.objectContaining({ code: 'duplicate_vote' }) });
  });

  it('separation of duties: the user the agent acts for cannot approve, by id or by alias', () => {
    const rec = pending(undefined, 'carol@bank.example');
    for (const who of [
      person('carol@bank.example'),
      person('CAROL', undefined, []),
      person('c.smith', undefined, ['Carol@Bank.Example']),
    ]) {
      const r = castVote(
        who.id === 'CAROL' ? pending(undefined, 'carol') : rec,
        who,
        'approve',
        T0,
        settings,
      );
      expect(r.ok ? null : r.error.code).toBe('separation_of_duties');
    }
  });

  it('separation of duties: the requesting agent cannot decide its own approval', () => {
    const r = castVote(pending(), person('pay-bot'), 'deny', T0, settings);
    expect(r.ok ? null : r.error.code).toBe('separation_of_duties');
  });

  it('refuses a person without any of the required roles', () => {
    const r = castVote(pending(), person('dave', ['approver']), 'approve', T0, settings);
    expect(r.ok ? null : r.error).toEqual({ code: 'forbidden', detail: expect.stringContaining('treasury') });
  });

  it('a denial is final, even after approvals', () => {
    const denied = vote(vote(pending(), person('alice')), person('bob'), 'deny');
    expect(denied.status).toBe('denied');
    const late = castVote(denied, person('erin'), 'approve', T0 + 5000, settings);
    expect(late.ok ? null : late.error.code).toBe('approval_closed');
  });

  it('expires when nobody decides in time, and an expired approval cannot be approved', () => {
    const rec = pending();
    expect(statusAt(rec, rec.expires_at - 1)).toBe('pending');
    expect(statusAt(rec, rec.expires_at)).toBe('expired');
    const r = castVote(rec, person('alice'), 'approve', rec.expires_at, settings);
    expect(r.ok ? null : r.error).toEqual({ code: 'approval_closed', detail: 'approval apr_1 is expired' });
    expect(expireApproval(rec, rec.expires_at).status).toBe('expired');
  });

  it('takes the shortest expires_in of the requirements, capped by the maximum', () => {
    const rec = pending([
      { roles: ['a'], count: 1, expires_in: '4h' } as never,
      { roles: ['b'], count: 1, expires_in: '30m' } as never,
    ]);
    expect(rec.expires_at - rec.created_at).toBe(30 * 60_000);
    expect(pending([{ roles: ['a'], count: 1, expires_in: '30d' } as never]).expires_at - T0).toBe(
      settings.maxExpiryMs,
    );
    expect(pending([]).requirements).toEqual([{ roles: ['approver'], count: 1 }]);
    expect(pending([]).expires_at - T0).toBe(settings.defaultExpiryMs);
  });

  it('an approval given near its expiry stays usable for use_within', () => {
    const rec = pending([{ roles: ['treasury'], count: 1 }]);
    const late = rec.expires_at - 10;
    const approved = vote(rec, person('alice'), 'approve', late);
    expect(approved.expires_at).toBe(late + settings.useWithinMs);
  });
});

describe('planRequest: what an identical resubmission gets', () => {
  const approved = vote(vote(pending(), person('alice')), person('bob'));

  it('creates when there is nothing, reports pending while pending', () => {
    expect(planRequest(null, T0)).toEqual({ kind: 'create' });
    expect(planRequest(pending(), T0 + 1)).toEqual({ kind: 'report', status: 'pending' });
    expect(planRequest(pending(), pending().expires_at)).toEqual({ kind: 'expire' });
  });

  it('consumes an approval once; a replay asks for a new approval', () => {
    expect(planRequest(approved, T0 + 2000)).toEqual({ kind: 'consume' });
    const used = consumeApproval(approved, T0 + 2000, 'dec_2');
    expect(used.consumed_by).toBe('dec_2');
    expect(planRequest(used, T0 + 3000)).toEqual({ kind: 'create' });
  });

  it('an approval not used in time is not used at all', () => {
    expect(planRequest(approved, approved.expires_at)).toEqual({ kind: 'create' });
  });

  it('a denial holds for the identical action until its expiry', () => {
    const denied = vote(pending(), person('alice'), 'deny');
    expect(planRequest(denied, T0 + 5000)).toEqual({ kind: 'report', status: 'denied' });
    expect(planRequest(denied, denied.expires_at)).toEqual({ kind: 'create' });
    expect(planRequest(expireApproval(pending(), T0), T0)).toEqual({ kind: 'create' });
  });
});

describe('actionHash', () => {
  const base = { agentId: 'pay-bot', onBehalfOf: 'carol', action, context: { purpose: 'vendor' } };
  it('is stable under key order and changes with anything that matters', () => {
    const h = actionHash(base);
    expect(h).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(actionHash({ ...base, action: { ...action, args: { currency: 'EUR', amount: 20000 } } })).toBe(h);
    expect(actionHash({ ...base, action: { ...action, args: { amount: 20001, currency: 'EUR' } } })).not.toBe(
      h,
    );
    expect(actionHash({ ...base, action: { ...action, tool: 'payments.refund' } })).not.toBe(h);
    expect(actionHash({ ...base, agentId: 'other-bot' })).not.toBe(h);
    expect(actionHash({ ...base, onBehalfOf: 'dan' })).not.toBe(h);
    expect(actionHash({ ...base, context: { purpose: 'other' } })).not.toBe(h);
  });
});

describe('quorum', () => {
  it('one person holding roles for two requirements fills only one seat', () => {
    const reqs = [
      { roles: ['treasury'], count: 1 },
      { roles: ['compliance'], count: 1 },
    ];
    expect(quorumMet(reqs, [{ by: 'alice', roles: ['treasury', 'compliance'] }])).toBe(false);
    expect(
      quorumMet(reqs, [
        { by: 'alice', roles: ['treasury', 'compliance'] },
        { by: 'bob', roles: ['treasury'] },
      ]),
    ).toBe(true);
    expect(
      quorumMet(reqs, [
        { by: 'alice', roles: ['treasury'] },
        { by: 'alice', roles: ['compliance'] },
      ]),
    ).toBe(false);
  });

  it('never met by fewer distinct people than seats (property)', () => {
    const roles = fc.constantFrom('a', 'b', 'c');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            roles: fc.uniqueArray(roles, { minLength: 1 }),
            count: fc.integer({ min: 1, max: 3 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.array(
          fc.record({ by: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'), roles: fc.uniqueArray(roles) }),
          { maxLength: 8 },
        ),
        (reqs, people) => {
          const seats = reqs.reduce((n, r) => n + r.count, 0);
          const distinct = new Set(people.map((p) => p.by)).size;
          if (quorumMet(reqs, people)) expect(distinct).toBeGreaterThanOrEqual(seats);
        },
      ),
    );
  });
});

describe('parseDurationMs', () => {
  it('reads shorthand and ISO 8601, refuses the rest', () => {
    expect(parseDurationMs('30m')).toBe(1_800_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('2d')).toBe(172_800_000);
    expect(parseDurationMs('PT4H')).toBe(14_400_000);
    expect(parseDurationMs('P1DT1S')).toBe(86_401_000);
    expect(parseDurationMs('P1W')).toBe(604_800_000);
    for (const bad of ['', 'P', 'PT', '1y', 'P1M', '0s', '10', 'h', '99999d'])
      expect(parseDurationMs(bad)).toBeNull();
  });
});
