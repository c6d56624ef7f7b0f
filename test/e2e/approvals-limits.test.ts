/**
 * Rate limits and budgets end to end over real HTTP: usage facts reach policy, and a limit
 * admits exactly its capacity under 200 concurrent requests (the memory store here; the Redis
 * store passes the same contract in test/contract). Limits come from LimitSpec (the `limits:`
 * policy section, see docs/approvals-and-limits.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLimits } from '../../src/core/limits/compile.js';
import { validateLimitSpec } from '../../src/core/limits/spec.js';
import type { LimitSpec } from '../../src/core/limits/types.js';
import { tempDir } from './cli-harness.js';
import { AGENT_KEY, OPERATORS, sha, startInProcess, type Running } from './approvals-harness.js';

const dir = tempDir('pc-e2e-limits-');
let gw: Running;

const POLICY = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: crm-limits, version: 1.0.0 }
rules:
  - id: crm-allowed
    target: { kinds: [tool_call], tools: ["crm.*"] }
    effect: allow
    reason: CRM tools are allowed
  - id: crm-reads-running-low
    target: { kinds: [tool_call], tools: ["crm.read"] }
    when: usage["crm-reads"].remaining < 2
    effect: deny
    reason: Fewer than 2 CRM reads left in this minute
`;

const LIMITS: unknown[] = [
  {
    id: 'crm-reads',
    target: { tools: ['crm.read'] },
    kind: 'token_bucket',
    capacity: 5,
    refill_per_second: 0,
  },
  { id: 'crm-searches', target: { tools: ['crm.search'] }, kind: 'rolling_sum', window: '1h', max: 50 },
];

interface Answer {
  status: number;
  retryAfter: string | null;
  outcome: string;
  code: string;
  reasons: string[];
}

async function decide(tool: string): Promise<Answer> {
  const res = await fetch(`${gw.url}/v1/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${AGENT_KEY}` },
    body: JSON.stringify({ action: { kind: 'tool_call', tool, args: {} } }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    ...((await res.json()) as Omit<Answer, 'status' | 'retryAfter'>),
  };
}

beforeAll(async () => {
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'crm.yaml'), POLICY);
  gw = await startInProcess(
    {
      policies: { paths: [join(dir, 'policies')], watch: false },
      agents: [{ id: 'crm-bot', api_key_sha256: sha(AGENT_KEY) }],
      operators: OPERATORS,
      approvals: { store: 'memory' },
    },
    dir,
  );
  const specs = LIMITS.map((l) => {
    const v = validateLimitSpec(l);
    if (!v.ok) throw new Error(v.error.join('; '));
    return v.value;
  }) satisfies LimitSpec[];
  const compiled = compileLimits(specs);
  if (!compiled.ok) throw new Error(compiled.error.join('; '));
  gw.access.setLimits(compiled.value);
});

afterAll(async () => {
  await gw?.stop();
});

describe('limits end to end', () => {
  it('usage facts reach policy: a rule acts on what is left', async () => {
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push((await decide('crm.read')).outcome);
    expect(outcomes).toEqual(['allow', 'allow', 'allow', 'deny', 'deny', 'deny']);
  });

  it('200 concurrent requests on a budget of 50 get exactly 50 allows; the rest are rate_limited', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => decide('crm.search')));
    expect(results.filter((r) => r.outcome === 'allow')).toHaveLength(50);
    const limited = results.filter((r) => r.outcome !== 'allow');
    expect(limited.every((r) => r.outcome === 'deny' && r.code === 'rate_limited')).toBe(true);
    expect(limited[0]!.reasons[0]).toMatch(/^budget crm-searches exhausted: 50 of 50 used/);
  });
});
