/**
 * End to end with the real `portcullis serve` over real HTTP and the real CLI: an agent's large
 * transfer escalates, people approve it through the CLI and the API (quorum, separation of
 * duties, roles), the agent waits (long-poll on the approval and on /v1/decide) and then gets
 * exactly one allow for exactly that action; approvals expire; concurrent votes and requests
 * never double count; the kill switch and posture act on the next request; a pending approval
 * and a freeze survive a real restart (SIGTERM, start again on the same files); and every
 * approval state change and operator action is in the SQLite ledger.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, tempDir, type RunningGateway } from './cli-harness.js';
import {
  AGENT_KEY,
  OPERATORS,
  agentDecide,
  apiCalls,
  asOperator,
  cli,
  operatorApi,
  readLedger,
  readLedgerOverHttp,
  sha,
  stateChanges,
  until,
  writeConfig,
  type LedgerEvent,
} from './approvals-harness.js';

const dir = tempDir('pc-e2e-approvals-');
const hooks: Array<{ text: string; event: string }> = [];
let hookServer: Server;
let configFile: string;
let gw: RunningGateway;

/** Exports need one approver within 2 seconds: short enough to watch an approval expire. */
const EXPORT_POLICY = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: e2e-exports, version: 1.0.0 }
rules:
  - id: export-needs-quick-approval
    target: { kinds: [tool_call], tools: ["reports.export"] }
    effect: escalate
    reason: Report exports need an approver within 2 seconds
    obligations:
      approvals:
        - { roles: [approver], count: 1, expires_in: 2s }
