/**
 * Witnesses: every signed checkpoint is handed to a directory or an HTTP endpoint, and a ledger
 * is checked against what the witness holds: a rewritten and re-signed history is caught.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryAuditStore } from '../src/adapters/storage/memory/audit-store.js';
import { openSqliteAuditStore } from '../src/adapters/storage/sqlite/audit-store.js';
import { DirectoryWitness, HttpWitness, createWitness } from '../src/adapters/witness/index.js';
import { peekCheckpoint } from '../src/core/audit/checkpoint.js';
import { buildDecisionEvent } from '../src/core/audit/event.js';
import { verifyAgainstWitness } from '../src/core/audit/witness-check.js';
import { verifyLedger } from '../src/core/audit/verify-ledger.js';
import { ORIGIN, sampleDecision, sampleEvent, testSigner } from './audit-fixtures.js';

const KEY = testSigner().verifierKey;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'portcullis-witness-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function appendWaves(
  store: { append: (e: ReturnType<typeof sampleEvent>) => Promise<unknown> },
  waves: number[],
  tamperAt = -1,
): Promise<void> {
  let i = 0;
  for (const w of waves) {
    const batch: Array<Promise<unknown>> = [];
    for (const end = i + w; i < end; i++)
      batch.push(store.append(i === tamperAt ? forged(i) : sampleEvent(i)));
    await Promise.all(batch);
  }
}

/** Event i with a different amount: what a history rewrite would put in its place. */
function forged(i: number): ReturnType<typeof sampleEvent> {
  const d = sampleDecision(i, 'allow');
  return buildDecisionEvent(
    {
      time: Date.parse(sampleEvent(i).time),
      instance: 'gw-test',
      decision: d,
      action: { kind: 'tool_call', tool: 'payments.transfer', args: { amount: 1 } },
      context: undefined,
      findings: {},
      adapter: 'http',
      agent: { id: d.agent_id },
      impact: undefined,
      explanation: undefined,
      matched: d.matched,
      steps: d.steps,
      outcome: 'allow',
    },
    i,
  );
}

