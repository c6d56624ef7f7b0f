/**
 * Rate limits and budgets end to end with the real `portcullis serve`: limits are declared in
 * the policy file's `limits:` section (docs/approvals-and-limits.md), usage facts reach policy,
 * a budget admits exactly its capacity under 200 concurrent HTTP requests and answers the rest
 * 429 with Retry-After, a CEL key and amount give one budget per user, and a policy reload
 * (SIGHUP) swaps the limits while keeping what was already used.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, tempDir, type RunningGateway } from './cli-harness.js';
import { AGENT_KEY, OPERATORS, agentDecide, sha, until, writeConfig } from './approvals-harness.js';

const dir = tempDir('pc-e2e-limits-');
let gw: RunningGateway;

const policy = (searchBudget: number) => `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: crm-limits, version: 1.0.0 }
limits:
  - id: crm-reads
    description: Five CRM reads, ever (a fixed quota).
    target: { tools: ["crm.read"] }
    kind: token_bucket
    capacity: 5
    refill_per_second: 0
  - id: crm-searches
    target: { kinds: [tool_call], tools: ["crm.search"] }
    kind: rolling_sum
    window: 1h
    max: ${searchBudget}
  - id: crm-exports
    target: { tools: ["crm.export"] }
    kind: token_bucket
    capacity: 2
    refill_per_second: 0
  - id: money-moved-per-user
    target: { tools: ["payments.transfer"] }
    key: 'agent.on_behalf_of != null ? agent.on_behalf_of : agent.id'
    kind: rolling_sum
    window: 24h
    max: 1000
    amount: action.args.amount
rules:
  - id: crm-allowed
    target: { kinds: [tool_call], tools: ["crm.*", "payments.transfer"] }
    effect: allow
    reason: CRM tools and small transfers are allowed
  - id: crm-reads-running-low
    target: { kinds: [tool_call], tools: ["crm.read"] }
    when: usage["crm-reads"].remaining < 2
    effect: deny
    reason: Fewer than 2 CRM reads left
`;

interface Answer {
  status: number;
  retryAfter: string | null;
  outcome: string;
  code: string;
  reasons: string[];
  retry_after_ms?: number;
}

async function decide(
  tool: string,
  args: Record<string, unknown> = {},
  onBehalfOf?: string,
): Promise<Answer> {
  const res = await agentDecide(gw.url, {
    action: { kind: 'tool_call', tool, args },
    ...(onBehalfOf === undefined ? {} : { on_behalf_of: onBehalfOf }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    ...((await res.json()) as Omit<Answer, 'status' | 'retryAfter'>),
  };
}

async function policyVersion(): Promise<string> {
  return ((await (await fetch(`${gw.url}/readyz`)).json()) as { policy_version: string }).policy_version;
}

beforeAll(async () => {
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'crm.yaml'), policy(50));
  const config = writeConfig(dir, {
    policies: { paths: ['policies'], watch: false },
    agents: [{ id: 'crm-bot', api_key_sha256: sha(AGENT_KEY) }],
    operators: OPERATORS,
    approvals: { path: 'approvals.db' },
  });
  gw = await startGateway(config);
});

afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('limits end to end (portcullis serve, limits declared in policy)', () => {
  it('usage facts reach policy: a rule acts on what is left', async () => {
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push((await decide('crm.read')).outcome);
    // remaining after each charge: 4, 3, 2 (allow), 1 (deny: the charge is given back) ...
    expect(outcomes).toEqual(['allow', 'allow', 'allow', 'deny', 'deny', 'deny']);
    const last = await decide('crm.read');
    expect(last).toMatchObject({ status: 200, outcome: 'deny', reasons: ['Fewer than 2 CRM reads left'] });
  });

  it('200 concurrent requests on a budget of 50 get exactly 50 allows; the rest 429 + Retry-After', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => decide('crm.search')));
    const allowed = results.filter((r) => r.outcome === 'allow');
    expect(allowed).toHaveLength(50);
    expect(allowed.every((r) => r.status === 200 && r.retryAfter === null)).toBe(true);
    const limited = results.filter((r) => r.outcome !== 'allow');
    expect(limited).toHaveLength(150);
    for (const r of limited) {
      expect(r).toMatchObject({ status: 429, outcome: 'deny', code: 'rate_limited' });
      expect(r.retryAfter).toMatch(/^[1-9]\d*$/);
      // Retry-After is the decision's retry time, in whole seconds rounded up.
      expect(Number(r.retryAfter)).toBe(Math.ceil(r.retry_after_ms! / 1000));
      // At most the window plus one of its 60 slices (counting rounds in the strict direction).
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(3600 + 60);
    }
    expect(limited[0]!.reasons[0]).toMatch(/^budget crm-searches exhausted: 50 of 50 used/);
  });

  it('a CEL key and amount keep one money budget per user', async () => {
    expect((await decide('payments.transfer', { amount: 600 }, 'u1@bank.example')).outcome).toBe('allow');
    const over = await decide('payments.transfer', { amount: 500 }, 'u1@bank.example');
    expect(over).toMatchObject({ status: 429, outcome: 'deny', code: 'rate_limited' });
    expect(over.reasons[0]).toMatch(
      /^budget money-moved-per-user exhausted: 600 of 1000 used, this action needs 500/,
    );
    // Another user has a budget of their own; what fits in u1's budget still passes.
    expect((await decide('payments.transfer', { amount: 500 }, 'u2@bank.example')).outcome).toBe('allow');
    expect((await decide('payments.transfer', { amount: 400 }, 'u1@bank.example')).outcome).toBe('allow');
    expect(over.retryAfter).toMatch(/^[1-9]\d*$/);
  });

  // docs/errors/rate_limited.md: an action that can never fit gets no retry time, and so no
  // Retry-After (which would have the client retry every second for ever).
  it('what can never fit is denied without Retry-After: too large for the budget, or a spent quota that never refills', async () => {
    const never = await decide('payments.transfer', { amount: 5000 }, 'u3@bank.example');
    expect(never).toMatchObject({ status: 429, outcome: 'deny', code: 'rate_limited' });
    expect(never.reasons[0]).toBe(
      'budget money-moved-per-user exhausted: this action (5000) exceeds the budget on its own (limit 1000)',
    );
    expect(never.retry_after_ms).toBeUndefined();

    expect((await decide('crm.export')).outcome).toBe('allow');
    expect((await decide('crm.export')).outcome).toBe('allow');
    const spent = await decide('crm.export');
    expect(spent).toMatchObject({ status: 429, outcome: 'deny', code: 'rate_limited' });
    expect(spent.reasons[0]).toBe(
      'rate limit crm-exports exhausted: 2 of 2 used, this action needs 1; it does not refill',
    );
    expect(spent.retry_after_ms).toBeUndefined();

    expect(never.retryAfter).toBeNull();
    expect(spent.retryAfter).toBeNull();
  });

  it('a reload (SIGHUP) swaps the limits and keeps what was used', async () => {
    const before = await policyVersion();
    writeFileSync(join(dir, 'policies', 'crm.yaml'), policy(60));
    gw.proc.kill('SIGHUP');
    await until(async () => (await policyVersion()) !== before, 10_000, 'the reloaded policy');
    const results = await Promise.all(Array.from({ length: 20 }, () => decide('crm.search')));
    expect(results.filter((r) => r.outcome === 'allow')).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(10);
  });
});
