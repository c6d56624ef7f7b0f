/** The approval and admin APIs over HTTP (Hono in process): roles, bad input, the ledger record. */
import { Hono } from 'hono';
import { describe, expect, it, afterEach } from 'vitest';
import type { Clock, IdGen } from '../../../core/clock.js';
import type { ControlEvent } from '../../../ports/approval-store.js';
import { StoreApprovals } from '../../approvals/store-approvals.js';
import { KillSwitch } from '../../enricher/kill-switch.js';
import { ApiKeyAuthenticator, hashApiKey } from '../../identity/api-key-authenticator.js';
import { OperatorAuthenticator } from '../../identity/operators.js';
import { MemoryApprovalStore } from '../../storage/memory/approval-store.js';
import { createAdminRoutes } from './admin.js';
import { createApprovalRoutes } from './approvals.js';

const T0 = Date.UTC(2026, 0, 1);

const PEOPLE: Array<[string, string[], string[]]> = [
  ['alice', ['approver', 'treasury'], []],
  ['bob', ['approver', 'treasury'], []],
  ['carol', ['approver', 'treasury'], ['carol@bank.example']],
  ['audrey', ['auditor'], []],
  ['adam', ['admin'], []],
];
const keyOf = (id: string): string => `pcs_op_${id}_key`;

async function fixture() {
  let now = T0;
  const clock: Clock = { now: () => now, monotonicNs: () => BigInt(now) * 1_000_000n };
  let seq = 0;
  const ids: IdGen = { nextSequence: () => ++seq, randomId: () => (++seq).toString(16).padStart(32, '0') };
  const operators = new OperatorAuthenticator(
    PEOPLE.map(([id, roles, aliases]) => ({
      id,
      roles,
      aliases,
      keyHash: hashApiKey(keyOf(id)),
      disabled: false,
    })),
  );
  const agents = new ApiKeyAuthenticator([
    {
      identity: { id: 'pay-bot', roles: [], permissions: [], attributes: {} },
      keyHash: hashApiKey('pcs_agent_pay'),
      disabled: false,
    },
    {
      identity: { id: 'other-bot', roles: [], permissions: [], attributes: {} },
      keyHash: hashApiKey('pcs_agent_other'),
      disabled: false,
    },
  ]);
  const store = new MemoryApprovalStore();
  const approvals = new StoreApprovals({
    store,
    clock,
    ids,
    settings: {
      defaultExpiryMs: 3_600_000,
      maxExpiryMs: 86_400_000,
      useWithinMs: 60_000,
      defaultRequirement: { roles: ['approver'], count: 1 },
    },
    sweepIntervalMs: 0,
  });
  const killSwitch = await KillSwitch.open(store, { all: false, agents: [], tools: [] }, T0);
  const records: ControlEvent[] = [];
  const record = (e: ControlEvent): void => void records.push(e);
  const app = new Hono();
  app.route('/', createApprovalRoutes({ approvals, operators, agents, record, clock, maxWaitSeconds: 2 }));
  app.route(
    '/',
    createAdminRoutes({
      killSwitch,
      operators,
      record,
      clock,
      status: () => ({ policy_version: 'sha256:test' }),
    }),
  );

  const escalate = (args: Record<string, number> = { amount: 20000 }, count = 2) =>
    approvals.request({
      decisionId: `dec_${++seq}`,
      agent: { id: 'pay-bot', roles: [], permissions: [], attributes: {} },
      onBehalfOf: 'carol@bank.example',
      action: { kind: 'tool_call', tool: 'payments.transfer', args },
      context: undefined,
      requirements: [{ roles: ['treasury'], count }],
      reasons: ['large transfer'],
    });

  const call = (
    method: string,
    path: string,
    opts: { as?: string; token?: string; body?: string | object; type?: string } = {},
  ) => {
    const headers: Record<string, string> = {};
    const token = opts.token ?? (opts.as === undefined ? undefined : keyOf(opts.as));
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = opts.type ?? 'application/json';
    const body =
      opts.body === undefined
        ? undefined
        : typeof opts.body === 'string'
          ? opts.body
          : JSON.stringify(opts.body);
    return app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  };

  return {
    app,
    approvals,
    killSwitch,
    records,
    escalate,
    call,
    advance: (ms: number) => (now += ms),
    close: () => approvals.close(),
  };
}

async function problem(
  res: Response,
): Promise<{ status: number; type: string; code: string; detail: string }> {
  if (!(res.headers.get('content-type') ?? '').startsWith('application/problem+json'))
    throw new Error(`not a problem: ${res.status} ${await res.text()}`);
  return { status: res.status, ...((await res.json()) as { type: string; code: string; detail: string }) };
}

