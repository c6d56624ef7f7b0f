/**
 * Audit ledger benchmarks, each against its baseline in the same run:
 *
 * 1. Durable append throughput: the SQLite store (WAL, synchronous=FULL, group commit) with 256
 *    appends in flight, against raw better-sqlite3 inserts of the same canonical bytes with the
 *    same pragmas, in transactions of the same size as the store's batches.
 * 2. Verification of a 1,000,000-event ledger (leaves, tree, stored nodes, checkpoints).
 * 3. Inclusion proofs in that ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalEventText } from '../../src/core/audit/event-encode.js';
import type { AuditEventV1 } from '../../src/core/audit/event.js';
import { verifyLedger } from '../../src/core/audit/verify-ledger.js';
import { openSqliteAuditStore } from '../../src/adapters/storage/sqlite/audit-store.js';
import { createNoteSigner, privateKeyFromSeed } from '../../src/core/audit/note.js';
import { formatNum, median, printTable, summarize, type TargetCheck } from '../lib/stats.js';
import { benchEvent, bulkLoadLedger } from './ledger-bulk.js';

const IN_FLIGHT = Number(process.env.AUDIT_BENCH_IN_FLIGHT ?? 256);
const APPEND_EVENTS = 40_000;
const ROUNDS = 3;
const BIG_LEDGER = Number(process.env.AUDIT_BENCH_EVENTS ?? 1_000_000);

const signer = createNoteSigner('bench.portcullis/ledger', privateKeyFromSeed(new Uint8Array(32).fill(7)));

async function storeAppendRate(
  dir: string,
  events: AuditEventV1[],
): Promise<{ rate: number; batch: number }> {
  const store = openSqliteAuditStore({
    path: join(dir, `store-${Math.random()}.db`),
    signer,
    synchronous: 'full',
  });
  const start = performance.now();
  for (let i = 0; i < events.length; i += IN_FLIGHT) {
    await Promise.all(events.slice(i, i + IN_FLIGHT).map((e) => store.append(e)));
  }
  const ms = performance.now() - start;
  const s = store.status();
  await store.close();
  return { rate: events.length / (ms / 1000), batch: s.appended / s.batches };
}

function rawInsertRate(dir: string, texts: string[], batch: number): number {
  const db = new Database(join(dir, `raw-${Math.random()}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE raw (idx INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO raw (idx, body) VALUES (?, ?)');
  const tx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(i, texts[i]);
  });
  const start = performance.now();
  for (let i = 0; i < texts.length; i += batch) tx(i, Math.min(texts.length, i + batch));
  const ms = performance.now() - start;
  db.close();
  return texts.length / (ms / 1000);
}

async function appendBench(dir: string): Promise<TargetCheck[]> {
  const buildStart = performance.now();
  const events = Array.from({ length: APPEND_EVENTS }, (_, i) => benchEvent(i));
  const buildUs = ((performance.now() - buildStart) * 1000) / APPEND_EVENTS;
  const texts = events.map((e) => canonicalEventText(e));
  const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t), 0) / texts.length;
  const store: number[] = [];
  const raw: number[] = [];
  const batches: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s = await storeAppendRate(dir, events);
    store.push(s.rate);
    batches.push(s.batch);
    raw.push(rawInsertRate(dir, texts, Math.round(s.batch)));
  }
  const storeRate = median(store);
  const rawRate = median(raw);
  printTable('Durable append (WAL, synchronous=FULL), median of 3', [
    {
      path: 'AuditStore.append, group commit',
      'events/s': formatNum(storeRate),
      'events per commit': formatNum(median(batches)),
    },
    {
      path: 'raw better-sqlite3 INSERT, same bytes',
      'events/s': formatNum(rawRate),
      'events per commit': formatNum(median(batches)),
    },
  ]);
  console.log(
    `\nratio store/raw: ${(storeRate / rawRate).toFixed(2)}; event size ${formatNum(bytes)} bytes; buildDecisionEvent ${formatNum(buildUs)} µs/event (before append, on the request path)`,
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

  const runs: number[] = [];
  let verdict = '';
  for (let r = 0; r < 2; r++) {
    const start = performance.now();
    const v = await verifyLedger(store, { keys: [signer.verifierKey] });
    runs.push(performance.now() - start);
    verdict = `ok=${v.ok}, ${v.size} events, ${v.checkpoints.verified}/${v.checkpoints.total} checkpoints`;
    if (!v.ok) throw new Error(`bench ledger failed verification: ${JSON.stringify(v.firstProblem)}`);
  }
  const verifyMs = median(runs);
  const verifyRate = BIG_LEDGER / (verifyMs / 1000);
  const sample = Math.min(BIG_LEDGER, 50_000);
  const deepStart = performance.now();
  const firstRows = {
    ...store,
    extent: () => Promise.resolve({ events: sample, eventRows: sample, nodes: sample }),
    listCheckpoints: () => Promise.resolve([]),
  };
  const deep = await verifyLedger(firstRows, { keys: [signer.verifierKey], content: true });
  const deepRate = sample / ((performance.now() - deepStart) / 1000);
  if (!deep.ok) throw new Error(`content check failed: ${JSON.stringify(deep.firstProblem)}`);

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
      operation: 'verifyLedger (leaves, tree, nodes, checkpoints)',
      result: `${formatNum(verifyMs / 1000)} s = ${formatNum(verifyRate)} events/s (${verdict})`,
    },
    {
      operation: `verifyLedger content: true (first ${sample})`,
      result: `${formatNum(deepRate)} events/s (canonical form, ids, columns)`,
    },
    {
      operation: 'inclusionProof(index, 1M)',
      result: `p50 ${formatNum(proof.p50 * 1000)} µs, p99 ${formatNum(proof.p99 * 1000)} µs`,
    },
  ]);
  return [
    { name: 'audit verify (events/s)', value: verifyRate, target: '>= 200000', ok: verifyRate >= 200_000 },
    {
      name: 'audit inclusion proof in 1M ledger p50 (ms)',
      value: proof.p50,
      target: '<= 1',
      ok: proof.p50 <= 1,
    },
  ];
}

export async function run(): Promise<TargetCheck[]> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-audit-bench-'));
  try {
    return [...(await appendBench(dir)), ...(await bigLedgerBench(dir))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
