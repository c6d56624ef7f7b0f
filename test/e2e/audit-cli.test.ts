/**
 * End to end: `portcullis audit verify|export|verify-bundle|trace|key` against the ledger a real
 * `portcullis serve` wrote: next to the live server (read-only), after it stopped, after the
 * SQLite file was tampered with, after a key rotation, and after an administrator rewrote history
 * and re-signed it with the ledger key (only the witness can tell).
 */
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteAuditStore } from '../../src/adapters/storage/sqlite/audit-store.js';
import { loadOrCreateSigningKey } from '../../src/app/audit-key.js';
import type { AuditEventV1 } from '../../src/core/audit/event.js';
import { freezeJson, sealEvent } from '../../src/core/audit/event-encode.js';
import { startGateway, tempDir, type RunningGateway } from './cli-harness.js';
import {
  cli,
  createProject,
  decide,
  ledgerFile,
  ticket,
  type DecisionAnswer,
  type Project,
} from './audit-harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

let project: Project;
let gw: RunningGateway | null = null;
let allow: DecisionAnswer;
let deny: DecisionAnswer;
const work = tempDir('pc-e2e-audit-cli-work-');

/** A copy of the stopped project, to tamper with without spoiling the original. */
function copyProject(name: string): Project {
  const dir = join(work, name);
  cpSync(project.dir, dir, { recursive: true });
  return { ...project, dir, config: join(dir, 'portcullis.yaml') };
}

/** A raw connection with the append-only triggers dropped: what an attacker with file access has. */
function tamper(p: Project, sql: (db: Database.Database) => void): void {
  const db = new Database(ledgerFile(p));
  try {
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{
      name: string;
    }>;
    expect(triggers.length).toBeGreaterThan(0);
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    sql(db);
  } finally {
    db.close();
  }
}