describe('directory witness', () => {
  it('writes one <size>.checkpoint per checkpoint, never overwrites, and refuses a conflicting one', async () => {
    const dir = join(tempDir(), 'witness');
    const witness = new DirectoryWitness(dir);
    const store = createMemoryAuditStore({ signer: testSigner(), checkpoints: { everyEvents: 4 }, witness });
    await appendWaves(store, [4, 4, 3]);
    await store.close();
    expect(readdirSync(dir).sort()).toEqual(['11.checkpoint', '4.checkpoint', '8.checkpoint']);
    const notes = await witness.list();
    expect(
      notes.map((n) => peekCheckpoint(n).ok && (peekCheckpoint(n) as { value: { size: number } }).value.size),
    ).toEqual([4, 8, 11]);
    expect(readFileSync(join(dir, '8.checkpoint'), 'utf8')).toBe(notes[1]);
    await witness.submit(notes[1]!);
    const other = createMemoryAuditStore({ signer: testSigner(), checkpoints: { everyEvents: 1000 } });
    await appendWaves(other, [3], 1);
    await other.append(sampleEvent(3));
    const conflicting = (await other.checkpointNow())!.note;
    await expect(witness.submit(conflicting)).rejects.toMatchObject({
      code: 'audit_witness_unavailable',
      detail: expect.stringMatching(/different checkpoint for size 4/),
    });
    expect(readFileSync(join(dir, '4.checkpoint'), 'utf8')).toBe(notes[0]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(witness.submit('not a note')).rejects.toMatchObject({ code: 'audit_witness_unavailable' });
    expect(await new DirectoryWitness(join(dir, 'absent')).list()).toEqual([]);
  });
});

describe('HTTP witness', () => {
  let server: Server;
  const held = new Map<number, string>();
  let up = true;
  const start = (): Promise<string> =>
    new Promise((resolve) => {
      server = createServer((req, res) => {
        if (!up) return void res.writeHead(503).end();
        if (req.method === 'GET')
          return void res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ checkpoints: [...held.values()] }));
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString('utf8')));
        req.on('end', () => {
          const cp = peekCheckpoint(body);
          if (!cp.ok || req.headers['content-type'] !== 'text/plain; charset=utf-8')
            return void res.writeHead(400).end();
          const prev = held.get(cp.value.size);
          if (prev !== undefined && prev !== body) return void res.writeHead(409).end();
          held.set(cp.value.size, body);
          res.writeHead(204).end();
        });
      }).listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/witness`),
      );
    });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('POSTs every checkpoint, retries after an outage, and lists them back', async () => {
    const url = await start();
    const witness = createWitness(url);
    expect(witness).toBeInstanceOf(HttpWitness);
    const errors: unknown[] = [];
    const store = createMemoryAuditStore({
      signer: testSigner(),
      checkpoints: { everyEvents: 5 },
      witness,
      onError: (e) => errors.push(e),
    });
    await appendWaves(store, [5]);
    await store.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect([...held.keys()]).toEqual([5]);
    up = false;
    await Promise.all([5, 6, 7, 8, 9].map((i) => store.append(sampleEvent(i))));
    await new Promise((r) => setTimeout(r, 50));
    expect(store.status().witness).toMatchObject({
      pending: 1,
      lastError: expect.stringMatching(/answered 503/),
    });
    expect(errors.length).toBeGreaterThan(0);
    expect(store.ready()).toBe(true);
    up = true;
    await store.close();
    expect([...held.keys()].sort((a, b) => a - b)).toEqual([5, 10]);
    expect(store.status().witness).toMatchObject({ submitted: 2, pending: 0, lastError: null });
    const listed = await witness.list();
    expect((await verifyAgainstWitness(store, listed, { keys: [KEY] })).ok).toBe(true);
  });
});

describe('checking a ledger against its witness', () => {
  it('passes for the honest ledger; catches a rewritten, re-signed history and a truncated one', async () => {
    const dir = join(tempDir(), 'w');
    const honest = createMemoryAuditStore({
      signer: testSigner(),
      checkpoints: { everyEvents: 4 },
      witness: new DirectoryWitness(dir),
    });
    await appendWaves(honest, [4, 4, 4]);
    await honest.close();
    const notes = await new DirectoryWitness(dir).list();
    expect(notes.length).toBe(3);
    expect(await verifyAgainstWitness(honest, notes, { keys: [KEY], origin: ORIGIN })).toMatchObject({
      ok: true,
      consistent: 3,
      total: 3,
      size: 12,
    });

    // The administrator rebuilds the ledger with event 5 changed and signs it with the real key.
    const rewritten = createMemoryAuditStore({ signer: testSigner(), checkpoints: { everyEvents: 4 } });
    await appendWaves(rewritten, [4, 4, 4, 2], 5);
    expect((await verifyLedger(rewritten, { keys: [KEY] })).ok).toBe(true);
    const caught = await verifyAgainstWitness(rewritten, notes, { keys: [KEY] });
    expect(caught.ok).toBe(false);
    expect(caught.consistent).toBe(1);
    expect(caught.problems.map((p) => [p.kind, p.end])).toEqual([
      ['modified', 8],
      ['modified', 12],
    ]);
    expect((await verifyLedger(rewritten, { keys: [KEY], witnessed: notes })).firstProblem).toMatchObject({
      kind: 'modified',
      subject: 'event',
    });

    const short = createMemoryAuditStore({ signer: testSigner(), checkpoints: { everyEvents: 4 } });
    await appendWaves(short, [4, 4]);
    const truncated = await verifyAgainstWitness(short, notes, { keys: [KEY] });
    expect(truncated.problems).toEqual([expect.objectContaining({ kind: 'truncated', index: 8, end: 12 })]);
  });

  it('notices checkpoints deleted from the ledger that the witness still holds', async () => {
    const dir = tempDir();
    const path = join(dir, 'ledger.db');
    const witnessDir = join(dir, 'witness');
    const store = openSqliteAuditStore({
      path,
      signer: testSigner(),
      checkpoints: { everyEvents: 4 },
      witness: new DirectoryWitness(witnessDir),
    });
    await appendWaves(store, [4, 4, 2]);
    await store.close();
    const db = new Database(path);
    db.exec('DROP TRIGGER checkpoints_no_delete');
    db.prepare('DELETE FROM checkpoints WHERE seq = (SELECT max(seq) FROM checkpoints)').run();
    db.close();
    const notes = await new DirectoryWitness(witnessDir).list();
    const reader = openSqliteAuditStore({ path, readonly: true });
    expect((await verifyLedger(reader, { keys: [KEY] })).ok).toBe(true);
    const w = await verifyAgainstWitness(reader, notes, { keys: [KEY] });
    expect(w.problems).toEqual([
      expect.objectContaining({ kind: 'missing', subject: 'checkpoint', index: 10 }),
    ]);
    const full = await verifyLedger(reader, { keys: [KEY], witnessed: notes });
    expect(full.problems).toEqual([
      expect.objectContaining({ kind: 'missing', subject: 'checkpoint', index: 10 }),
    ]);
    await reader.close();
  });
});
