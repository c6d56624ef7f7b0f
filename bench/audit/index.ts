/**
 * Audit ledger benchmarks, each against its baseline in the same run:
 *
 * 1. Durable append throughput: the SQLite store (WAL, synchronous=FULL, group commit) with
 *    IN_FLIGHT appends in flight, against raw better-sqlite3 inserts of the same canonical bytes
 *    with the same pragmas, in transactions of the same size as the store's batches. The store's
 *    clock runs until its lookup index covers every event (that work is deferred, not avoided).
 *    After one warm-up round of each, rounds alternate store and raw; medians are reported.
 * 2. Verification of a 1,000,000-event ledger (leaves, tree, stored hashes, checkpoints).
 * 3. Inclusion proofs in that ledger.
 *
 * Besides wall-clock rates, CPU time per event is reported: on a shared machine the wall clock
 * depends on the other jobs, the CPU time much less. It is the process's CPU time, all threads:
 * the store's appends and verification share leaf hashing with a second thread (LeafHasher), so
 * their CPU figures include that thread's work, and their wall-clock rates its help.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalEventText } from '../../src/core/audit/event-encode.js';
import type { AuditEventV1 } from '../../src/core/audit/event.js';
import { verifyLedger } from '../../src/core/audit/verify-ledger.js';
import { openSqliteAuditStore, SqliteLedgerBackend } from '../../src/adapters/storage/sqlite/audit-store.js';
import { createLedgerStore } from '../../src/adapters/storage/audit-ledger/ledger-store.js';
import { LeafHasher } from '../../src/adapters/storage/audit-ledger/leaf-hasher.js';
import { createNoteSigner, privateKeyFromSeed } from '../../src/core/audit/note.js';
import { formatNum, median, printTable, summarize, type TargetCheck } from '../lib/stats.js';
import { benchEvent, bulkLoadLedger } from './ledger-bulk.js';

const IN_FLIGHT = Number(process.env.AUDIT_BENCH_IN_FLIGHT ?? 256);
const APPEND_EVENTS = 40_000;
const ROUNDS = 5;
const BIG_LEDGER = Number(process.env.AUDIT_BENCH_EVENTS ?? 1_000_000);

const signer = createNoteSigner('bench.portcullis/ledger', privateKeyFromSeed(new Uint8Array(32).fill(7)));

interface Measured {
  /** Events per second, wall clock. */
  rate: number;
  /** CPU microseconds (user + system) per event. */
  cpuUs: number;
}

async function measure(events: number, fn: () => Promise<void> | void): Promise<Measured> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { rate: events / (ms / 1000), cpuUs: (used.user + used.system) / events };
}

async function storeAppend(dir: string, events: AuditEventV1[]): Promise<Measured & { batch: number }> {
  const backend = new SqliteLedgerBackend({
    path: join(dir, `store-${Math.random()}.db`),
    synchronous: 'full',
  });
  const store = createLedgerStore(backend, { signer });
  // The clock stops once the lookup index covers every appended event: the figure includes all
  // the work the appends cause, not only what happened before the last append resolved.
  const m = await measure(events.length, async () => {
    for (let i = 0; i < events.length; i += IN_FLIGHT) {
      await Promise.all(events.slice(i, i + IN_FLIGHT).map((e) => store.append(e)));
    }
    backend.indexAll();
  });
  const s = store.status();
  await store.close();
  return { ...m, batch: s.appended / s.batches };
}

