/**
 * bench/policy: in-process decision latency of the policy engine for sets of 10, 100, 1,000 and
 * 10,000 rules, side by side in the same run with @cedar-policy/cedar-wasm evaluating the
 * equivalent Cedar policies: parsed once with `preparsePolicySet` (Cedar's stateful API, the
 * policy set cached inside the wasm module), then `statefulIsAuthorized` per decision with the
 * request's principal, resource entity (with its service as parent) and context, as Cedar needs.
 *
 * Timing: process.hrtime.bigint around blocks of decisions (100 per block for Portcullis; 10, or
 * 1 for the large sets, for Cedar), divided by the block size; p50/p99 are over those per-block
 * averages. On a shared machine the load changes during a run, so Portcullis is measured in
 * ROUNDS rounds that visit every size in turn, and each figure is the median over the rounds.
 */
import { createRequire } from 'node:module';
import { loadPolicySet, type CompiledPolicySet } from '../../src/core/policy/index.js';
import {
  formatNum,
  median,
  printTable,
  summarize,
  type LatencySummary,
  type TargetCheck,
} from '../lib/stats.js';
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
const ROUNDS = 5;

interface Plan {
  block: number;
  warmup: number;
  maxBlocks: number;
  minBlocks: number;
  budgetMs: number;
}

/** Runs `fn` in blocks of `block` calls until maxBlocks blocks, or the budget once minBlocks are in. */
function measure(fn: (i: number) => void, p: Plan): LatencySummary {
  for (let i = 0; i < p.warmup; i++) fn(i); // JIT, index cache
  const samples: number[] = [];
  const deadline = process.hrtime.bigint() + BigInt(p.budgetMs) * 1_000_000n;
  let i = 0;
  while (samples.length < p.maxBlocks) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < p.block; k++) fn(i++);
    const t1 = process.hrtime.bigint();
    samples.push(Number(t1 - t0) / p.block);
    if (t1 > deadline && samples.length >= p.minBlocks) break;
  }
  return summarize(samples);
}

const us = (ns: number): string => formatNum(ns / 1000);

interface Prepared {
  size: number;
  set: CompiledPolicySet;
  requests: BenchRequest[];
  cedarId: string;
  candidates: number;
  disagreements: number;
}

function prepare(cedar: Cedar, size: number): Prepared {
  const gen = generateSet(size);
  const loaded = loadPolicySet([{ path: `bench-${size}.yaml`, content: gen.yaml }]);
  if (!loaded.ok)
    throw new Error(`bench policy set does not load: ${JSON.stringify(loaded.error.slice(0, 3))}`);
  const cedarId = `bench-${size}`;
  const parsed = cedar.preparsePolicySet(cedarId, { staticPolicies: gen.cedar });
  if (parsed.type !== 'success')
    throw new Error(`cedar rejects the bench policies: ${JSON.stringify(parsed.errors)}`);
  const requests = generateRequests(gen, REQUESTS);
  // Equivalence: allow in Portcullis <=> allow in Cedar (escalate is a forbid in Cedar).
  let candidates = 0;
  let disagreements = 0;
  for (const r of requests) {
    const ev = loaded.value.evaluate(r.input);
    candidates += ev.candidates;
    const c = cedar.statefulIsAuthorized({ ...r.cedar, preparsedPolicySetId: cedarId });
    if (c.type !== 'success') throw new Error(`cedar failed: ${JSON.stringify(c.errors)}`);
    if ((ev.outcome === 'allow') !== (c.response!.decision === 'allow')) disagreements++;
  }
  return { size, set: loaded.value, requests, cedarId, candidates: candidates / REQUESTS, disagreements };
}

// eslint-disable-next-line @typescript-eslint/require-await -- the suite contract is async; this one is synchronous
export async function run(): Promise<TargetCheck[]> {
  const require = createRequire(import.meta.url);
  const cedar = require('@cedar-policy/cedar-wasm/nodejs') as Cedar;
  const prepared = SIZES.map((size) => prepare(cedar, size));
  const mask = REQUESTS - 1;
  let sink = 0;

  const rounds = new Map<number, LatencySummary[]>(SIZES.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of prepared) {
      const summary = measure(
        (i) => {
          sink += p.set.evaluate(p.requests[i & mask]!.input).candidates;
        },
        { block: 100, warmup: 2_000, maxBlocks: 2_000, minBlocks: 30, budgetMs: 300 },
      );
      rounds.get(p.size)!.push(summary);
    }
  }
  const cedarRuns = new Map<number, LatencySummary>();
  for (const p of prepared) {
    const large = p.size >= 1_000;
    const summary = measure(
      (i) => {
        const r = p.requests[i & mask]!;
        sink += cedar.statefulIsAuthorized({ ...r.cedar, preparsedPolicySetId: p.cedarId }).type.length;
      },
      {
        block: large ? 1 : 10,
        warmup: large ? 3 : 100,
        maxBlocks: 1_000,
        minBlocks: large ? 10 : 30,
        budgetMs: 1_500,
      },
    );
    cedarRuns.set(p.size, summary);
  }
  if (sink === 0) console.log('(sink)');

  const rows: Array<Record<string, string | number>> = [];
  const p50 = new Map<number, number>();
  const ratios: number[] = [];
  for (const p of prepared) {
    const mine = rounds.get(p.size)!;
    const mineP50 = median(mine.map((s) => s.p50));
    const mineP99 = median(mine.map((s) => s.p99));
    const theirs = cedarRuns.get(p.size)!;
    p50.set(p.size, mineP50);
    const ratio = theirs.p50 / mineP50;
    ratios.push(ratio);
    rows.push({
      rules: p.size,
      'avg candidates': p.candidates.toFixed(1),
      'portcullis p50 µs': us(mineP50),
      'portcullis p99 µs': us(mineP99),
      'cedar-wasm p50 µs': us(theirs.p50),
      'cedar-wasm p99 µs': us(theirs.p99),
      'cedar / portcullis (p50)': `${formatNum(ratio)}x`,
    });
  }
  const disagreements = prepared.reduce((n, p) => n + p.disagreements, 0);
  printTable('Policy decision latency (in-process, per decision)', rows);
  console.log(
    `\nPortcullis: blocks of 100 decisions, ${ROUNDS} interleaved rounds, median of the per-round p50/p99.` +
      `\nCedar: preparsePolicySet once, statefulIsAuthorized per decision, blocks of 10 (1 from 1,000 rules).` +
      `\n${REQUESTS} generated tool calls cycled; Portcullis and Cedar agree on allow/deny for all but ${disagreements} of ${REQUESTS * SIZES.length}.`,
  );
  const growth = p50.get(10_000)! / p50.get(100)!;
  const worst = Math.min(...ratios);
  console.log(
    `10,000-rule p50 / 100-rule p50 = ${formatNum(growth)}x; smallest cedar ratio ${formatNum(worst)}x`,
  );
  const at100 = p50.get(100)! / 1000;
  return [
    { name: 'policy p50 at 100 rules (µs)', value: at100, target: '<= 5', ok: at100 <= 5 },
    { name: 'policy p50 10,000 rules / 100 rules', value: growth, target: '<= 2', ok: growth <= 2 },
    {
      name: 'policy speed-up over cedar-wasm (p50, smallest over sizes)',
      value: worst,
      target: '>= 10',
      ok: worst >= 10,
    },
    {
      name: 'policy decisions that disagree with cedar',
      value: disagreements,
      target: '0',
      ok: disagreements === 0,
    },
  ];
}
