import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DecisionV1 } from '../core/decision.js';

/** Prometheus metrics of one gateway; each gateway has its own registry (tests run several). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly decisions = new Counter({
    name: 'portcullis_decisions_total',
    help: 'Decisions by outcome and code',
    labelNames: ['outcome', 'code', 'adapter'] as const,
    registers: [this.registry],
  });
  private readonly ruleMatches = new Counter({
    name: 'portcullis_rule_matches_total',
    help: 'Rules that matched, by policy, rule and effect',
    labelNames: ['policy', 'rule', 'effect'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'portcullis_decision_duration_seconds',
    help: 'Time to decide, from request to answer (includes the audit commit when durable)',
    labelNames: ['outcome'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly policyInfo = new Gauge({
    name: 'portcullis_policy_info',
    help: 'The active policy set version (value 1)',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });
  private readonly reloads = new Counter({
    name: 'portcullis_policy_reloads_total',
    help: 'Policy reloads by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /**
   * Label children by their label values: prom-client hashes the label object on every call,
   * which costs more than the rest of this method; a child is looked up once per combination.
   */
  private readonly children = new Map<string, { inc(): void } | { observe(v: number): void }>();

  private child<T extends object>(key: string, make: () => T): T {
    let c = this.children.get(key) as T | undefined;
    if (c === undefined) {
      c = make();
      this.children.set(key, c as never);
    }
    return c;
  }

  recordDecision(d: DecisionV1, adapter: string): void {
    const { outcome, code } = d;
    this.child(`d\0${outcome}\0${code}\0${adapter}`, () =>
      this.decisions.labels({ outcome, code, adapter }),
    ).inc();
    for (const m of d.matched) {
      const labels = { policy: m.policy_id, rule: m.rule_id, effect: m.effect };
      this.child(`r\0${labels.policy}\0${labels.rule}\0${labels.effect}`, () =>
        this.ruleMatches.labels(labels),
      ).inc();
    }
    this.child(`l\0${outcome}`, () => this.latency.labels({ outcome })).observe(d.timings.total_us / 1e6);
  }

  recordReload(ok: boolean, version: string | null): void {
    this.reloads.inc({ result: ok ? 'ok' : 'error' });
    if (ok && version !== null) {
      this.policyInfo.reset();
      this.policyInfo.set({ version }, 1);
    }
  }
}
