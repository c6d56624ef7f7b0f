import type { ContextEnricher, Enrichment } from '../../ports/enricher.js';

/** No counters, budgets or risk model yet: usage is empty, risk zero, posture normal. */
export class StaticEnricher implements ContextEnricher {
  readonly name = 'static-enricher';
  constructor(private readonly posture: Enrichment['posture'] = 'normal') {}

  enrich(): Promise<Enrichment> {
    return Promise.resolve({ usage: {}, risk: { score: 0 }, posture: this.posture, frozen: null });
  }
}
