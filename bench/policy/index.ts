/**
 * bench/policy: in-process decision latency of the policy engine for sets of 10, 100, 1,000 and
 * 10,000 rules, side by side in the same run with @cedar-policy/cedar-wasm evaluating the
 * equivalent Cedar policies (preparsed once with preparsePolicySet, then statefulIsAuthorized
 * per decision, entities and context passed per request as Cedar requires).
 *
 * Timing: process.hrtime.bigint around blocks of decisions (100 for Portcullis, 10 for Cedar),
 * divided by the block size; p50/p99 are over those per-block averages.
 */
import { createRequire } from 'node:module';
import { loadPolicySet, type CompiledPolicySet } from '../../src/core/policy/index.js';
import { formatNum, printTable, summarize, type LatencySummary, type TargetCheck } from '../lib/stats.js';
import { generateRequests, generateSet, type BenchRequest } from './generate.js';

interface Cedar {
  preparsePolicySet(id: string, set: { staticPolicies: string }): { type: string; errors?: unknown };
  statefulIsAuthorized(call: BenchRequest['cedar'] & { preparsedPolicySetId: string }): {
    type: string;
    response?: { decision: string };
    errors?: unknown;
  };
}

const SIZES = [10, 100, 1_000, 10_000];
const REQUESTS = 1_024;

/** Runs `fn` in blocks of `block` calls until `blocks` blocks or `budgetMs` elapse; ns per call. */
function measure(fn: (i: number) => void, block: number, blocks: number, budgetMs: number): LatencySummary {
  for (let i = 0; i < block * 20; i++) fn(i); // warm-up: JIT, index cache
  const samples: number[] = [];
  const deadline = process.hrtime.bigint() + BigInt(budgetMs) * 1_000_000n;
  let i = 0;
  while (samples.length < blocks) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < block; k++) fn(i++);
    const t1 = process.hrtime.bigint();
    samples.push(Number(t1 - t0) / block);
    if (t1 > deadline && samples.length >= 30) break;
  }
  return summarize(samples);
}

const us = (ns: number): string => formatNum(ns / 1000);

export async function run(): Promise<TargetCheck[]> {
  const require = createRequire(import.meta.url);
  const cedar = require('@cedar-policy/cedar-wasm/nodejs') as Cedar;
  const rows: Array<Record<string, string | number>> = [];
  const ours = new Map<number, LatencySummary>();
  const ratios: number[] = [];
  let disagreements = 0;

  for (const size of SIZES) {
    const gen = generateSet(size);
    const loaded = loadPolicySet([{ path: `bench-${size}.yaml`, content: gen.yaml }]);
    if (!loaded.ok) throw new Error(`bench policy set does not load: ${JSON.stringify(loaded.error.slice(0, 3))}`);
    const set: CompiledPolicySet = loaded.value;
    const parsed = cedar.preparsePolicySet(`bench-${size}`, { staticPolicies: gen.cedar });
    if (parsed.type !== 'success') throw new Error(`cedar rejects the bench policies: ${JSON.stringify(parsed.errors)}`);
    const requests = generateRequests(gen, REQUESTS);
    const mask = REQUESTS - 1;

    // Equivalence check: allow in Portcullis <=> allow in Cedar (escalate is a forbid in Cedar).
    let candidates = 0;
    for (const r of requests) {
      const ev = set.evaluate(r.input);
      candidates += ev.candidates;
      const c = cedar.statefulIsAuthorized({ ...r.cedar, preparsedPolicySetId: `bench-${size}` });
      if (c.type !== 'success') throw new Error(`cedar failed: ${JSON.stringify(c.errors)}`);
      if ((ev.outcome === 'allow') !== (c.response!.decision === 'allow')) disagreements++;
    }

    let sink = 0;
    const mine = measure((i) => {
      sink += set.evaluate(requests[i & mask]!.input).candidates;
    }, 100, 5_000, 1_500);
    const theirs = measure((i) => {
      const r = requests[i & mask]!;
      const c = cedar.statefulIsAuthorized({ ...r.cedar, preparsedPolicySetId: `bench-${size}` });
      sink += c.type.length;
    }, 10, 2_000, 1_500);
    if (sink === 0) console.log('(sink)');
    ours.set(size, mine);
    const ratio = theirs.p50 / mine.p50;
    ratios.push(ratio);
    rows.push({
      rules: size,
      'avg candidates': (candidates / REQUESTS).toFixed(1),
      'portcullis p50 µs': us(mine.p50),
      'portcullis p99 µs': us(mine.p99),
      'cedar-wasm p50 µs': us(theirs.p50),
      'cedar-wasm p99 µs': us(theirs.p99),
      'cedar / portcullis (p50)': `${formatNum(ratio)}x`,
    });
  }

  printTable('Policy decision latency (in-process, per decision)', rows);
  console.log(
    `\nblocks of 100 (Portcullis) / 10 (Cedar) decisions timed with hrtime; p50/p99 over block averages.` +
      `\n${REQUESTS} generated tool calls cycled; Portcullis and Cedar agree on allow/deny for all but ${disagreements} of ${REQUESTS * SIZES.length}.`,
  );

  const p100 = ours.get(100)!.p50;
  const p10k = ours.get(10_000)!.p50;
  const growth = p10k / p100;
  console.log(`10,000-rule p50 / 100-rule p50 = ${formatNum(growth)}x; slowest cedar ratio ${formatNum(Math.min(...ratios))}x`);
  return [
    { name: 'policy p50 at 100 rules (µs)', value: p100 / 1000, target: '<= 5', ok: p100 / 1000 <= 5 },
    { name: 'policy p50 10,000 rules / 100 rules', value: growth, target: '<= 2', ok: growth <= 2 },
    { name: 'policy speed-up over cedar-wasm (p50, worst size)', value: Math.min(...ratios), target: '>= 10', ok: Math.min(...ratios) >= 10 },
    { name: 'policy decisions that disagree with cedar', value: disagreements, target: '0', ok: disagreements === 0 },
  ];
}
