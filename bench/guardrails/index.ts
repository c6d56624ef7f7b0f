/**
 * bench/guardrails: the full default scanner set (normalisation and decoding, PII, secrets, prompt
 * injection) on realistic 1 KB, 4 KB and 16 KB agent messages, side by side in the same run with a
 * baseline: one plain email regex over the same texts. Reports MB/s per core (one thread), latency
 * percentiles, and the ratio to the baseline.
 *
 * Timing: process.hrtime.bigint around each scan; ten different messages per size, rotated.
 */
import { createGuardrails } from '../../src/core/guardrails/index.js';
import { formatNum, printTable, summarize, type LatencySummary, type TargetCheck } from '../lib/stats.js';
import { message } from './messages.js';

const SIZES = [1024, 4096, 16_384];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Per-call nanoseconds for `fn` over the messages, after warm-up, within a time budget. */
function measure(
  fn: (text: string) => unknown,
  texts: string[],
  budgetMs: number,
  minSamples: number,
): LatencySummary {
  for (let i = 0; i < 50; i++) fn(texts[i % texts.length]!);
  const samples: number[] = [];
  const deadline = process.hrtime.bigint() + BigInt(budgetMs) * 1_000_000n;
  for (let i = 0; samples.length < minSamples || process.hrtime.bigint() < deadline; i++) {
    const t0 = process.hrtime.bigint();
    fn(texts[i % texts.length]!);
    samples.push(Number(process.hrtime.bigint() - t0));
    if (samples.length >= 20_000) break;
  }
  return summarize(samples);
}

const mbps = (bytes: number, ns: number): number => bytes / 1e6 / (ns / 1e9);

// eslint-disable-next-line @typescript-eslint/require-await -- the suite contract is async; this one is synchronous
export async function run(): Promise<TargetCheck[]> {
  const guard = createGuardrails({});
  const rows: Array<Record<string, string | number>> = [];
  const results = new Map<number, { ours: LatencySummary; base: LatencySummary }>();
  for (const size of SIZES) {
    const texts = Array.from({ length: 10 }, (_, i) => message(size, i));
    const bytes = Buffer.byteLength(texts[0]!);
    const ours = measure((t) => guard.scan([{ part: 'prompt', text: t }], 'input'), texts, 3000, 200);
    const base = measure((t) => t.match(EMAIL), texts, 1000, 200);
    results.set(size, { ours, base });
    rows.push({
      size: `${size / 1024} KB`,
      'p50 µs': formatNum(ours.p50 / 1000),
      'p99 µs': formatNum(ours.p99 / 1000),
      'MB/s (mean)': formatNum(mbps(bytes, ours.mean)),
      'baseline MB/s': formatNum(mbps(bytes, base.mean)),
      'cost vs baseline': `${formatNum(ours.mean / base.mean)}x`,
      samples: ours.n,
    });
  }
  printTable('Guardrails: full default scanner set vs one email regex (single thread)', rows);
  const r1 = results.get(1024)!;
  const r4 = results.get(4096)!;
  const r16 = results.get(16_384)!;
  const mb1 = mbps(1024, r1.ours.mean);
  const mb16 = mbps(16_384, r16.ours.mean);
  return [
    { name: 'guardrails 1 KB throughput MB/s per core', value: mb1, target: '>= 20', ok: mb1 >= 20 },
    { name: 'guardrails 16 KB throughput MB/s per core', value: mb16, target: '>= 20', ok: mb16 >= 20 },
    {
      name: 'guardrails 4 KB p99 latency ms',
      value: r4.ours.p99 / 1e6,
      target: '<= 1',
      ok: r4.ours.p99 / 1e6 <= 1,
    },
    {
      name: 'guardrails 16 KB cost relative to one email regex (x)',
      value: r16.ours.mean / r16.base.mean,
      target: 'report only',
      ok: true,
    },
  ];
}