let f: Awaited<ReturnType<typeof fixture>>;
afterEach(() => f?.close());

describe('approval routes', () => {
  it('needs an operator credential with a reading role', async () => {
    f = await fixture();
    expect(await problem(await f.call('GET', '/v1/approvals'))).toMatchObject({
      status: 401,
      code: 'unauthenticated',
    });
    expect(await problem(await f.call('GET', '/v1/approvals', { token: 'pcs_wrong' }))).toMatchObject({
      status: 401,
    });
    expect((await f.call('GET', '/v1/approvals', { as: 'audrey' })).status).toBe(200);
    expect(f.records.map((r) => r.details.result)).toEqual(['unauthenticated', 'unauthenticated', 'ok']);
  });

  it('lists approvals, filtered, and refuses bad query parameters with stable codes', async () => {
    f = await fixture();
    const t = await f.escalate();
    const res = await f.call('GET', '/v1/approvals?status=pending', { as: 'alice' });
    const body = (await res.json()) as { approvals: Array<Record<string, unknown>> };
    expect(body.approvals).toHaveLength(1);
    expect(body.approvals[0]).toMatchObject({
      id: t.id,
      status: 'pending',
      agent_id: 'pay-bot',
      approvals: { given: 0, needed: 2 },
    });
    for (const q of [
      'status=maybe',
      'limit=0',
      'limit=x',
      'limit=501',
      'before=yesterday',
      'color=red',
      'agent=',
    ]) {
      expect(await problem(await f.call('GET', `/v1/approvals?${q}`, { as: 'alice' }))).toMatchObject({
        status: 400,
        code: 'invalid_request',
      });
    }
    f.advance(3_600_000);
    const expired = (await (await f.call('GET', '/v1/approvals?status=expired', { as: 'alice' })).json()) as {
      approvals: unknown[];
    };
    expect(expired.approvals).toHaveLength(1);
  });

  it('shows one approval; unknown or malformed ids are 404', async () => {
    f = await fixture();
    const t = await f.escalate();
    const res = await f.call('GET', `/v1/approvals/${t.id}`, { as: 'audrey' });
    expect(await res.json()).toMatchObject({
      id: t.id,
      action: { tool: 'payments.transfer', args: { amount: 20000 } },
      on_behalf_of: 'carol@bank.example',
    });
    for (const id of ['apr_00000000000000000000000000000fff', 'nope', '..%2F..%2Fetc']) {
      expect(await problem(await f.call('GET', `/v1/approvals/${id}`, { as: 'alice' }))).toMatchObject({
        status: 404,
        code: 'not_found',
      });
    }
    for (const w of ['abc', '-1', '', 'Infinity']) {
      expect(
        await problem(await f.call('GET', `/v1/approvals/${t.id}?wait=${w}`, { as: 'alice' })),
      ).toMatchObject({ status: 400 });
    }
  });

  it('an agent sees the status of its own approvals only, and can long-poll it', async () => {
    f = await fixture();
    const t = await f.escalate(undefined, 1);
    const own = (await (
      await f.call('GET', `/v1/approvals/${t.id}`, { token: 'pcs_agent_pay' })
    ).json()) as Record<string, unknown>;
    expect(own).toEqual({
      id: t.id,
      status: 'pending',
      action_hash: expect.stringMatching(/^sha256:/),
      expires_at: expect.any(String),
      decided_at: null,
      consumed: false,
    });
    expect(
      await problem(await f.call('GET', `/v1/approvals/${t.id}`, { token: 'pcs_agent_other' })),
    ).toMatchObject({ status: 404 });
    expect(await problem(await f.call('GET', '/v1/approvals', { token: 'pcs_agent_pay' }))).toMatchObject({
      status: 401,
    });
    const waiting = f.call('GET', `/v1/approvals/${t.id}?wait=30`, { token: 'pcs_agent_pay' });
    setTimeout(() => void f.call('POST', `/v1/approvals/${t.id}/approve`, { as: 'alice' }), 30);
    expect(await (await waiting).json()).toMatchObject({ status: 'approved' });
    // A wait longer than the maximum is cut to it (2 s here), not refused.
    const started = Date.now();
    const other = await f.escalate({ amount: 1 });
    expect(
      await (await f.call('GET', `/v1/approvals/${other.id}?wait=3600`, { as: 'alice' })).json(),
    ).toMatchObject({ status: 'pending' });
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it('approve and deny need the approver role; auditors and admins cannot decide', async () => {
    f = await fixture();
    const t = await f.escalate();
    expect(
      await problem(await f.call('POST', `/v1/approvals/${t.id}/approve`, { as: 'audrey' })),
    ).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await problem(await f.call('POST', `/v1/approvals/${t.id}/deny`, { as: 'adam' }))).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    expect(await problem(await f.call('POST', `/v1/approvals/${t.id}/approve`))).toMatchObject({
      status: 401,
    });
    expect(f.records.map((r) => [r.type, r.details.operator, r.details.result])).toEqual([
      ['approval', 'audrey', 'forbidden'],
      ['approval', 'adam', 'forbidden'],
      ['approval', null, 'unauthenticated'],
    ]);
  });

  it('enforces quorum, separation of duties, one vote per person and finality', async () => {
    f = await fixture();
    const t = await f.escalate();
    const url = `/v1/approvals/${t.id}`;
    expect(await problem(await f.call('POST', `${url}/approve`, { as: 'carol' }))).toMatchObject({
      status: 403,
      code: 'separation_of_duties',
    });
    const first = await f.call('POST', `${url}/approve`, {
      as: 'alice',
      body: { comment: 'checked the invoice' },
    });
    expect(await first.json()).toMatchObject({
      status: 'pending',
      approvals: { given: 1, needed: 2 },
      votes: [{ by: 'alice', comment: 'checked the invoice' }],
    });
    expect(await problem(await f.call('POST', `${url}/approve`, { as: 'alice' }))).toMatchObject({
      status: 409,
      code: 'duplicate_vote',
    });
    expect(await (await f.call('POST', `${url}/approve`, { as: 'bob' })).json()).toMatchObject({
      status: 'approved',
    });
    expect(await problem(await f.call('POST', `${url}/deny`, { as: 'carol' }))).toMatchObject({
      status: 409,
      code: 'approval_closed',
    });
    const unknown = await f.call('POST', '/v1/approvals/apr_0000000000000000000000000000dead/approve', {
      as: 'alice',
    });
    expect(await problem(unknown)).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('refuses bad bodies with stable codes, records them, and keeps serving', async () => {
    f = await fixture();
    const t = await f.escalate();
    const url = `/v1/approvals/${t.id}/deny`;
    const cases: Array<[string | object, string, number, string?]> = [
      ['{"comment":', 'invalid_json', 400],
      [{ comment: 5 }, 'invalid_request', 400],
      [{ comment: 'x', approve: true }, 'invalid_request', 400],
      [[1, 2], 'invalid_request', 400],
      [{ comment: 'x'.repeat(20_000) }, 'payload_too_large', 413],
      ['comment=x', 'unsupported_media_type', 415, 'application/x-www-form-urlencoded'],
      ['[[[[[[[[[[[[1]]]]]]]]]]]]', 'nesting_too_deep', 400],
    ];
    for (const [body, code, status, type] of cases) {
      expect(
        await problem(
          await f.call('POST', url, { as: 'alice', body, ...(type === undefined ? {} : { type }) }),
        ),
      ).toMatchObject({ status, code });
    }
    expect(f.records.map((r) => r.details.result)).toEqual(cases.map((c) => c[1]));
    expect((await f.approvals.get(t.id))!.status).toBe('pending');
    expect(await (await f.call('POST', url, { as: 'alice', body: {} })).json()).toMatchObject({
      status: 'denied',
    });
  });
});

describe('admin routes', () => {
  it('freeze, unfreeze and posture need the admin role; status also opens to auditors', async () => {
    f = await fixture();
    const freeze = { target: 'agent', id: 'pay-bot', reason: 'runaway loop' };
    expect(
      await problem(await f.call('POST', '/v1/admin/freeze', { as: 'alice', body: freeze })),
    ).toMatchObject({ status: 403 });
    expect(await problem(await f.call('POST', '/v1/admin/freeze', { body: freeze }))).toMatchObject({
      status: 401,
    });
    expect(
      await problem(
        await f.call('PUT', '/v1/admin/posture', {
          as: 'audrey',
          body: { posture: 'lockdown', reason: 'x' },
        }),
      ),
    ).toMatchObject({ status: 403 });
    expect((await f.call('GET', '/v1/admin/status', { as: 'audrey' })).status).toBe(200);
    expect(await problem(await f.call('GET', '/v1/admin/status', { as: 'alice' }))).toMatchObject({
      status: 403,
    });
  });

  it('freezes and unfreezes an agent, a tool and everything, effective at once', async () => {
    f = await fixture();
    const res = await f.call('POST', '/v1/admin/freeze', {
      as: 'adam',
      body: { target: 'agent', id: 'pay-bot', reason: 'runaway loop' },
    });
    expect(await res.json()).toMatchObject({
      changed: true,
      state: { agents: { 'pay-bot': { reason: 'runaway loop', by: 'adam' } } },
    });
    expect(f.killSwitch.frozenReason('pay-bot', 'x')).toMatch(/runaway loop/);
    expect(
      await (
        await f.call('POST', '/v1/admin/freeze', {
          as: 'adam',
          body: { target: 'agent', id: 'pay-bot', reason: 'again' },
        })
      ).json(),
    ).toMatchObject({ changed: false });
    await f.call('POST', '/v1/admin/freeze', {
      as: 'adam',
      body: { target: 'tool', id: 'payments.*', reason: 'fraud alert' },
    });
    expect(f.killSwitch.frozenReason('crm-bot', 'payments.refund')).toMatch(/fraud alert/);
    await f.call('POST', '/v1/admin/freeze', { as: 'adam', body: { target: 'all', reason: 'breach' } });
    expect(f.killSwitch.frozenReason('crm-bot', 'crm.get')).toMatch(/all agents are frozen/);
    for (const body of [
      { target: 'all' },
      { target: 'agent', id: 'pay-bot' },
      { target: 'tool', id: 'payments.*' },
    ]) {
      expect(await (await f.call('POST', '/v1/admin/unfreeze', { as: 'adam', body })).json()).toMatchObject({
        changed: true,
      });
    }
    expect(f.killSwitch.frozenReason('pay-bot', 'payments.refund')).toBeNull();
    const status = (await (await f.call('GET', '/v1/admin/status', { as: 'adam' })).json()) as Record<
      string,
      unknown
    >;
    expect(status).toEqual({
      posture: 'normal',
      frozen: { all: null, agents: {}, tools: {} },
      policy_version: 'sha256:test',
    });
    expect(f.records.filter((r) => r.type === 'admin_action')).toHaveLength(8);
  });

  it('sets the posture', async () => {
    f = await fixture();
    expect(
      await (
        await f.call('PUT', '/v1/admin/posture', {
          as: 'adam',
          body: { posture: 'lockdown', reason: 'incident 9' },
        })
      ).json(),
    ).toEqual({ posture: 'lockdown', previous: 'normal' });
    expect(f.killSwitch.posture).toBe('lockdown');
  });

  it('refuses bad input on every admin route with stable codes', async () => {
    f = await fixture();
    const bad: Array<[string, string, string | object, string, number]> = [
      ['POST', '/v1/admin/freeze', { target: 'agent', reason: 'no id' }, 'invalid_request', 400],
      ['POST', '/v1/admin/freeze', { target: 'all', id: 'x', reason: 'id with all' }, 'invalid_request', 400],
      [
        'POST',
        '/v1/admin/freeze',
        { target: 'agent', id: 'bot-*', reason: 'glob agent' },
        'invalid_request',
        400,
      ],
      ['POST', '/v1/admin/freeze', { target: 'galaxy', reason: 'x' }, 'invalid_request', 400],
      ['POST', '/v1/admin/freeze', { target: 'all' }, 'invalid_request', 400],
      ['POST', '/v1/admin/freeze', { target: 'all', reason: '   ' }, 'invalid_request', 400],
      ['POST', '/v1/admin/freeze', { target: 'tool', id: 'a b', reason: 'space' }, 'invalid_request', 400],
      ['POST', '/v1/admin/freeze', '{target:', 'invalid_json', 400],
      ['POST', '/v1/admin/freeze', { target: 'all', reason: 'x'.repeat(17_000) }, 'payload_too_large', 413],
      ['POST', '/v1/admin/unfreeze', { target: 'agent' }, 'invalid_request', 400],
      ['POST', '/v1/admin/unfreeze', { target: 'all', extra: 1 }, 'invalid_request', 400],
      ['PUT', '/v1/admin/posture', { posture: 'panic', reason: 'x' }, 'invalid_request', 400],
      ['PUT', '/v1/admin/posture', { posture: 'normal' }, 'invalid_request', 400],
      ['PUT', '/v1/admin/posture', 'null', 'invalid_request', 400],
    ];
    for (const [method, path, body, code, status] of bad) {
      expect(await problem(await f.call(method, path, { as: 'adam', body }))).toMatchObject({ status, code });
    }
    expect(await problem(await f.call('GET', '/v1/admin/status?x=1', { as: 'adam' }))).toMatchObject({
      status: 400,
    });
    expect(f.killSwitch.snapshot()).toEqual({ all: null, agents: {}, tools: {}, posture: 'normal' });
    expect(f.records.filter((r) => r.details.result !== 'ok')).toHaveLength(bad.length + 1);
  });
});