function indexOfDecision(p: Project, decisionId: string): number {
  const db = new Database(ledgerFile(p), { readonly: true });
  try {
    const row = db
      .prepare("SELECT idx FROM audit_events WHERE type = 'decision' AND decision_id = ?")
      .get(decisionId) as { idx: number };
    return row.idx;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  project = createProject({ checkpoint_every_events: 4, witness: 'witness' });
  gw = await startGateway(project.config);
  allow = await decide(
    gw.url,
    project.agentKey,
    ticket('tickets.get', { id: 1, note: 'call me at jane@example.com' }),
  );
  deny = await decide(gw.url, project.agentKey, ticket('tickets.purge'));
  for (let i = 0; i < 8; i++)
    await decide(gw.url, project.agentKey, ticket(i % 2 ? 'tickets.search' : 'tickets.nope', { i }));
  const res = await fetch(`${gw.url}/v1/decisions/${allow.id}/outcome`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${project.agentKey}` },
    body: JSON.stringify({ status: 'success', latency_ms: 640, impact: { records: 2 } }),
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

describe('next to a live gateway (read-only)', () => {
  it('verify passes, with a progress bar on request and JSON on request', async () => {
    const r = await cli(['audit', 'verify', '--config', project.config, '--progress']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ events, root [0-9a-f]{64}\n/);
    expect(r.stdout).toMatch(/checkpoints: (\d+) of \1 verified/);
    expect(r.stdout).toContain('a witness is configured');
    expect(r.stderr).toMatch(/verifying .*100% \| (\d+)\/\1 events/);
    const j = await cli(['audit', 'verify', '--config', project.config, '--json', '--content']);
    expect(j.status, j.stderr).toBe(0);
    const result = JSON.parse(j.stdout);
    expect(result).toMatchObject({ ok: true, content: true, firstProblem: null, problems: [] });
    expect(result.size).toBeGreaterThanOrEqual(12);
  });

  it('trace prints the six layers of a decision and its reported outcome', async () => {
    const r = await cli(['audit', 'trace', allow.id, '--config', project.config]);
    expect(r.status, r.stderr).toBe(0);
    const text = r.stdout;
    const layers = ['1. inputs', '2. policy', '3. decision', '4. action', '5. outcome', '6. impact'].map(
      (l) => text.indexOf(l),
    );
    expect(layers.every((at) => at > 0)).toBe(true);
    expect([...layers].sort((a, b) => a - b)).toEqual(layers);
    expect(text).toContain(`Decision ${allow.id}`);
    expect(text).toMatch(
      /matched\s+example\/read-tickets -> allow: Agents with tickets:read may read tickets/,
    );
    expect(text).toMatch(/agent\.id\s+example-agent/);
    expect(text).toMatch(/status\s+pending_execution/);
    expect(text).toMatch(/outcome event evt_[0-9a-f]{32} at index \d+/);
    expect(text).toMatch(/latency_ms\s+640/);
    expect(text).not.toContain('jane@example.com');

    const j = await cli(['audit', 'trace', allow.id, '--config', project.config, '--json']);
    const body = JSON.parse(j.stdout);
    expect(body.events.map((e: Any) => e.event.type)).toEqual(['decision', 'outcome']);

    const plain = await cli(['audit', 'trace', deny.id, '--config', project.config]);
    expect(plain.stdout).toContain('No outcome was reported for this decision (status denied)');
    const unknown = await cli([
      'audit',
      'trace',
      'dec_00000000000000000000000000000000',
      '--config',
      project.config,
    ]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('error[not_found]');
  });

  it('export writes a bundle that verify-bundle accepts with only the key, and rejects once a byte changes', async () => {
    const bundle = join(work, 'range.bundle');
    const ex = await cli([
      'audit',
      'export',
      '--config',
      project.config,
      '--from',
      '1',
      '--to',
      '4',
      '--out',
      bundle,
    ]);
    expect(ex.status, ex.stderr).toBe(0);
    expect(ex.stdout).toContain('exported events [1, 4)');
    const again = await cli([
      'audit',
      'export',
      '--config',
      project.config,
      '--from',
      '1',
      '--to',
      '4',
      '--out',
      bundle,
    ]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('--force');

    const key = await cli(['audit', 'key', 'export', '--config', project.config]);
    expect(key.status).toBe(0);
    expect(key.stdout).toMatch(/^portcullis\.local\/ledger\+[0-9a-f]{8}\+\S+\n$/);
    const keyFile = join(work, 'ledger.pub');
    writeFileSync(keyFile, key.stdout);

    // An external auditor: another directory, no config, no database.
    const auditorDir = tempDir('pc-e2e-auditor-');
    const ok = await cli(['audit', 'verify-bundle', bundle, '--key', keyFile], auditorDir);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('ok: events [1, 4) (3)');
    expect(
      (await cli(['audit', 'verify-bundle', bundle, '--key', key.stdout.trim()], auditorDir)).status,
    ).toBe(0);

    const bytes = readFileSync(bundle);
    const at = bytes.indexOf('tickets.get');
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'T'.charCodeAt(0);
    const flipped = join(auditorDir, 'flipped.bundle');
    writeFileSync(flipped, bytes);
    const bad = await cli(['audit', 'verify-bundle', flipped, '--key', keyFile], auditorDir);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^FAILED/);

    // A well-formed verifier key, but not this ledger's (the test key of docs/audit.md).
    const otherKey = 'ledger.example/test+e5499917+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c';
    const wrongKey = await cli(['audit', 'verify-bundle', bundle, '--key', otherKey], auditorDir);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stdout).toContain('not the key given');
    const noKey = await cli(
      ['audit', 'verify-bundle', bundle, '--key', join(auditorDir, 'missing.pub')],
      auditorDir,
    );
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toContain('error[audit_key_invalid]');
  });

  it('refuses to rotate the key while the gateway has the ledger open', async () => {
    const r = await cli(['audit', 'key', 'rotate', '--config', project.config]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('another process has');
  });

  it('answers wrong usage with exit 2 and has --help everywhere', async () => {
    expect(
      (await cli(['audit', 'export', '--config', project.config, '--from', 'x', '--out', 'b'])).status,
    ).toBe(2);
    expect((await cli(['audit', 'verify'])).status).toBe(2);
    const subs = [['verify'], ['export'], ['verify-bundle'], ['trace'], ['key', 'export'], ['key', 'rotate']];
    const helps = await Promise.all(subs.map((sub) => cli(['audit', ...sub, '--help'])));
    for (const [i, h] of helps.entries()) {
      expect(h.status, subs[i]!.join(' ')).toBe(0);
      expect(h.stdout).toContain(`Usage: portcullis audit ${subs[i]!.join(' ')}`);
    }
  });
});

describe('after the gateway stopped', () => {
  beforeAll(async () => {
    expect(await gw!.stop()).toBe(0);
    gw = null;
  });

  it('verify --witness proves the ledger consistent with every witnessed checkpoint', async () => {
    const witnessed = readdirSync(join(project.dir, 'witness')).filter((f) => f.endsWith('.checkpoint'));
    expect(witnessed.length).toBeGreaterThan(1);
    const r = await cli([
      'audit',
      'verify',
      '--config',
      project.config,
      '--witness',
      join(project.dir, 'witness'),
    ]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${witnessed.length} of ${witnessed.length} checkpoint(s) consistent`);
  });

  it('a modified event is named by index and kind', async () => {
    const p = copyProject('modified');
    const i = indexOfDecision(p, deny.id);
    tamper(p, (db) => {
      const changed = db
        .prepare(
          `UPDATE audit_events SET body = replace(body, '"outcome":"deny"', '"outcome":"allow"') WHERE idx = ?`,
        )
        .run(i);
      expect(changed.changes).toBe(1);
    });
    const r = await cli(['audit', 'verify', '--config', p.config]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAILED at index ${i}: modified event`);
  });

  it('a deleted event is named by index and kind', async () => {
    const p = copyProject('deleted');
    const i = indexOfDecision(p, deny.id);
    tamper(p, (db) => db.prepare('DELETE FROM audit_events WHERE idx = ?').run(i));
    const r = await cli(['audit', 'verify', '--config', p.config, '--json']);
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.firstProblem).toMatchObject({ index: i, kind: 'missing', subject: 'event' });
  });

  it('a history rewritten and re-signed with the ledger key passes alone, and fails against the witness', async () => {
    const p = copyProject('rewritten');
    const file = ledgerFile(p);
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT body FROM audit_events ORDER BY idx').all() as Array<{ body: string }>;
    db.close();
    const i = indexOfDecision(p, deny.id);
    // The administrator rebuilds the ledger with one decision changed, signing it with the real key.
    const forged = join(p.dir, 'data', 'forged.db');
    const key = await loadOrCreateSigningKey(
      join(p.dir, 'data', 'ledger-signing.key'),
      'portcullis.local/ledger',
    );
    const store = openSqliteAuditStore({
      path: forged,
      origin: 'portcullis.local/ledger',
      signer: key.signer,
      checkpoints: { everyEvents: 4, everyMs: 3_600_000 },
    });
    for (const [n, row] of rows.entries()) {
      const e = JSON.parse(row.body) as AuditEventV1 & Record<string, unknown>;
      if (n === i) (e.decision as Record<string, unknown>).outcome = 'allow';
      const { id: _id, ...body } = e;
      await store.append(sealEvent(freezeJson(body) as unknown as Omit<AuditEventV1, 'id'>));
    }
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    cpSync(forged, file);

    const alone = await cli(['audit', 'verify', '--config', p.config]);
    expect(alone.status, alone.stdout).toBe(0);
    const r = await cli([
      'audit',
      'verify',
      '--config',
      p.config,
      '--witness',
      join(p.dir, 'witness'),
      '--json',
    ]);
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.firstProblem.kind).toBe('modified');
    expect(result.firstProblem.index).toBeLessThanOrEqual(i);
    expect(result.problems.some((x: Any) => /witnessed checkpoint/.test(x.message))).toBe(true);
    const text = await cli(['audit', 'verify', '--config', p.config, '--witness', join(p.dir, 'witness')]);
    expect(text.stdout).toMatch(/^FAILED at index \d+: modified event/);
  });

  it('rotates the key: recorded in the ledger, signed off by the old key, and verify still passes', async () => {
    const before = (await cli(['audit', 'key', 'export', '--config', project.config])).stdout.trim();
    const r = await cli(['audit', 'key', 'rotate', '--config', project.config, '--actor', 'e2e', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rotated = JSON.parse(r.stdout);
    expect(rotated.previous_key).toBe(before);
    const after = await cli(['audit', 'key', 'export', '--config', project.config, '--json']);
    const keys = JSON.parse(after.stdout);
    expect(keys.verifier_key).toBe(rotated.new_key);
    expect(keys.retired).toEqual([before]);
    expect(rotated.new_key).not.toBe(before);

    const verify = await cli([
      'audit',
      'verify',
      '--config',
      project.config,
      '--witness',
      join(project.dir, 'witness'),
    ]);
    expect(verify.status, verify.stdout).toBe(0);
    // An auditor who only ever trusted the old key learns the new one from the signed rotation event.
    const oldOnly = await cli(['audit', 'verify', '--config', project.config, '--key', before, '--json']);
    expect(oldOnly.status, oldOnly.stdout).toBe(0);
    // The rotation checkpoint is the old key's last signature: a bundle up to it verifies under the old key.
    const bundle = join(work, 'after-rotation.bundle');
    expect((await cli(['audit', 'export', '--config', project.config, '--out', bundle])).status).toBe(0);
    const check = await cli(['audit', 'verify-bundle', bundle, '--key', before]);
    expect(check.status, check.stdout).toBe(0);
    expect(check.stdout).toContain(`tree of ${rotated.checkpoint.size} signed by ${before}`);
    const text = readFileSync(bundle, 'utf8');
    expect(text).toContain('\\"type\\":\\"key_rotation\\"');
    expect(text).toContain('\\"actor\\":\\"e2e\\"');
  });
});
