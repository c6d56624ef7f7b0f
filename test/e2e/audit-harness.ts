/**
 * Helpers for the audit end-to-end tests: a project scaffolded by `portcullis init` (its own
 * agent key in secrets/), extended with operators (an auditor, an admin, an approver), a second
 * agent, and audit settings; then served by the real `portcullis serve` (cli-harness.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { CLI, runCli, tempDir } from './cli-harness.js';

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
export const opKey = (id: string): string => `pcs_e2e_audit_operator_${id}`;
export const OTHER_AGENT_KEY = 'pcs_e2e_audit_other_agent_key';

export interface Project {
  dir: string;
  config: string;
  /** The API key of example-agent (from `portcullis init`). */
  agentKey: string;
}

/** `portcullis init`, then operators, a second agent and `audit` settings added to its config. */
export function createProject(audit: Record<string, unknown> = {}, prefix = 'pc-e2e-audit-'): Project {
  const dir = join(tempDir(prefix), 'project');
  const init = runCli(['init', dir]);
  expect(init.status, init.stderr).toBe(0);
  const config = join(dir, 'portcullis.yaml');
  const doc = parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
  doc.audit = { ...(doc.audit as Record<string, unknown>), ...audit };
  doc.log = { level: 'warn' };
  doc.policies = { paths: ['policies'], watch: false };
  doc.agents = [
    ...(doc.agents as unknown[]),
    { id: 'other-agent', permissions: ['tickets:read'], api_key_sha256: sha(OTHER_AGENT_KEY) },
  ];
  doc.operators = [
    { id: 'audrey', roles: ['auditor'], api_key_sha256: sha(opKey('audrey')) },
    { id: 'adam', roles: ['admin'], api_key_sha256: sha(opKey('adam')) },
    { id: 'erin', roles: ['approver'], api_key_sha256: sha(opKey('erin')) },
  ];
  writeFileSync(config, stringify(doc));
  return { dir, config, agentKey: readFileSync(join(dir, 'secrets', 'example-agent.key'), 'utf8').trim() };
}

export const ticket = (tool: string, args: Record<string, unknown> = { id: 42 }) => ({
  action: { kind: 'tool_call', tool, args },
});

export interface DecisionAnswer {
  id: string;
  outcome: string;
  code: string;
}

/** POST /v1/decide as an agent; expects a 200 decision. */
export async function decide(url: string, key: string, body: unknown): Promise<DecisionAnswer> {
  const res = await fetch(`${url}/v1/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as DecisionAnswer;
}

/** `portcullis <args>` without blocking this process (the result arrives asynchronously). */
export function cli(
  args: string[],
  cwd?: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(cwd ? { cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.once('error', reject);
    p.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export const ledgerFile = (p: Project): string => join(p.dir, 'data', 'ledger.db');

/** Decision ids of every decision event in the ledger file (read-only; safe next to a live gateway). */
export function ledgerDecisionIds(p: Project): Set<string> {
  const db = new Database(ledgerFile(p), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT body FROM audit_events WHERE type = 'decision'").all() as Array<{
      body: string;
    }>;
    return new Set(rows.map((r) => (JSON.parse(r.body) as { decision_id: string }).decision_id));
  } finally {
    db.close();
  }
}
