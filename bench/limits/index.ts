/**
 * bench/limits: in-process `gateway.decide()` throughput and latency with rate limits, the kill
 * switch and SQLite-backed approvals off and on, side by side in one run (both gateways
 * live at once; batches alternate). Two workloads: an allowed transfer that two limits charge (token bucket and
 * a 24 h rolling sum of the amount), and an escalated transfer resubmitted while its approval is
 * pending (the approval lookup path). Target: "on" within 20% of "off" (throughput and p50).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiKeyAuthenticator, hashApiKey } from '../../src/adapters/identity/api-key-authenticator.js';
import { createAccessControls, type AccessControls } from '../../src/app/config-access.js';
import { readSecret, resolvePath, validateConfig } from '../../src/app/config-loader.js';
import { createGateway, sequenceIds, systemClock, type Gateway } from '../../src/app/create-gateway.js';
import { createLogger } from '../../src/app/logger.js';
import type { DecideRequestV1 } from '../../src/core/action.js';
import { compileLimits } from '../../src/core/limits/compile.js';
import { createMemoryAuditStore } from '../../src/adapters/storage/memory/audit-store.js';
import { printTable, summarize, type TargetCheck } from '../lib/stats.js';

const KEY = 'pcs_bench_limits_key';
const N = Number(process.env.BENCH_LIMITS_N ?? 20_000);
const BATCHES = Number(process.env.BENCH_LIMITS_BATCHES ?? 20);

const allowed: DecideRequestV1 = {
  action: {
    kind: 'tool_call',
    tool: 'payments.transfer',
    args: { amount: 2500.5, currency: 'EUR', country: 'DE', beneficiary: 'ACME GmbH' },
  },
  context: { environment: 'production', region: 'eu-west-1', purpose: 'vendor-payment' },
};
const escalated: DecideRequestV1 = {
  ...allowed,
  action: { ...allowed.action, args: { ...allowed.action.args, amount: 25_000 } },
};

async function build(on: boolean, dir: string): Promise<{ gateway: Gateway; access: AccessControls | null }> {
  const config = validateConfig({
    version: 1,
    log: { level: 'silent' },
    policies: { paths: [resolve('examples/payments/policies')], watch: false },
    agents: [
      { id: 'bench-bot', api_key_sha256: hashApiKey(KEY).toString('hex'), permissions: ['payments:execute'] },
    ],
    approvals: { path: join(dir, `approvals-${Date.now()}.db`), sweep_interval_ms: 0 },
  });
  const options = { baseDir: dir, logger: createLogger('silent'), auditStore: createMemoryAuditStore() };
  if (!on) return { gateway: await createGateway(config, options), access: null };
  const access = await createAccessControls(config, {
    baseDir: dir,
    clock: systemClock,
    ids: sequenceIds(1),
    record: () => undefined,
    readSecret: (r) => readSecret(r, dir),
    resolvePath: (p) => resolvePath(dir, p),
  });
  const limits = compileLimits([
    {
      id: 'transfers-per-second',
      target: { kinds: ['tool_call'], tools: ['payments.*'] },
      kind: 'token_bucket',
      capacity: 1e9,
      refill_per_second: 1e6,
    },
    {
      id: 'money-24h',
      target: { kinds: [], tools: ['payments.transfer'] },
      kind: 'rolling_sum',
      window_ms: 86_400_000,
      max: 1e15,
      amount: 'action.args.amount',
    },
  ]);
  if (!limits.ok) throw new Error(limits.error.join());
  access.setLimits(limits.value);
  const apiKeys = new ApiKeyAuthenticator(
    config.agents.map((a) => ({
      identity: { id: a.id, roles: a.roles, permissions: a.permissions, attributes: a.attributes },
      keyHash: Buffer.from(a.api_key_sha256!, 'hex'),
      disabled: false,
    })),
  );
  const gateway = await createGateway(config, {
    ...options,
    approvals: access.approvals,
    enricher: access.enricher,
    authenticator: access.agentAuthenticator(apiKeys),
  });
  return { gateway, access };
}

interface Side {
  samples: number[];
  ns: bigint;
}

/** One batch of sequential decisions; samples in microseconds. */
async function batch(gateway: Gateway, request: DecideRequestV1, n: number, side: Side): Promise<void> {
  const auth = { apiKey: KEY };
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await gateway.decide(request, auth);
    side.samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  side.ns += process.hrtime.bigint() - start;
}

async function check(gateway: Gateway, request: DecideRequestV1, expected: string): Promise<void> {
  const d = await gateway.decide(request, { apiKey: KEY });
  if (d.outcome !== expected) throw new Error(`expected ${expected}, got ${d.outcome} (${d.code})`);
}

export async function run(): Promise<TargetCheck[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pc-bench-limits-'));
  const rows: Array<Record<string, string | number>> = [];
  const checks: TargetCheck[] = [];
  for (const [label, request, expected] of [
    ['allowed transfer, 2 limits charged', allowed, 'allow'],
    ['escalated transfer, approval pending', escalated, 'escalate'],
  ] as const) {
    // Both gateways live side by side; batches alternate so that load on a shared machine
    // falls on both alike.
    const off = await build(false, dir);
    const on = await build(true, dir);
    await check(off.gateway, request, expected);
    await check(on.gateway, request, expected);
    const sides: Record<'off' | 'on', Side> = { off: { samples: [], ns: 0n }, on: { samples: [], ns: 0n } };
    await batch(off.gateway, request, 2000, { samples: [], ns: 0n });
    await batch(on.gateway, request, 2000, { samples: [], ns: 0n });
    const per = Math.max(1, Math.floor(N / BATCHES));
    for (let b = 0; b < BATCHES; b++) {
      await batch(off.gateway, request, per, sides.off);
      await batch(on.gateway, request, per, sides.on);
    }
    for (const g of [off, on]) {
      await g.gateway.close();
      await g.access?.close();
    }
    const stat = (s: Side) => ({ rps: s.samples.length / (Number(s.ns) / 1e9), ...summarize(s.samples) });
    const [o, n] = [stat(sides.off), stat(sides.on)];
    const ratio = n.rps / o.rps;
    const p50Ratio = n.p50 / o.p50;
    rows.push(
      {
        workload: label,
        mode: 'off',
        'decisions/s': Math.round(o.rps),
        'p50 µs': o.p50.toFixed(1),
        'p99 µs': o.p99.toFixed(1),
      },
      {
        workload: label,
        mode: 'on',
        'decisions/s': Math.round(n.rps),
        'p50 µs': n.p50.toFixed(1),
        'p99 µs': n.p99.toFixed(1),
      },
    );
    checks.push(
      { name: `limits ${label}: throughput on/off`, value: ratio, target: '>= 0.80', ok: ratio >= 0.8 },
      {
        name: `limits ${label}: p50 latency on/off`,
        value: p50Ratio,
        target: '<= 1.20',
        ok: p50Ratio <= 1.2,
      },
    );
  }
  printTable(
    `in-process decide(), ${N} sequential decisions per mode in ${BATCHES} alternating batches (node ${process.version})`,
    rows,
  );
  return checks;
}
