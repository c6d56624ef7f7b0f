/** `portcullis admin freeze|unfreeze|posture|status`: the kill switch and posture (admin role). */
import type { Command } from 'commander';
import { printJson } from '../output.js';
import { ApiError, callApi, runClient, withClientOptions, type ClientOptions } from './approvals.js';

interface TargetOptions extends ClientOptions {
  agent?: string;
  tool?: string;
  all?: boolean;
  reason?: string;
}

function targetOf(opts: TargetOptions): { target: string; id?: string } {
  const chosen = [opts.agent !== undefined, opts.tool !== undefined, opts.all === true].filter(
    Boolean,
  ).length;
  if (chosen !== 1)
    throw new ApiError(
      0,
      'invalid_request',
      'give exactly one of --agent <id>, --tool <name or glob>, --all',
    );
  if (opts.all === true) return { target: 'all' };
  return opts.agent !== undefined ? { target: 'agent', id: opts.agent } : { target: 'tool', id: opts.tool! };
}

function targetOptions(cmd: Command): Command {
  return withClientOptions(cmd)
    .option('--agent <id>', 'one agent')
    .option('--tool <name>', 'one tool, or a glob like payments.*')
    .option('--all', 'every agent and tool');
}

export function registerAdmin(program: Command): void {
  const cmd = program
    .command('admin')
    .description('kill switch, posture and status (operator API, admin role)');
  targetOptions(
    cmd.command('freeze').description('stop an agent, a tool or everything, from the next request on'),
  )
    .requiredOption('--reason <text>', 'why (recorded in the ledger)')
    .action((opts: TargetOptions) =>
      runClient(async () => {
        const r = (await callApi(opts, 'POST', '/v1/admin/freeze', {
          ...targetOf(opts),
          reason: opts.reason,
        })) as { changed: boolean };
        if (opts.json) printJson(r);
        else process.stdout.write(r.changed ? 'frozen\n' : 'already frozen\n');
      }),
    );
  targetOptions(cmd.command('unfreeze').description('lift a freeze'))
    .option('--reason <text>', 'why (recorded in the ledger)')
    .action((opts: TargetOptions) =>
      runClient(async () => {
        const body = { ...targetOf(opts), ...(opts.reason === undefined ? {} : { reason: opts.reason }) };
        const r = (await callApi(opts, 'POST', '/v1/admin/unfreeze', body)) as { changed: boolean };
        if (opts.json) printJson(r);
        else process.stdout.write(r.changed ? 'unfrozen\n' : 'was not frozen\n');
      }),
    );
  withClientOptions(
    cmd
      .command('posture')
      .description('set the posture policy sees: normal, elevated or lockdown')
      .argument('<posture>'),
  )
    .requiredOption('--reason <text>', 'why (recorded in the ledger)')
    .action((posture: string, opts: ClientOptions & { reason: string }) =>
      runClient(async () => {
        const r = (await callApi(opts, 'PUT', '/v1/admin/posture', { posture, reason: opts.reason })) as {
          posture: string;
          previous: string;
        };
        if (opts.json) printJson(r);
        else process.stdout.write(`posture ${r.previous} -> ${r.posture}\n`);
      }),
    );
  withClientOptions(cmd.command('status').description('kill switch, posture, approvals and limits')).action(
    (opts: ClientOptions) =>
      runClient(async () => {
        printJson(await callApi(opts, 'GET', '/v1/admin/status'));
      }),
  );
}