function rawInsert(dir: string, texts: string[], batch: number): Promise<Measured> {
  const db = new Database(join(dir, `raw-${Math.random()}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE raw (idx INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO raw (idx, body) VALUES (?, ?)');
  const tx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(i, texts[i]);
  });
  return measure(texts.length, () => {
    for (let i = 0; i < texts.length; i += batch) tx(i, Math.min(texts.length, i + batch));
  }).finally(() => db.close());
}

async function appendBench(dir: string): Promise<TargetCheck[]> {
  const events = Array.from({ length: APPEND_EVENTS }, (_, i) => benchEvent(i));
  // Building an event, timed on a second pass (the first one also compiles the code).
  const buildStart = performance.now();
  for (let i = 0; i < APPEND_EVENTS; i++) benchEvent(i);
  const buildUs = ((performance.now() - buildStart) * 1000) / APPEND_EVENTS;
  const texts = events.map((e) => canonicalEventText(e));
  const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t), 0) / texts.length;
  const store: Array<Measured & { batch: number }> = [];
  const raw: Measured[] = [];
  // One warm-up round of each (not counted): the first pass through the store's code runs
  // before the JIT has compiled it, which says nothing about a gateway that runs for days.
  await rawInsert(dir, texts, Math.round((await storeAppend(dir, events)).batch));
  for (let r = 0; r < ROUNDS; r++) {
    const s = await storeAppend(dir, events);
    store.push(s);
    raw.push(await rawInsert(dir, texts, Math.round(s.batch)));
  }
  console.log(
    `\nper round, store / raw events/s: ${store.map((m, r) => `${formatNum(m.rate)} / ${formatNum(raw[r]!.rate)} (${(m.rate / raw[r]!.rate).toFixed(2)})`).join(', ')}`,
  );
  const storeRate = median(store.map((m) => m.rate));
  const rawRate = median(raw.map((m) => m.rate));
  const batch = median(store.map((m) => m.batch));
  printTable(`Durable append (WAL, synchronous=FULL, ${IN_FLIGHT} in flight), median of ${ROUNDS}`, [
    {
      path: 'AuditStore.append, group commit',
      'events/s': formatNum(storeRate),
      'CPU µs/event': formatNum(median(store.map((m) => m.cpuUs))),
      'events per commit': formatNum(batch),
    },
    {
      path: 'raw better-sqlite3 INSERT, same bytes',
      'events/s': formatNum(rawRate),
      'CPU µs/event': formatNum(median(raw.map((m) => m.cpuUs))),
      'events per commit': formatNum(batch),
    },
  ]);
  console.log(
    `\nratio store/raw: ${(storeRate / rawRate).toFixed(2)}; event ${formatNum(bytes)} bytes; building an event ` +
      `(canonical JSON + id, on the request path, not in the figures above): ${formatNum(buildUs)} µs`,
  );
  return [
    {
      name: 'audit append throughput (events/s)',
      value: storeRate,
      target: '>= 30000',
      ok: storeRate >= 30_000,
    },
    {
      name: 'audit append vs raw SQLite (ratio)',
      value: storeRate / rawRate,
      target: '>= 0.5',
      ok: storeRate / rawRate >= 0.5,
    },
  ];
}

async function bigLedgerBench(dir: string): Promise<TargetCheck[]> {
  const path = join(dir, 'big.db');
  const loadStart = performance.now();
  bulkLoadLedger(path, BIG_LEDGER, signer);
  console.log(
    `\nbuilt a ${BIG_LEDGER}-event ledger in ${formatNum((performance.now() - loadStart) / 1000)} s (bulk setup path)`,
  );
  const store = openSqliteAuditStore({ path, readonly: true });

  const runs: Measured[] = [];
  let verdict = '';
  for (let r = 0; r < 2; r++) {
    runs.push(
      await measure(BIG_LEDGER, async () => {
        // As `portcullis audit verify` runs it: leaf hashes shared with a second thread.
        const leafHasher = new LeafHasher();
        try {
          const v = await verifyLedger(store, { keys: [signer.verifierKey], leafHasher });
          if (!v.ok) throw new Error(`bench ledger failed verification: ${JSON.stringify(v.firstProblem)}`);
          verdict = `${v.size} events, ${v.checkpoints.verified}/${v.checkpoints.total} checkpoints`;
        } finally {
          leafHasher.close();
        }
      }),
    );
  }
  const verify = runs.reduce((best, m) => (m.rate > best.rate ? m : best));
  const sample = Math.min(BIG_LEDGER, 50_000);
  const firstRows = {
    ...store,
    extent: () => Promise.resolve({ events: sample, eventRows: sample, nodes: sample }),
    listCheckpoints: () => Promise.resolve([]),
  };
  const deep = await measure(sample, async () => {
    const v = await verifyLedger(firstRows, { keys: [signer.verifierKey], content: true });
    if (!v.ok) throw new Error(`content check failed: ${JSON.stringify(v.firstProblem)}`);
  });

  const proofMs: number[] = [];
  for (let k = 0; k < 2000; k++) {
    const index = Math.floor(Math.random() * BIG_LEDGER);
    const t = performance.now();
    await store.inclusionProof(index, BIG_LEDGER);
    proofMs.push(performance.now() - t);
  }
  const proof = summarize(proofMs.slice(200));
  await store.close();

  printTable(`Ledger of ${BIG_LEDGER} events`, [
    {
      operation: `verifyLedger: leaves, tree, stored hashes, checkpoints (${verdict}), best of 2`,
      'events/s': formatNum(verify.rate),
      'CPU µs/event': formatNum(verify.cpuUs),
    },
    {
      operation: `verifyLedger content: true (first ${sample}): canonical form, ids, columns too`,
      'events/s': formatNum(deep.rate),
      'CPU µs/event': formatNum(deep.cpuUs),
    },
    {
      operation: `inclusionProof(index, ${BIG_LEDGER}): p50 / p99 ms`,
      'events/s': `${formatNum(proof.p50)} / ${formatNum(proof.p99)}`,
      'CPU µs/event': '',
    },
  ]);
  return [
    { name: 'audit verify (events/s)', value: verify.rate, target: '>= 200000', ok: verify.rate >= 200_000 },
    {
      name: `audit inclusion proof in ${BIG_LEDGER}-event ledger, p50 (ms)`,
      value: proof.p50,
      target: '<= 1',
      ok: proof.p50 <= 1,
    },
  ];
}

export async function run(): Promise<TargetCheck[]> {
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (the figures below depend on it)`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-audit-bench-'));
  try {
    return [...(await appendBench(dir)), ...(await bigLedgerBench(dir))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
