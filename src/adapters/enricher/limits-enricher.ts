/**
 * The real context enricher: kill switch, posture, and rate limits and budgets. Limits that
 * target the action are charged atomically in the counter store; their state becomes `usage`
 * facts for policy, and an exhausted one becomes `limited` (the pipeline denies with
 * `rate_limited` and Retry-After). If the final decision is not an allow, `settle` gives the
 * charges back, so denied or escalated actions do not eat a budget.
 */
import type { ActionV1, AgentIdentity, ContextV1 } from '../../core/action.js';
import type { Clock } from '../../core/clock.js';
import type { Effect } from '../../core/decision.js';
import { toGatewayError } from '../../core/errors.js';
import { limitActivation, type CompiledLimit } from '../../core/limits/compile.js';
import type { CounterSpec, CounterState, LimitBreach } from '../../core/limits/types.js';
import { breachOf, usageFacts } from '../../core/limits/usage.js';
import type { CounterStore } from '../../ports/counter-store.js';
import type { ContextEnricher, EnrichRequestFacts, Enrichment } from '../../ports/enricher.js';

export type { EnrichRequestFacts };
import type { KillSwitch } from './kill-switch.js';

/** What was charged for one request, so that it can be given back. */
export interface Charge {
  key: string;
  cost: number;
  spec: CounterSpec;
  at: number;
}

export interface LimitsEnrichment extends Enrichment {
  /** An exhausted limit (nothing was charged then), or null. */
  limited: LimitBreach | null;
  charges: readonly Charge[];
}

/** Facts the port signature lacks; the pipeline passes them as the fourth argument. */
export interface LimitsEnricherOptions {
  counters: CounterStore;
  killSwitch: KillSwitch;
  clock: Clock;
  limits?: readonly CompiledLimit[];
  /** Called when giving back a charge fails (it is then simply kept: the safe direction). */
  onRefundError?: (error: unknown) => void;
}

export class LimitsEnricher implements ContextEnricher {
  readonly name = 'limits-enricher';
  private limits: readonly CompiledLimit[];

  constructor(private readonly options: LimitsEnricherOptions) {
    this.limits = options.limits ?? [];
  }

  /** Swaps the active limits (on policy reload). Counter state is kept per limit id and key. */
  setLimits(limits: readonly CompiledLimit[]): void {
    this.limits = limits;
  }

  async enrich(
    agent: AgentIdentity,
    action: ActionV1,
    context: ContextV1 | undefined,
    request: EnrichRequestFacts = {},
  ): Promise<LimitsEnrichment> {
    const { killSwitch, counters, clock } = this.options;
    const posture = killSwitch.posture;
    const frozen = killSwitch.frozenReason(agent.id, action.tool);
    const base: LimitsEnrichment = {
      usage: {},
      risk: { score: 0 },
      posture,
      frozen,
      limited: null,
      charges: [],
    };
    const tool = action.tool ?? '';
    const matching = this.limits.filter((l) => l.matches(action.kind, tool));
    if (frozen !== null || matching.length === 0) return base;

    const now = clock.now();
    const activation = matching.some((l) => l.needsActivation)
      ? limitActivation({
          agent,
          onBehalfOf: request.on_behalf_of ?? null,
          action,
          context,
          impact: request.impact,
          posture,
          now,
        })
      : { agent: { id: agent.id } };
    // Keys and costs first: a CEL failure throws before anything is charged (fail closed).
    const plans = matching.map((limit) => ({
      limit,
      key: `${limit.spec.id}:${limit.key(activation)}`,
      cost: limit.cost(activation),
    }));
    const results = await settleAll(
      plans.map((p) => () => counters.tryConsume(p.key, p.cost, p.limit.counter, now)),
    );

    const charges: Charge[] = [];
    const states: Array<[string, CounterState]> = [];
    let limited: LimitBreach | null = null;
    let failure: unknown = null;
    results.forEach((r, i) => {
      const p = plans[i]!;
      if (r.status === 'rejected') {
        failure ??= r.reason;
        return;
      }
      states.push([p.limit.spec.id, r.value]);
      if (r.value.admitted) charges.push({ key: p.key, cost: p.cost, spec: p.limit.counter, at: now });
      else limited ??= breachOf(p.limit, r.value, p.cost);
    });
    if (failure !== null || limited !== null) {
      // All or nothing: what was charged for this request is given back.
      await this.refund(charges);
      if (failure !== null) throw toGatewayError(failure, 'rate_limit_store_unavailable');
      return { ...base, usage: usageFacts(states), limited };
    }
    return { ...base, usage: usageFacts(states), charges };
  }

  /** After the decision: anything but an allow gives the charges back. */
  async settle(enrichment: Enrichment, outcome: Effect): Promise<void> {
    if (outcome === 'allow') return;
    const charges = (enrichment as Partial<LimitsEnrichment>).charges;
    if (charges !== undefined && charges.length > 0) await this.refund(charges);
  }

  private async refund(charges: readonly Charge[]): Promise<void> {
    const now = this.options.clock.now();
    const results = await Promise.allSettled(
      charges.map((c) => this.options.counters.refund(c.key, c.cost, c.spec, c.at, now)),
    );
    for (const r of results) if (r.status === 'rejected') this.options.onRefundError?.(r.reason);
  }
}

/** Promise.allSettled, without its allocations for the common case of a single call. */
async function settleAll<T>(calls: ReadonlyArray<() => Promise<T>>): Promise<Array<PromiseSettledResult<T>>> {
  if (calls.length !== 1) return Promise.allSettled(calls.map((c) => c()));
  try {
    return [{ status: 'fulfilled', value: await calls[0]!() }];
  } catch (reason) {
    return [{ status: 'rejected', reason }];
  }
}
