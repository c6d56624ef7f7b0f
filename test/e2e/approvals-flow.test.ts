/**
 * End to end over real HTTP: an agent's large transfer escalates, people approve it through the
 * CLI and the API (quorum, separation of duties), the agent long-polls and then gets exactly one
 * allow for exactly that action; the kill switch and posture take effect on the next request; a
 * pending approval survives a restart.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './cli-harness.js';
import { AGENT_KEY, OPERATORS, cli, opKey, sha, startInProcess, type Running } from './approvals-harness.js';

const dir = tempDir('pc-e2e-approvals-');
const hooks: Array<{ text: string; event: string }> = [];
let hookServer: Server;
let gw: Running;

function config(hookUrl: string) {
  return {
    policies: {
      paths: [resolve('examples/payments/policies'), resolve('examples/confidence-routing/policies')],
      watch: false,
    },
    agents: [{ id: 'pay-bot', api_key_sha256: sha(AGENT_KEY), permissions: ['payments:execute'] }],
    operators: OPERATORS,
    approvals: {
      path: join(dir, 'approvals.db'),
      max_wait_seconds: 20,
      webhook: { url: hookUrl, max_attempts: 2 },
    },
  };
}

const transfer = (amount: number, extra: Record<string, unknown> = {}) => ({
  action: {
    kind: 'tool_call',
    tool: 'payments.transfer',
    args: { amount, currency: 'EUR', country: 'DE', beneficiary: 'ACME GmbH' },
  },
  on_behalf_of: 'carol@bank.example',
  ...extra,
});

interface DecisionBody {
  outcome: string;
  code: string;
  reasons: string[];
  matched: Array<{ rule_id: string }>;
  approval: { id: string; status: string };
}

async function decide(body: unknown): Promise<DecisionBody> {
  const res = await fetch(`${gw.url}/v1/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${AGENT_KEY}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as DecisionBody;
}

async function api(method: string, path: string, who: string, body?: unknown): Promise<Response> {
  return fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opKey(who)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Waits (up to 10 s) for something asynchronous, such as a webhook delivery. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
}

const asOperator = (who: string) => ({ PORTCULLIS_OPERATOR_KEY: opKey(who) });

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
  gw = await startInProcess(
    config(`http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`),
    dir,
  );
});

afterAll(async () => {
  await gw?.stop();
  await new Promise<void>((r) => hookServer.close(() => r()));
});

describe('approvals end to end', () => {
  it('escalate -> two approvers (CLI and API) -> the identical action is allowed exactly once', async () => {
    const first = await decide(transfer(25_000));
    expect(first.outcome).toBe('escalate');
    expect(first.approval).toEqual({ id: expect.stringMatching(/^apr_[0-9a-f]{32}$/), status: 'pending' });
    const id = first.approval.id;

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

    // The agent long-polls while people decide.
    const waiting = fetch(`${gw.url}/v1/approvals/${id}?wait=15`, {
      headers: { authorization: `Bearer ${AGENT_KEY}` },
    });

    // Carol is the user the agent acts for: she cannot approve.
    const self = await cli(['approvals', 'approve', id, '--url', gw.url], asOperator('carol'));
    expect(self.status).toBe(1);
    expect(self.stderr).toContain('error[separation_of_duties]');
    // An auditor cannot approve.
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'audrey')).status).toBe(403);

    const a1 = await cli(
      ['approvals', 'approve', id, '--comment', 'invoice checked', '--url', gw.url],
      asOperator('alice'),
    );
    expect(a1.status).toBe(0);
    // Alice again: one person counts once.
    const again = await api('POST', `/v1/approvals/${id}/approve`, 'alice');
    expect(((await again.json()) as { code: string }).code).toBe('duplicate_vote');
    // Before the quorum the action is still held.
    expect((await decide(transfer(25_000))).outcome).toBe('escalate');
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'bob')).status).toBe(200);

    const polled = (await (await waiting).json()) as { status: string };
    expect(polled.status).toBe('approved');

    // Changed arguments need their own approval.
    const changed = await decide(transfer(25_001));
    expect(changed.outcome).toBe('escalate');
    expect(changed.approval.id).not.toBe(id);

    const allowed = await decide(transfer(25_000));
    expect(allowed.outcome).toBe('allow');
    expect(allowed.approval).toEqual({ id, status: 'approved' });

    // Replaying the same action does not reuse the approval.
    const replay = await decide(transfer(25_000));
    expect(replay.outcome).toBe('escalate');
    expect(replay.approval.id).not.toBe(id);

    // Every state change is in the ledger feed, and the webhook told the approvers.
    const changes = gw.records
      .filter((r) => r.details.kind === 'state_change' && r.details.approval_id === id)
      .map((r) => r.details.event);
    expect(changes).toEqual(['created', 'vote', 'vote', 'consumed']);
    await until(() => hooks.some((h) => h.event === 'approval.created'));
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
    const id = d.approval.id;
    const deny = await cli(
      ['approvals', 'deny', id, '--comment', 'unknown beneficiary', '--url', gw.url],
      asOperator('bob'),
    );
    expect(deny.status).toBe(0);
    const after = await decide(transfer(30_000));
    expect(after).toMatchObject({
      outcome: 'deny',
      code: 'approval_denied',
      approval: { id, status: 'denied' },
    });
    expect(
      ((await (await api('POST', `/v1/approvals/${id}/approve`, 'alice')).json()) as { code: string }).code,
    ).toBe('approval_closed');
  });

  it('unknown approval ids and missing credentials are refused with stable codes', async () => {
    const unknown = await cli(
      ['approvals', 'show', 'apr_00000000000000000000000000000000', '--url', gw.url],
      asOperator('alice'),
    );
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('error[not_found]');
    const nokey = await cli(['approvals', 'list', '--url', gw.url]);
    expect(nokey.status).toBe(1);
    expect(nokey.stderr).toContain('PORTCULLIS_OPERATOR_KEY');
    const wrong = await cli(['approvals', 'list', '--url', gw.url], {
      PORTCULLIS_OPERATOR_KEY: 'pcs_not_a_key',
    });
    expect(wrong.stderr).toContain('error[unauthenticated]');
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
    expect(
      (await cli(['admin', 'unfreeze', '--agent', 'pay-bot', '--url', gw.url], asOperator('adam'))).stdout,
    ).toBe('unfrozen\n');
    expect((await decide(small)).outcome).toBe('allow');

    await cli(
      ['admin', 'freeze', '--tool', 'payments.*', '--reason', 'fraud alert', '--url', gw.url],
      asOperator('adam'),
    );
    expect((await decide(small)).code).toBe('kill_switch');
    await cli(['admin', 'unfreeze', '--tool', 'payments.*', '--url', gw.url], asOperator('adam'));

    const refused = await cli(
      ['admin', 'freeze', '--all', '--reason', 'x', '--url', gw.url],
      asOperator('alice'),
    );
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
      frozen: { all: null },
      approvals: { approved: 1, denied: 1 },
    });
    await cli(['admin', 'posture', 'normal', '--reason', 'resolved', '--url', gw.url], asOperator('adam'));
    expect(gw.records.filter((r) => r.type === 'admin_action').length).toBeGreaterThanOrEqual(8);
  });

  it('a pending approval and the kill switch survive a restart', async () => {
    const pending = await decide(transfer(40_000));
    const id = pending.approval.id;
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'alice')).status).toBe(200);
    await cli(
      ['admin', 'freeze', '--tool', 'crm.delete_contact', '--reason', 'audit', '--url', gw.url],
      asOperator('adam'),
    );
    await gw.stop();

    gw = await startInProcess(
      config(`http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`),
      dir,
    );
    expect(gw.access.killSwitch.frozenReason('any', 'crm.delete_contact')).toMatch(/audit/);
    expect((await decide(transfer(40_000))).approval).toEqual({ id, status: 'pending' });
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'alice')).status).toBe(409);
    expect((await api('POST', `/v1/approvals/${id}/approve`, 'bob')).status).toBe(200);
    expect((await decide(transfer(40_000))).outcome).toBe('allow');
  });
});
