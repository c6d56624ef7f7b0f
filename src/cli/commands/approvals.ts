/**
 * `portcullis approvals list|show|approve|deny`: an operator's client for the approval API.
 * The operator key comes from PORTCULLIS_OPERATOR_KEY or --key-file (never a command-line
 * argument, which other users can read in the process list); the gateway from --url or
 * PORTCULLIS_URL (default http://127.0.0.1:8787).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { printJson, reportError } from '../output.js';

export interface ClientOptions {
  url?: string;
  keyFile?: string;
  json?: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/** Adds --url and --key-file to a command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'gateway URL (default $PORTCULLIS_URL or http://127.0.0.1:8787)')
    .option('--key-file <file>', 'file holding the operator key (default $PORTCULLIS_OPERATOR_KEY)')
    .option('--json', 'print the response as JSON');
}

export function operatorKey(opts: ClientOptions, env: NodeJS.ProcessEnv = process.env): string {
  if (opts.keyFile !== undefined) {
    if ((statSync(opts.keyFile).mode & 0o077) !== 0)
      throw new ApiError(0, 'config_invalid', `key file ${opts.keyFile} is readable by others: chmod 600 it`);
    const key = readFileSync(opts.keyFile, 'utf8').trim();
    if (key === '') throw new ApiError(0, 'config_invalid', `key file ${opts.keyFile} is empty`);
    return key;
  }
  const key = env.PORTCULLIS_OPERATOR_KEY;
  if (key === undefined || key === '')
    throw new ApiError(0, 'unauthenticated', 'set PORTCULLIS_OPERATOR_KEY or pass --key-file');
  return key;
}

/** Calls the API; a problem+json answer becomes an ApiError with its stable code. */
export async function callApi(
  opts: ClientOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const base = (opts.url ?? process.env.PORTCULLIS_URL ?? 'http://127.0.0.1:8787').replace(/\/$/, '');
  const headers: Record<string, string> = { authorization: `Bearer ${operatorKey(opts)}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'unreachable', `cannot reach the gateway at ${base}`);
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const p = (parsed ?? {}) as { code?: string; detail?: string };
    throw new ApiError(
      res.status,
      p.code ?? `http_${res.status}`,
      p.detail ?? (text.slice(0, 200) || res.statusText),
    );
  }
  return parsed;
}

/** Runs a client action: prints ApiErrors as `error[code]: detail` and sets the exit code. */
export async function runClient(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    process.exitCode = EXIT.ok;
  } catch (e) {
    if (e instanceof ApiError) {
      process.stderr.write(`error[${e.code}]: ${e.detail}\n`);
      process.exitCode = EXIT.failure;
    } else {
      process.exitCode = reportError(e);
    }
  }
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

type View = Record<string, unknown> & {
  id: string;
  status: string;
  approvals?: { given: number; needed: number };
};

function line(a: View): string {
  const action = a.action as { kind?: string; tool?: string } | undefined;
  const what = [action?.kind, action?.tool].filter(Boolean).join(' ');
  const q = a.approvals === undefined ? '' : `${a.approvals.given}/${a.approvals.needed}`;
  return [
    a.id,
    a.status.padEnd(8),
    str(a.agent_id).padEnd(16),
    what.padEnd(32),
    q.padEnd(5),
    str(a.expires_at),
  ].join('  ');
}

function details(a: View): string {
  const out = [line(a)];
  const reasons = a.reasons as string[] | undefined;
  if (reasons?.length) out.push(`  why:     ${reasons.join('; ')}`);
  if (typeof a.on_behalf_of === 'string') out.push(`  for:     ${a.on_behalf_of}`);
  if (a.action !== undefined) out.push(`  action:  ${JSON.stringify(a.action)}`);
  if (a.requirements !== undefined)
    out.push(
      `  needs:   ${(a.requirements as Array<{ roles: string[]; count: number }>).map((r) => `${r.count} × ${r.roles.join('/')}`).join(' and ')}`,
    );
  for (const v of (a.votes as
    Array<{ by: string; decision: string; at: string; comment?: string }> | undefined) ?? []) {
    out.push(
      `  ${v.decision === 'approve' ? 'approved' : 'denied'} by ${v.by} at ${v.at}${v.comment === undefined ? '' : `: ${v.comment}`}`,
    );
  }
  return out.join('\n');
}

export function registerApprovals(program: Command): void {
  const cmd = program
    .command('approvals')
    .description('list, show, approve and deny pending approvals (operator API)');
  withClientOptions(cmd.command('list').description('list approvals, newest first'))
    .option('--status <status>', 'pending, approved, denied or expired')
    .option('--agent <id>', 'only this agent')
    .option('--limit <n>', 'at most this many (1-500)', '50')
    .action((opts: ClientOptions & { status?: string; agent?: string; limit: string }) =>
      runClient(async () => {
        const q = new URLSearchParams({ limit: opts.limit });
        if (opts.status !== undefined) q.set('status', opts.status);
        if (opts.agent !== undefined) q.set('agent', opts.agent);
        const body = (await callApi(opts, 'GET', `/v1/approvals?${q.toString()}`)) as { approvals: View[] };
        if (opts.json) printJson(body);
        else
          process.stdout.write(
            body.approvals.length === 0 ? 'no approvals\n' : `${body.approvals.map(line).join('\n')}\n`,
          );
      }),
    );
  withClientOptions(cmd.command('show').description('show one approval').argument('<id>'))
    .option('--wait <seconds>', 'wait while it is pending (long-poll, up to the gateway maximum)')
    .action((id: string, opts: ClientOptions & { wait?: string }) =>
      runClient(async () => {
        const q = opts.wait === undefined ? '' : `?wait=${encodeURIComponent(opts.wait)}`;
        const a = (await callApi(opts, 'GET', `/v1/approvals/${encodeURIComponent(id)}${q}`)) as View;
        if (opts.json) printJson(a);
        else process.stdout.write(`${details(a)}\n`);
      }),
    );
  for (const decision of ['approve', 'deny'] as const) {
    withClientOptions(
      cmd.command(decision).description(`${decision} an approval (approver role)`).argument('<id>'),
    )
      .option('--comment <text>', 'why (recorded in the ledger)')
      .action((id: string, opts: ClientOptions & { comment?: string }) =>
        runClient(async () => {
          const body = opts.comment === undefined ? {} : { comment: opts.comment };
          const a = (await callApi(
            opts,
            'POST',
            `/v1/approvals/${encodeURIComponent(id)}/${decision}`,
            body,
          )) as View;
          if (opts.json) printJson(a);
          else process.stdout.write(`${details(a)}\n`);
        }),
      );
  }
}
