/**
 * Helpers for the approvals and limits end-to-end tests. The gateway is the real
 * `portcullis serve` (started with cli-harness.ts) on a project in a temp dir: a config with
 * agents, operators and an SQLite approval store, policies (with their `limits:` sections), and
 * the default SQLite ledger (data/ledger.db). The tests talk to it over HTTP and with the CLI,
 * and read the ledger as an auditor would.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { CLI } from './cli-harness.js';

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
export const AGENT_KEY = 'pcs_e2e_pay_bot_key';
export const opKey = (id: string): string => `pcs_e2e_operator_${id}`;

/** People: four treasury approvers (carol is also the user the agent acts for), a plain approver, an admin and an auditor. */
export const OPERATORS = [
  { id: 'alice', roles: ['approver', 'treasury-approver'], api_key_sha256: sha(opKey('alice')) },
  { id: 'bob', roles: ['approver', 'treasury-approver'], api_key_sha256: sha(opKey('bob')) },
  {
    id: 'carol',
    roles: ['approver', 'treasury-approver'],
    aliases: ['carol@bank.example'],
    api_key_sha256: sha(opKey('carol')),
  },
  { id: 'dave', roles: ['approver', 'treasury-approver'], api_key_sha256: sha(opKey('dave')) },
  { id: 'erin', roles: ['approver'], api_key_sha256: sha(opKey('erin')) },
  { id: 'adam', roles: ['admin'], api_key_sha256: sha(opKey('adam')) },
  { id: 'audrey', roles: ['auditor'], api_key_sha256: sha(opKey('audrey')) },
];

/** Writes `portcullis.yaml` into `dir` (YAML, as a user would) and returns its path. */
export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const file = join(dir, 'portcullis.yaml');
  writeFileSync(file, stringify({ version: 1, log: { level: 'warn' }, ...config }));
  return file;
}

export interface CliOutput {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `portcullis <args>` without blocking this process's event loop (long-polls stay in flight). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliOutput> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, PORTCULLIS_OPERATOR_KEY: '', PORTCULLIS_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.once('error', reject);
    p.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export const asOperator = (who: string): NodeJS.ProcessEnv => ({ PORTCULLIS_OPERATOR_KEY: opKey(who) });

/** An operator's call to the approval or admin API. */
export function operatorApi(
  url: string,
  method: string,
  path: string,
  who: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opKey(who)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The agent's `POST /v1/decide` (optionally `?wait=`). */
export function agentDecide(url: string, body: unknown, query = ''): Promise<Response> {
  return fetch(`${url}/v1/decide${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${AGENT_KEY}` },
    body: JSON.stringify(body),
  });
}

/** Polls `cond` every 50 ms until it holds; fails after `ms`. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A ledger event as stored (canonical JSON body); approval and admin events keep their facts in inputs.details. */
export interface LedgerEvent {
  type: string;
  sequence: number;
  decision_id?: string;
  inputs: { details?: Record<string, unknown> } & Record<string, unknown>;
  action: Record<string, unknown>;
  outcome: Record<string, unknown>;
}

/** The default ledger of a project (`audit.path` is data/ledger.db). */
export const ledgerPath = (dir: string): string => join(dir, 'data', 'ledger.db');

/**
 * Every event of the ledger, read-only, in ledger order. Call it with the gateway stopped: the
 * file is what an auditor gets (the table layout is in src/adapters/storage/sqlite/audit-schema.ts).
 */
export function readLedger(dir: string): LedgerEvent[] {
  const file = ledgerPath(dir);
  if (!existsSync(file)) throw new Error(`no ledger at ${file}: the gateway did not write its SQLite ledger`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT body FROM audit_events ORDER BY idx').all() as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as LedgerEvent);
  } finally {
    db.close();
  }
}

/**
 * Every event through the audit API (`GET /v1/audit/events`, auditor role), page by page; null
 * when this gateway has no such route.
 */
export async function readLedgerOverHttp(url: string, auditor: string): Promise<LedgerEvent[] | null> {
  const out: LedgerEvent[] = [];
  let cursor: string | null = null;
  do {
    const res = await operatorApi(
      url,
      'GET',
      `/v1/audit/events?limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`,
      auditor,
    );
    if (res.status === 404 && out.length === 0) {
      const body = (await res.json()) as { detail?: string };
      if (body.detail?.startsWith('no route') === true) return null;
    }
    if (res.status !== 200) throw new Error(`GET /v1/audit/events: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as {
      events: Array<{ index: number; event: LedgerEvent }>;
      next_cursor: string | null;
    };
    out.push(...page.events.map((e) => e.event));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return out;
}

/** Approval state changes of one approval, in order (`created`, `vote`, `consumed`, `expired`). */
export function stateChanges(events: readonly LedgerEvent[], approvalId: string): string[] {
  return events
    .filter(
      (e) =>
        e.type === 'approval' &&
        e.inputs.details?.kind === 'state_change' &&
        e.inputs.details.approval_id === approvalId,
    )
    .map((e) => String(e.inputs.details!.event));
}

/** Uses of the approval and admin APIs (`details.kind: api_call`). */
export function apiCalls(events: readonly LedgerEvent[]): Array<Record<string, unknown>> {
  return events
    .filter(
      (e) => (e.type === 'approval' || e.type === 'admin_action') && e.inputs.details?.kind === 'api_call',
    )
    .map((e) => ({ type: e.type, ...e.inputs.details }));
}
