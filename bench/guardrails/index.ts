/**
 * bench/guardrails: the full default scanner set (normalisation and decoding, PII, secrets, prompt
 * injection) on realistic 1 KB, 4 KB and 16 KB agent messages, side by side in the same run with a
 * baseline: one plain email regex over the same texts. Reports MB/s per core (one thread) by wall
 * clock and by CPU time (process.cpuUsage: on a shared machine the time the scan itself used),
 * latency percentiles, and the ratio to the baseline.
 *
 * The 1 KB "fresh identifiers" row gives every message phone numbers not seen before, so that
 * libphonenumber's verdicts (remembered per number, see scanners/pii/contact.ts) are computed each
 * time: the cost of a stream of new numbers.
 *
 * Timing: process.hrtime.bigint around each scan; ten different messages per size, rotated. Each
 * size is measured in three rounds and the median round is reported.
 */
import { createGuardrails } from '../../src/core/guardrails/index.js';
import {
  formatNum,
  median,
  printTable,
  summarize,
  type LatencySummary,
  type TargetCheck,
} from '../lib/stats.js';
import { freshMessage, message } from './messages.js';

const SIZES = [1024, 4096, 16_384];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

interface Measure {
  latency: LatencySummary;
  /** CPU microseconds per call. */
  cpuUs: number;
}

/** Per-call nanoseconds (and CPU time) for `fn` over the texts, after warm-up, within a budget. */
function measure(
  fn: (text: string) => unknown,
  texts: string[],
  budgetMs: number,
  minSamples: number,
): Measure {
  for (let i = 0; i < 50; i++) fn(texts[i % texts.length]!);
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  const deadline = process.hrtime.bigint() + BigInt(budgetMs) * 1_000_000n;
  for (let i = 0; samples.length < minSamples || process.hrtime.bigint() < deadline; i++) {
    const t0 = process.hrtime.bigint();
    fn(texts[i % texts.length]!);
    samples.push(Number(process.hrtime.bigint() - t0));
    if (samples.length >= 20_000 || samples.length >= texts.length * 2000) break;
  }
  const cpu = process.cpuUsage(cpu0);
  return { latency: summarize(samples), cpuUs: (cpu.user + cpu.system) / samples.length };
}

/** The median of three rounds, by mean latency. */
function measureRounds(
  fn: (text: string) => unknown,
  texts: string[],
  budgetMs: number,
  minSamples: number,
): Measure {
  const rounds = [0, 1, 2].map(() => measure(fn, texts, budgetMs, minSamples));
  const mid = median(rounds.map((r) => r.latency.mean));
  return rounds.find((r) => r.latency.mean === mid) ?? rounds[1]!;
}

const mbps = (bytes: number, ns: number): number => bytes / 1e6 / (ns / 1e9);

// eslint-disable-next-line @typescript-eslint/require-await -- the suite contract is async; this one is synchronous
export async function run(): Promise<TargetCheck[]> {
  const guard = createGuardrails({});
  const scan = (t: string): unknown => guard.scan([{ part: 'prompt', text: t }], 'input');
  const rows: Array<Record<string, string | number>> = [];
  const results = new Map<number, { ours: Measure; base: Measure }>();
  const row = (label: string, bytes: number, ours: Measure, base: Measure): void => {
    rows.push({
      size: label,
      'p50 µs': formatNum(ours.latency.p50 / 1000),
      'p99 µs': formatNum(ours.latency.p99 / 1000),
      'MB/s (mean)': formatNum(mbps(bytes, ours.latency.mean)),
      'MB/s (CPU time)': formatNum(bytes / ours.cpuUs),
      'baseline MB/s': formatNum(mbps(bytes, base.latency.mean)),
      'cost vs baseline': `${formatNum(ours.latency.mean / base.latency.mean)}x`,
      samples: ours.latency.n,
    });
  };
  for (const size of SIZES) {
    const texts = Array.from({ length: 10 }, (_, i) => message(size, i));
    const bytes = Buffer.byteLength(texts[0]!);
    const ours = measureRounds(scan, texts, 1500, 200);
    const base = measureRounds((t) => t.match(EMAIL), texts, 500, 200);
    results.set(size, { ours, base });
    row(`${size / 1024} KB`, bytes, ours, base);
  }
  {
    const fresh = Array.from({ length: 3000 }, (_, i) => freshMessage(1024, i));
    const ours = measure(scan, fresh, 1500, 200);
    const base = measure((t) => t.match(EMAIL), fresh, 500, 200);
    row('1 KB, fresh identifiers', Buffer.byteLength(fresh[0]!), ours, base);
  }
  printTable('Guardrails: full default scanner set vs one email regex (single thread)', rows);
  const r1 = results.get(1024)!;
  const r4 = results.get(4096)!;
  const r16 = results.get(16_384)!;
  const mb1 = mbps(1024, r1.ours.latency.mean);
  const mb16 = mbps(16_384, r16.ours.latency.mean);
  return [
    { name: 'guardrails 1 KB throughput MB/s per core', value: mb1, target: '>= 20', ok: mb1 >= 20 },
    { name: 'guardrails 16 KB throughput MB/s per core', value: mb16, target: '>= 20', ok: mb16 >= 20 },
    {
      name: 'guardrails 4 KB p99 latency ms',
      value: r4.ours.latency.p99 / 1e6,
      target: '<= 1',
      ok: r4.ours.latency.p99 / 1e6 <= 1,
    },
    {
      name: 'guardrails 1 KB throughput MB/s per core, CPU time (report only)',
      value: 1024 / r1.ours.cpuUs,
      target: 'report only',
      ok: true,
    },
    {
      name: 'guardrails 16 KB throughput MB/s per core, CPU time (report only)',
      value: 16_384 / r16.ours.cpuUs,
      target: 'report only',
      ok: true,
    },
    {
      name: 'guardrails 16 KB cost relative to one email regex (x)',
      value: r16.ours.latency.mean / r16.base.latency.mean,
      target: 'report only',
      ok: true,
    },
  ];
}
