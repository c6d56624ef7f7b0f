/**
 * bench/limits: in-process `gateway.decide()` throughput and latency with rate limits, the kill
 * switch and SQLite-backed approvals off and on, side by side in one run (rounds alternate, the
 * median is quoted). Two workloads: an allowed transfer that two limits charge (token bucket and
 * a 24 h rolling sum of the amount), and an escalated transfer resubmitted while its approval is
 * pending (the approval lookup path). Target: "on" within 20% of "off".
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
import type { AuditEventV1 } from '../../src/core/audit/event.js';
import { compileLimits } from '../../src/core/limits/compile.js';
import type { AuditSink } from '../../src/ports/audit-sink.js';
import { median, printTable, summarize, type TargetCheck } from '../lib/stats.js';

const KEY = 'pcs_bench_limits_key';
const N = Number(process.env.BENCH_LIMITS_N ?? 20_000);
const ROUNDS = Number(process.env.BENCH_LIMITS_ROUNDS ?? 3);

/** Keeps nothing: both sides pay the same (zero) ledger cost, so the ratio shows our cost. */
class NullSink implements AuditSink {
  readonly name = 'null-ledger';
  private n = 0;
  append(e: AuditEventV1) {
    return Promise.resolve({ index: this.n++, id: e.id });
  }
  ready() {
    return true;
  }
  close() {
    return Promise.resolve();
  }
}

const allowed: DecideRequestV1 = {
  action: { kind: 'tool_call', tool: 'payments.transfer', args: { amount: 2500.5, currency: 'EUR', country: 'DE', beneficiary: 'ACME GmbH' } },
  context: { environment: 'production', region: 'eu-west-1', purpose: 'vendor-payment' },
};
const escalated: DecideRequestV1 = { ...allowed, action: { ...allowed.action, args: { ...allowed.action.args, amount: 25_000 } } };

async function build(on: boolean, dir: string): Promise<{ gateway: Gateway; access: AccessControls | null }> {
  const config = validateConfig({
    version: 1,
    log: { level: 'silent' },
    policies: { paths: [resolve('examples/payments/policies')], watch: false },
    agents: [{ id: 'bench-bot', api_key_sha256: hashApiKey(KEY).toString('hex'), permissions: ['payments:execute'] }],
    approvals: { path: join(dir, `approvals-${Date.now()}.db`), sweep_interval_ms: 0 },
  });
  const options = { baseDir: dir, logger: createLogger('silent'), auditSink: new NullSink() };
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
    { id: 'transfers-per-second', target: { kinds: ['tool_call'], tools: ['payments.*'] }, kind: 'token_bucket', capacity: 1e9, refill_per_second: 1e6 },
    { id: 'money-24h', target: { kinds: [], tools: ['payments.transfer'] }, kind: 'rolling_sum', window_ms: 86_400_000, max: 1e15, amount: 'action.args.amount' },
  ]);
  if (!limits.ok) throw new Error(limits.error.join());
  access.setLimits(limits.value);
  const apiKeys = new ApiKeyAuthenticator(
    config.agents.map((a) => ({ identity: { id: a.id, roles: a.roles, permissions: a.permissions, attributes: a.attributes }, keyHash: Buffer.from(a.api_key_sha256!, 'hex'), disabled: false })),
  );
  const gateway = await createGateway(config, { ...options, approvals: access.approvals, enricher: access.enricher, authenticator: access.agentAuthenticator(apiKeys) });
  return { gateway, access };
}

async function measure(gateway: Gateway, request: DecideRequestV1, expect: string): Promise<{ rps: number; p50: number; p99: number }> {
  const auth = { apiKey: KEY };
  for (let i = 0; i < 2000; i++) await gateway.decide(request, auth);
  const first = await gateway.decide(request, auth);
  if (first.outcome !== expect) throw new Error(`expected ${expect}, got ${first.outcome} (${first.code})`);
  const samples = new Array<number>(N);
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    await gateway.decide(request, auth);
    samples[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const s = summarize(samples);
  return { rps: N / seconds, p50: s.p50, p99: s.p99 };
}

export async function run(): Promise<TargetCheck[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pc-bench-limits-'));
  const rows: Array<Record<string, string | number>> = [];
  const checks: TargetCheck[] = [];
  for (const [label, request, expectOn] of [
    ['allowed transfer, 2 limits charged', allowed, 'allow'],
    ['escalated transfer, approval pending', escalated, 'escalate'],
  ] as const) {
    const off: Array<{ rps: number; p50: number; p99: number }> = [];
    const on: Array<{ rps: number; p50: number; p99: number }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const enabled of [false, true]) {
        const { gateway, access } = await build(enabled, dir);
        (enabled ? on : off).push(await measure(gateway, request, expectOn));
        await gateway.close();
        await access?.close();
      }
    }
    const m = (xs: Array<{ rps: number; p50: number; p99: number }>, k: 'rps' | 'p50' | 'p99') => median(xs.map((x) => x[k]));
    const ratio = m(on, 'rps') / m(off, 'rps');
    const p50Ratio = m(on, 'p50') / m(off, 'p50');
    rows.push(
      { workload: label, mode: 'off', 'decisions/s': Math.round(m(off, 'rps')), 'p50 µs': m(off, 'p50').toFixed(1), 'p99 µs': m(off, 'p99').toFixed(1) },
      { workload: label, mode: 'on', 'decisions/s': Math.round(m(on, 'rps')), 'p50 µs': m(on, 'p50').toFixed(1), 'p99 µs': m(on, 'p99').toFixed(1) },
    );
    checks.push(
      { name: `limits ${label}: throughput on/off`, value: ratio, target: '>= 0.80', ok: ratio >= 0.8 },
      { name: `limits ${label}: p50 latency on/off`, value: p50Ratio, target: '<= 1.20', ok: p50Ratio <= 1.2 },
    );
  }
  printTable(`in-process decide(), ${N} sequential decisions per round, median of ${ROUNDS} rounds (node ${process.version})`, rows);
  return checks;
}
