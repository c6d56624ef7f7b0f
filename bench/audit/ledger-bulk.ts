/**
 * Bench fixtures: a realistic decision event (about 1 KB of canonical JSON), and a bulk loader
 * that writes a large, valid, checkpointed ledger straight through the SQLite backend (setup
 * only: it skips group commit and per-commit fsync to build a 1,000,000-event ledger quickly).
 */
import { buildDecisionEvent, type AuditEventV1 } from '../../src/core/audit/event.js';
import { canonicalEventText } from '../../src/core/audit/event-encode.js';
import { hashChildren, hashLeafText, sha256, toHex } from '../../src/core/audit/hash.js';
import { signCheckpoint } from '../../src/core/audit/checkpoint.js';
import type { NoteSigner } from '../../src/core/audit/note.js';
import { SqliteLedgerBackend } from '../../src/adapters/storage/sqlite/audit-store.js';
import type { BackendEventRow } from '../../src/adapters/storage/audit-ledger/backend.js';

const BASE_TIME = Date.UTC(2026, 0, 1);

export function benchEvent(i: number, time = BASE_TIME + i): AuditEventV1 {
  const outcome = (['allow', 'deny', 'escalate'] as const)[i % 3]!;
  const matched = [
    { policy_id: 'payments', rule_id: 'large-transfer', effect: outcome, reason: 'amount over 1000 EUR' },
  ];
  const steps = [
    { step: 'authenticate' as const, port: 'api-key', status: 'ran' as const, duration_us: 3 },
    { step: 'evaluate_policy' as const, port: 'policy', status: 'ran' as const, duration_us: 14 },
  ];
  return buildDecisionEvent(
    {
      time,
      instance: 'gw-bench',
      decision: {
        version: 1,
        id: `dec_${String(i).padStart(9, '0')}`,
        outcome,
        code: 'rule_matched',
        reasons: ['amount over 1000 EUR'],
        agent_id: `agent-${i % 10}`,
        matched,
        obligations: { redact: ['action.args.iban'], approvals: [] },
        policy_version: 'sha256:9f2c0e4a1b7d',
        sequence: i,
        steps,
        timings: { total_us: 41, policy_us: 14 },
      },
      action: {
        kind: 'tool_call',
        tool: 'payments.transfer',
        server: 'erp',
        args: {
          amount: 1200 + (i % 1000),
          currency: 'EUR',
          iban: '[REDACTED:iban]',
          memo: 'invoice 2026-0042',
        },
      },
      context: {
        environment: 'prod',
        purpose: 'accounts-payable',
        data_classification: 'confidential',
        lineage: ['erp.invoices'],
      },
      findings: { pii: [{ type: 'iban', path: 'action.args.iban', start: 0, end: 27 }] },
      adapter: 'http',
      agent: { id: `agent-${i % 10}`, version: '2.3.1' },
      impact: { amount: 1200 + (i % 1000), currency: 'EUR' },
      explanation: undefined,
      matched,
      steps,
      outcome,
    },
    i,
  );
}

/** Writes a ledger of `n` events with a checkpoint every `every` events; returns its size. */
export function bulkLoadLedger(path: string, n: number, signer: NoteSigner, every = 100_000): void {
  const backend = new SqliteLedgerBackend({ path, synchronous: 'normal' });
  backend.db.pragma('synchronous = OFF');
  const template = canonicalEventText(benchEvent(0));
  const idMember = /"id":"evt_[0-9a-f]{32}",/.exec(template)![0];
  const frontier: Uint8Array[] = [];
  let rows: BackendEventRow[] = [];
  let nodes: string[] = [];
  for (let i = 0; i < n; i++) {
    const time = new Date(BASE_TIME + i).toISOString();
    const withoutId = template
      .replace(idMember, '')
      .replace('"sequence":0,', `"sequence":${i},`)
      .replace('"decision_id":"dec_000000000"', `"decision_id":"dec_${String(i).padStart(9, '0')}"`)
      .replace('"time":"2026-01-01T00:00:00.000Z"', `"time":"${time}"`);
    const id = `evt_${toHex(sha256(withoutId)).slice(0, 32)}`;
    const at = withoutId.indexOf('"impact":');
    const text = `${withoutId.slice(0, at)}"id":"${id}",${withoutId.slice(at)}`;
    let h = hashLeafText(text);
    const parts = [h];
    for (let s = i + 1; s % 2 === 0; s /= 2) {
      h = hashChildren(frontier.pop()!, h);
      parts.push(h);
    }
    frontier.push(h);
    rows.push({
      index: i,
      text,
      columns: {
        id,
        type: 'decision',
        timeMs: BASE_TIME + i,
        agent: 'agent-0',
        outcome: 'allow',
        decisionId: `dec_${String(i).padStart(9, '0')}`,
      },
    });
    nodes.push(Buffer.concat(parts).toString('latin1'));
    const size = i + 1;
    if (rows.length === 20_000 || size === n || size % every === 0) {
      const batchNodes = nodes;
      backend.appendBatch(rows, () => ({ nodes: batchNodes, checkpoint: null }));
      rows = [];
      nodes = [];
    }
    if (size % every === 0 || size === n) {
      let root = frontier[frontier.length - 1]!;
      for (let k = frontier.length - 2; k >= 0; k--) root = hashChildren(frontier[k]!, root);
      const note = signCheckpoint({ origin: signer.name, size, root }, signer);
      backend.appendCheckpoint({ size, root, note, verifierKey: signer.verifierKey, timeMs: BASE_TIME + i });
    }
  }
  backend.db.pragma('wal_checkpoint(TRUNCATE)');
  backend.close();
}