`;

const transfer = (amount: number) => ({
  action: {
    kind: 'tool_call',
    tool: 'payments.transfer',
    args: { amount, currency: 'EUR', country: 'DE', beneficiary: 'ACME GmbH' },
  },
  on_behalf_of: 'carol@bank.example',
});
const exportReport = (name: string) => ({
  action: { kind: 'tool_call', tool: 'reports.export', args: { name } },
});

interface DecisionBody {
  outcome: string;
  code: string;
  reasons: string[];
  matched: Array<{ rule_id: string }>;
  approval?: { id: string; status: string };
}

interface ApprovalView {
  id: string;
  status: string;
  action: { args: Record<string, unknown> };
  approvals: { given: number; needed: number };
  votes: Array<{ by: string; decision: string }>;
}

async function decide(body: unknown): Promise<DecisionBody> {
  const res = await agentDecide(gw.url, body);
  expect(res.status).toBe(200);
  return (await res.json()) as DecisionBody;
}

const api = (method: string, path: string, who: string, body?: unknown) =>
  operatorApi(gw.url, method, path, who, body);

async function codeOf(res: Response | Promise<Response>): Promise<string> {
  const r = await res;
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return ((await r.json()) as { code: string }).code;
}

async function view(id: string, who = 'audrey'): Promise<ApprovalView> {
  const res = await api('GET', `/v1/approvals/${id}`, who);
  expect(res.status).toBe(200);
  return (await res.json()) as ApprovalView;
}

/** The pending approval whose action has this argument, once the gateway has created it. */
async function pendingFor(arg: string, value: unknown): Promise<string> {
  let id: string | undefined;
  await until(
    async () => {
      const res = await api('GET', '/v1/approvals?status=pending', 'alice');
      const list = ((await res.json()) as { approvals: ApprovalView[] }).approvals;
      id = list.find((a) => a.action.args[arg] === value)?.id;
      return id !== undefined;
    },
    5000,
    `a pending approval for ${arg} ${String(value)}`,
  );
  return id!;
}

const start = async (): Promise<RunningGateway> => (gw = await startGateway(configFile));

/** Remembered for the ledger checks at the end. */
const ids: Record<string, string> = {};
let events: LedgerEvent[] = [];

/**
 * The whole ledger: through the auditor's `GET /v1/audit/events` when the gateway serves it,
 * otherwise from the SQLite file, read-only, once the gateway has stopped.
 */
async function loadLedger(): Promise<LedgerEvent[]> {
  const viaApi = await readLedgerOverHttp(gw.url, 'audrey');
  if (viaApi !== null) return viaApi;
  expect(await gw.stop('SIGTERM')).toBe(0);
  return readLedger(dir);
}

beforeAll(async () => {
  hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooks.push(JSON.parse(body) as { text: string; event: string });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'exports.yaml'), EXPORT_POLICY);
  configFile = writeConfig(dir, {
    policies: {
      paths: [
        resolve('examples/payments/policies'),
        resolve('examples/confidence-routing/policies'),
        'policies',
      ],
      watch: false,
    },
    agents: [{ id: 'pay-bot', api_key_sha256: sha(AGENT_KEY), permissions: ['payments:execute'] }],
    operators: OPERATORS,
    approvals: {
      store: 'sqlite',
      path: 'approvals.db',
      max_wait_seconds: 20,
      sweep_interval_ms: 200,
      webhook: {
        url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
        max_attempts: 2,
      },
    },
  });
  await start();
});

afterAll(async () => {
  await gw?.stop();
  await new Promise<void>((r) => hookServer.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('approvals end to end (portcullis serve)', () => {
  it('escalate -> two approvers (CLI and API) -> the identical action is allowed exactly once', async () => {
    const first = await decide(transfer(25_000));
    expect(first.outcome).toBe('escalate');
    expect(first.approval).toEqual({ id: expect.stringMatching(/^apr_[0-9a-f]{32}$/), status: 'pending' });
    const id = (ids.main = first.approval!.id);

    // Resubmitting while pending reports the same approval (no duplicates for approvers).
    expect((await decide(transfer(25_000))).approval).toEqual({ id, status: 'pending' });

    // The approvers see it; the CLI lists and shows it.
    const list = await cli(
      ['approvals', 'list', '--status', 'pending', '--url', gw.url],
      asOperator('alice'),
    );
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(id);
    const show = await cli(['approvals', 'show', id, '--url', gw.url, '--json'], asOperator('audrey'));
    expect(JSON.parse(show.stdout)).toMatchObject({
      id,
      status: 'pending',
      requirements: [{ roles: ['treasury-approver'], count: 2 }],
      on_behalf_of: 'carol@bank.example',
    });

    // The agent long-polls its approval while people decide.
    const waiting = fetch(`${gw.url}/v1/approvals/${id}?wait=15`, {
      headers: { authorization: `Bearer ${AGENT_KEY}` },
    });

    // Carol is the user the agent acts for: she cannot approve (separation of duties).
    const self = await cli(['approvals', 'approve', id, '--url', gw.url], asOperator('carol'));
    expect(self.status).toBe(1);
    expect(self.stderr).toContain('error[separation_of_duties]');
    // Wrong roles: an auditor is no approver; erin approves, but not treasury; an agent key is no operator.
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'audrey')).status).toBe(403);
    const erin = await api('POST', `/v1/approvals/${id}/approve`, 'erin');
    expect(erin.status).toBe(403);
    expect(await codeOf(erin)).toBe('forbidden');
    const byAgent = await fetch(`${gw.url}/v1/approvals/${id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${AGENT_KEY}` },
    });
    expect(byAgent.status).toBe(401);

    const a1 = await cli(
      ['approvals', 'approve', id, '--comment', 'invoice checked', '--url', gw.url],
      asOperator('alice'),
    );
    expect(a1.status).toBe(0);
    // Alice again: one person counts once.
    expect(await codeOf(api('POST', `/v1/approvals/${id}/approve`, 'alice'))).toBe('duplicate_vote');
    // Before the quorum the action is still held.
    expect((await decide(transfer(25_000))).outcome).toBe('escalate');
    expect((await view(id)).approvals).toEqual({ given: 1, needed: 2 });
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'bob')).status).toBe(200);

    const polled = await waiting;
    expect(polled.status).toBe(200);
    expect(((await polled.json()) as { status: string }).status).toBe('approved');

    // Changed arguments need their own approval.
    const changed = await decide(transfer(25_001));
    expect(changed.outcome).toBe('escalate');
    expect(changed.approval!.id).not.toBe(id);

    const allowed = await decide(transfer(25_000));
    expect(allowed.outcome).toBe('allow');
    expect(allowed.approval).toEqual({ id, status: 'approved' });

    // Replaying the same action does not reuse the approval.
    const replay = await decide(transfer(25_000));
    expect(replay.outcome).toBe('escalate');
    expect(replay.approval!.id).not.toBe(id);
    ids.replay = replay.approval!.id;

    // The webhook told the approvers, with a Slack-compatible text.
    await until(() => hooks.some((h) => h.event === 'approval.approved'), 5000, 'the approved webhook');
    expect(
      hooks.some(
        (h) =>
          h.event === 'approval.created' &&
          h.text.includes('pay-bot (for carol@bank.example) wants tool_call payments.transfer'),
      ),
    ).toBe(true);
  });

  it('a denial is final for the identical action', async () => {
    const d = await decide(transfer(30_000));
    const id = (ids.denied = d.approval!.id);
    const deny = await cli(
      ['approvals', 'deny', id, '--comment', 'unknown beneficiary', '--url', gw.url],
      asOperator('bob'),
    );
    expect(deny.status).toBe(0);
    expect(await decide(transfer(30_000))).toMatchObject({
      outcome: 'deny',
      code: 'approval_denied',
      approval: { id, status: 'denied' },
    });
    expect(await codeOf(api('POST', `/v1/approvals/${id}/approve`, 'alice'))).toBe('approval_closed');
  });

  it('unknown approval ids and missing or wrong credentials are refused with stable codes', async () => {
    const unknown = await cli(
      ['approvals', 'show', 'apr_00000000000000000000000000000000', '--url', gw.url],
      asOperator('alice'),
    );
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('error[not_found]');
    const res = await api('POST', '/v1/approvals/apr_ffffffffffffffffffffffffffffffff/approve', 'alice');
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe('not_found');
    const nokey = await cli(['approvals', 'list', '--url', gw.url]);
    expect(nokey.status).toBe(1);
    expect(nokey.stderr).toContain('PORTCULLIS_OPERATOR_KEY');
    const wrong = await cli(['approvals', 'list', '--url', gw.url], {
      PORTCULLIS_OPERATOR_KEY: 'pcs_not_a_key',
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('error[unauthenticated]');
  });

  it('an approval nobody decides expires (a deny); a late vote is refused; asking again starts anew', async () => {
    const first = await decide(exportReport('q3'));
    expect(first.outcome).toBe('escalate');
    const id = (ids.expired = first.approval!.id);
    // The agent waits on it; it runs out after 2 s.
    const res = await fetch(`${gw.url}/v1/approvals/${id}?wait=10`, {
      headers: { authorization: `Bearer ${AGENT_KEY}` },
    });
    expect(((await res.json()) as { status: string }).status).toBe('expired');
    expect(await codeOf(api('POST', `/v1/approvals/${id}/approve`, 'alice'))).toBe('approval_closed');
    const listed = await cli(
      ['approvals', 'list', '--status', 'expired', '--json', '--url', gw.url],
      asOperator('audrey'),
    );
    expect((JSON.parse(listed.stdout) as { approvals: ApprovalView[] }).approvals.map((a) => a.id)).toContain(
      id,
    );
    const again = await decide(exportReport('q3'));
    expect(again).toMatchObject({ outcome: 'escalate', approval: { status: 'pending' } });
    expect(again.approval!.id).not.toBe(id);
  });

  it('concurrent votes never double count, and an approval is consumed exactly once', async () => {
    const d = await decide(transfer(60_000));
    const id = (ids.concurrent = d.approval!.id);
    // Three eligible people, each clicking three times, all at once, on a quorum of two.
    const votes = await Promise.all(
      ['alice', 'bob', 'dave'].flatMap((who) =>
        [0, 1, 2].map(async () => {
          const r = await api('POST', `/v1/approvals/${id}/approve`, who);
          return { who, status: r.status, code: r.ok ? 'ok' : ((await r.json()) as { code: string }).code };
        }),
      ),
    );
    const accepted = votes.filter((v) => v.status === 200);
    expect(accepted).toHaveLength(2);
    expect(new Set(accepted.map((v) => v.who)).size).toBe(2);
    expect(votes.filter((v) => v.status !== 200).every((v) => v.status === 409)).toBe(true);
    // A second click by the same person, or any click after the quorum.
    for (const v of votes.filter((x) => x.status !== 200))
      expect(['duplicate_vote', 'approval_closed']).toContain(v.code);
    const after = await view(id);
    expect(after.status).toBe('approved');
    expect(after.approvals).toEqual({ given: 2, needed: 2 });
    expect(after.votes).toHaveLength(2);

    // Ten identical requests at once: exactly one is allowed; the rest share one new approval.
    const answers = await Promise.all(Array.from({ length: 10 }, () => decide(transfer(60_000))));
    const allowed = answers.filter((a) => a.outcome === 'allow');
    expect(allowed).toHaveLength(1);
    expect(allowed[0]!.approval).toEqual({ id, status: 'approved' });
    const held = answers.filter((a) => a.outcome !== 'allow');
    expect(held.every((a) => a.outcome === 'escalate' && a.approval?.status === 'pending')).toBe(true);
    expect(new Set(held.map((a) => a.approval!.id)).size).toBe(1);
    expect(held[0]!.approval!.id).not.toBe(id);
  });

  it('POST /v1/decide?wait= long-polls: approved during the wait -> allow; denied -> deny; timeout -> still pending', async () => {
    // Approved while the agent waits: the same request answers allow.
    const approvedWait = agentDecide(gw.url, transfer(50_000), '?wait=5');
    const id = (ids.longPoll = await pendingFor('amount', 50_000));
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'alice')).status).toBe(200);
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'dave')).status).toBe(200);
    const approved = await approvedWait;
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ outcome: 'allow', approval: { id, status: 'approved' } });
    expect((await view(id)).status).toBe('approved');
    // It was used by that answer: the identical action needs a new approval.
    const replay = await decide(transfer(50_000));
    expect(replay.outcome).toBe('escalate');
    expect(replay.approval!.id).not.toBe(id);

    // Denied while the agent waits: deny.
    const deniedWait = agentDecide(gw.url, transfer(55_000), '?wait=5');
    const denyId = await pendingFor('amount', 55_000);
    expect((await api('POST', `/v1/approvals/${denyId}/deny`, 'bob')).status).toBe(200);
    expect(await (await deniedWait).json()).toMatchObject({
      outcome: 'deny',
      code: 'approval_denied',
      approval: { id: denyId, status: 'denied' },
    });

    // Nobody decides within the wait: still escalate, still pending.
    const t0 = Date.now();
    const timedOut = await agentDecide(gw.url, transfer(70_000), '?wait=1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(timedOut.status).toBe(200);
    const body = (await timedOut.json()) as DecisionBody;
    expect(body).toMatchObject({ outcome: 'escalate', approval: { status: 'pending' } });
    expect((await view(body.approval!.id)).status).toBe('pending');

    for (const bad of ['abc', '-1', '1.5']) {
      const res = await agentDecide(gw.url, transfer(70_000), `?wait=${bad}`);
      expect(res.status).toBe(400);
      expect(await codeOf(res)).toBe('invalid_request');
    }
  });

  // An approval that expires while the agent waits on /v1/decide is decided (expiry is a deny):
  // the answer must be that deny, not a new pending approval for the same action.
  it('POST /v1/decide?wait= on an approval that expires during the wait answers deny (expired)', async () => {
    const expiringWait = agentDecide(gw.url, exportReport('expires-in-wait'), '?wait=10');
    const id = (ids.expiredInWait = await pendingFor('name', 'expires-in-wait'));
    const answer = (await (await expiringWait).json()) as DecisionBody;
    expect(answer).toMatchObject({
      outcome: 'deny',
      code: 'approval_denied',
      approval: { id, status: 'expired' },
    });
  });

  it('the kill switch and posture act on the next request', async () => {
    const small = transfer(100);
    expect((await decide(small)).outcome).toBe('allow');
    const freeze = await cli(
      ['admin', 'freeze', '--agent', 'pay-bot', '--reason', 'runaway loop', '--url', gw.url],
      asOperator('adam'),
    );
    expect(freeze.stdout).toBe('frozen\n');
    expect(await decide(small)).toMatchObject({
      outcome: 'deny',
      code: 'kill_switch',
      reasons: [expect.stringContaining('runaway loop')],
    });
    const unfreeze = await cli(
      ['admin', 'unfreeze', '--agent', 'pay-bot', '--url', gw.url],
      asOperator('adam'),
    );
    expect(unfreeze.stdout).toBe('unfrozen\n');
    expect((await decide(small)).outcome).toBe('allow');

    await cli(
      ['admin', 'freeze', '--tool', 'payments.*', '--reason', 'fraud alert', '--url', gw.url],
      asOperator('adam'),
    );
    expect((await decide(small)).code).toBe('kill_switch');
    expect(
      (await api('POST', '/v1/admin/unfreeze', 'adam', { target: 'tool', id: 'payments.*' })).status,
    ).toBe(200);
    expect((await decide(small)).outcome).toBe('allow');

    expect(
      (await api('POST', '/v1/admin/freeze', 'adam', { target: 'all', reason: 'incident 41' })).status,
    ).toBe(200);
    expect(await decide(exportReport('any'))).toMatchObject({ outcome: 'deny', code: 'kill_switch' });
    expect((await api('POST', '/v1/admin/unfreeze', 'adam', { target: 'all' })).status).toBe(200);

    // Wrong role: an approver cannot freeze.
    const refused = await cli(
      ['admin', 'freeze', '--all', '--reason', 'x', '--url', gw.url],
      asOperator('alice'),
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('error[forbidden]');

    const lockdown = await cli(
      ['admin', 'posture', 'lockdown', '--reason', 'incident 12', '--url', gw.url],
      asOperator('adam'),
    );
    expect(lockdown.stdout).toBe('posture normal -> lockdown\n');
    expect(await decide(small)).toMatchObject({
      outcome: 'deny',
      matched: expect.arrayContaining([expect.objectContaining({ rule_id: 'lockdown-denies' })]),
    });
    const status = JSON.parse(
      (await cli(['admin', 'status', '--url', gw.url], asOperator('audrey'))).stdout,
    ) as Record<string, unknown>;
    expect(status).toMatchObject({
      posture: 'lockdown',
      frozen: { all: null, agents: {}, tools: {} },
      approvals: { approved: 3, denied: 2 },
    });
    expect((status.approvals as { expired: number }).expired).toBeGreaterThanOrEqual(1);
    // Elevated posture: even a confident CRM action is reviewed by a person.
    expect(
      (await api('PUT', '/v1/admin/posture', 'adam', { posture: 'elevated', reason: 'watching' })).status,
    ).toBe(200);
    const crm = { action: { kind: 'tool_call', tool: 'crm.read', args: {} }, context: { confidence: 0.99 } };
    expect(await decide(crm)).toMatchObject({
      outcome: 'escalate',
      matched: expect.arrayContaining([
        expect.objectContaining({ rule_id: 'elevated-posture-reviews-everything' }),
      ]),
    });
    expect(
      (await api('PUT', '/v1/admin/posture', 'adam', { posture: 'normal', reason: 'resolved' })).status,
    ).toBe(200);
    expect((await decide(crm)).outcome).toBe('allow');
  });

  it('a pending approval and the kill switch survive a restart (SIGTERM, start again on the same files)', async () => {
    const pending = await decide(transfer(40_000));
    const id = (ids.restart = pending.approval!.id);
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'alice')).status).toBe(200);
    await cli(
      ['admin', 'freeze', '--tool', 'crm.delete_contact', '--reason', 'audit', '--url', gw.url],
      asOperator('adam'),
    );
    expect(await gw.stop('SIGTERM')).toBe(0);
    // Approvals hold action arguments: the store is readable by its owner only.
    expect(statSync(join(dir, 'approvals.db')).mode & 0o077).toBe(0);

    await start();
    const status = JSON.parse(
      (await cli(['admin', 'status', '--url', gw.url], asOperator('adam'))).stdout,
    ) as {
      frozen: { tools: Record<string, { reason: string; by: string }> };
    };
    expect(status.frozen.tools['crm.delete_contact']).toMatchObject({ reason: 'audit', by: 'adam' });
    expect(
      await decide({ action: { kind: 'tool_call', tool: 'crm.delete_contact', args: { id: 7 } } }),
    ).toMatchObject({
      outcome: 'deny',
      code: 'kill_switch',
      reasons: [expect.stringContaining('audit')],
    });
    expect((await decide(transfer(40_000))).approval).toEqual({ id, status: 'pending' });
    // Alice's vote was kept: she cannot count twice; Bob completes the quorum.
    expect(await codeOf(api('POST', `/v1/approvals/${id}/approve`, 'alice'))).toBe('duplicate_vote');
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'bob')).status).toBe(200);
    expect(await decide(transfer(40_000))).toMatchObject({
      outcome: 'allow',
      approval: { id, status: 'approved' },
    });
  });

  it('every approval state change and operator action is in the ledger', async () => {
    events = await loadLedger();

    expect(stateChanges(events, ids.main!)).toEqual(['created', 'vote', 'vote', 'consumed']);
    expect(stateChanges(events, ids.replay!)).toEqual(['created']);
    expect(stateChanges(events, ids.denied!)).toEqual(['created', 'vote']);
    expect(stateChanges(events, ids.expired!)).toEqual(['created', 'expired']);
    expect(stateChanges(events, ids.concurrent!)).toEqual(['created', 'vote', 'vote', 'consumed']);
    expect(stateChanges(events, ids.longPoll!)).toEqual(['created', 'vote', 'vote', 'consumed']);
    expect(stateChanges(events, ids.expiredInWait!)).toEqual(['created', 'expired']);
    // Across the restart: created and Alice's vote before it, Bob's vote and the use after it.
    expect(stateChanges(events, ids.restart!)).toEqual(['created', 'vote', 'vote', 'consumed']);

    const change = (id: string, event: string) =>
      events.find(
        (e) =>
          e.type === 'approval' && e.inputs.details?.approval_id === id && e.inputs.details.event === event,
      )!.inputs.details!;
    expect(change(ids.denied!, 'vote')).toMatchObject({ from: 'pending', to: 'denied', by: 'bob' });
    expect(change(ids.expired!, 'expired')).toMatchObject({ from: 'pending', to: 'expired', by: null });
    expect(change(ids.main!, 'created')).toMatchObject({
      agent_id: 'pay-bot',
      on_behalf_of: 'carol@bank.example',
      tool: 'payments.transfer',
    });
    // Arguments never enter the ledger through an approval event.
    expect(JSON.stringify(events.filter((e) => e.type === 'approval'))).not.toContain('ACME GmbH');

    const calls = apiCalls(events);
    const has = (want: Record<string, unknown>) =>
      expect(calls, JSON.stringify(want)).toContainEqual(expect.objectContaining(want));
    // Approval API uses, refused ones included.
    has({
      type: 'approval',
      method: 'POST',
      operator: 'carol',
      result: 'separation_of_duties',
      approval_id: ids.main,
    });
    has({
      type: 'approval',
      method: 'POST',
      operator: 'alice',
      result: 'duplicate_vote',
      approval_id: ids.main,
    });
    has({ type: 'approval', method: 'POST', operator: 'erin', result: 'forbidden', approval_id: ids.main });
    has({ type: 'approval', method: 'POST', operator: 'audrey', result: 'forbidden' });
    has({ type: 'approval', method: 'POST', operator: null, result: 'unauthenticated' });
    has({ type: 'approval', method: 'GET', path: '/v1/approvals', operator: 'alice', result: 'ok' });
    has({ type: 'approval', method: 'POST', operator: 'alice', result: 'not_found' });
    // Admin actions, with who and why.
    has({
      type: 'admin_action',
      path: '/v1/admin/freeze',
      operator: 'adam',
      result: 'ok',
      target: 'agent',
      id: 'pay-bot',
      reason: 'runaway loop',
    });
    has({
      type: 'admin_action',
      path: '/v1/admin/unfreeze',
      operator: 'adam',
      result: 'ok',
      target: 'agent',
      id: 'pay-bot',
    });
    has({
      type: 'admin_action',
      path: '/v1/admin/freeze',
      operator: 'adam',
      result: 'ok',
      target: 'tool',
      id: 'payments.*',
    });
    has({ type: 'admin_action', path: '/v1/admin/freeze', operator: 'adam', result: 'ok', target: 'all' });
    has({ type: 'admin_action', path: '/v1/admin/freeze', operator: 'alice', result: 'forbidden' });
    has({
      type: 'admin_action',
      path: '/v1/admin/posture',
      operator: 'adam',
      result: 'ok',
      posture: 'lockdown',
      previous: 'normal',
      reason: 'incident 12',
    });
    has({
      type: 'admin_action',
      path: '/v1/admin/posture',
      operator: 'adam',
      result: 'ok',
      posture: 'normal',
      previous: 'elevated',
    });
    has({ type: 'admin_action', path: '/v1/admin/status', operator: 'audrey', result: 'ok' });
    has({
      type: 'admin_action',
      path: '/v1/admin/freeze',
      operator: 'adam',
      result: 'ok',
      target: 'tool',
      id: 'crm.delete_contact',
    });
  });

  // The ledger's own fields (not only free-form details) say who acted and which decision an
  // approval belongs to: `action.actor` ("who caused it: an admin identity") and `decision_id`
  // ("links approval events to their decision"), as the audit API's own records already do.
  it('ledger events about people name the person as actor and link approvals to their decision', () => {
    const votes = events.filter((e) => e.type === 'approval' && e.inputs.details?.event === 'vote');
    expect(votes.length).toBeGreaterThan(0);
    for (const e of votes) expect(e.action.actor).toBe(e.inputs.details!.by);
    const admin = events.filter(
      (e) => e.type === 'admin_action' && typeof e.inputs.details?.operator === 'string',
    );
    expect(admin.length).toBeGreaterThan(0);
    for (const e of admin) expect(e.action.actor).toBe(e.inputs.details!.operator);
    const created = events.filter((e) => e.type === 'approval' && e.inputs.details?.event === 'created');
    for (const e of created) expect(e.decision_id).toBe(e.inputs.details!.decision_id);
  });
});
