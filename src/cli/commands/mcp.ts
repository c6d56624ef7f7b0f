import type { Command } from 'commander';
import type { Credential } from '../../core/action.js';
import { GatewayError } from '../../core/errors.js';
import { loadConfigFile } from '../../app/config-loader.js';
import { createGateway } from '../../app/create-gateway.js';
import { createLogger } from '../../app/logger.js';
import { compilePolicyPaths } from '../../app/policy-loader.js';
import { resolvePath } from '../../app/config-loader.js';
import { toolCallAction } from '../../core/mcp/actions.js';
import { ConditionClassCache, visibilityOf } from '../../core/mcp/visibility.js';
import { hostFromGateway } from '../../adapters/mcp/host.js';
import { closeMcp, startMcp } from '../../adapters/mcp/runtime.js';
import { StdioServerTransport } from '../../adapters/mcp/stdio-server-transport.js';
import { connectOffline, describeTools, pinUpstreams, toolingHost } from '../../adapters/mcp/tooling.js';
import { EXIT } from '../exit-codes.js';
import { printJson, reportError } from '../output.js';

/** The environment variable a stdio client sets to the agent's API key (it sends no headers). */
export const API_KEY_ENV = 'PORTCULLIS_API_KEY';

function loadMcpConfig(file: string) {
  const loaded = loadConfigFile(file);
  if (loaded.config.mcp === undefined)
    throw new GatewayError('config_invalid', `${loaded.file}: no mcp section (see docs/mcp.md)`);
  return loaded;
}

async function runStdio(opts: { config: string }): Promise<void> {
  const key = process.env[API_KEY_ENV];
  if (key === undefined || key === '') {
    throw new GatewayError(
      'unauthenticated',
      `set ${API_KEY_ENV} to the agent's API key: a stdio client sends no headers`,
    );
  }
  const credential: Credential = { type: 'api_key', key };
  const { config, baseDir } = loadMcpConfig(opts.config);
  const gateway = await createGateway(config, { baseDir });
  // Check the key before launching any upstream.
  const agent = await hostFromGateway(gateway, baseDir).authenticate(credential);
  if (agent === null) {
    await gateway.close();
    throw new GatewayError('unauthenticated', `the key in ${API_KEY_ENV} is unknown or revoked`);
  }
  const runtime = await startMcp(gateway, { baseDir });
  const server = runtime!.newServer(() => ({ credential, agent }));
  const transport = new StdioServerTransport(process.stdin, process.stdout, config.mcp!.max_message_bytes);
  let closing = false;
  const shutdown = (code: number): void => {
    if (closing) return;
    closing = true;
    void closeMcp(gateway)
      .then(() => gateway.close())
      .then(() => process.exit(code))
      .catch((e: unknown) => process.exit(reportError(e)));
  };
  transport.onclose = () => shutdown(EXIT.ok);
  process.on('SIGTERM', () => shutdown(EXIT.ok));
  process.on('SIGINT', () => shutdown(EXIT.ok));
  process.on('SIGHUP', () => gateway.reloadPolicies('signal'));
  await server.connect(transport);
  gateway.logger.info(
    { agent: agent.id, upstreams: config.mcp!.upstreams.map((u) => u.name) },
    'portcullis mcp (stdio) ready',
  );
}

async function runPin(opts: { config: string; upstream?: string[] }): Promise<number> {
  const { config, baseDir } = loadMcpConfig(opts.config);
  const host = toolingHost(
    config,
    baseDir,
    createLogger(config.log.level === 'info' || config.log.level === 'warn' ? 'error' : config.log.level),
  );
  const report = await pinUpstreams(host, opts.upstream ?? []);
  for (const c of report.changes) {
    const note =
      c.before === 'pinned'
        ? 'unchanged'
        : c.before === 'changed'
          ? 'RE-PINNED (definition changed)'
          : 'pinned (new)';
    process.stdout.write(`${c.tool}  ${c.hash}  ${note}\n`);
    if (c.suspicious.length > 0)
      process.stdout.write(`  warning: the poisoning scan flags this tool: ${c.suspicious.join('; ')}\n`);
  }
  for (const f of report.failed)
    process.stderr.write(
      `error[mcp_upstream_unavailable]: ${f.upstream}: ${f.error} (its previous pins are kept)\n`,
    );
  process.stdout.write(`wrote ${report.file}\n`);
  return report.failed.length > 0 ? EXIT.failure : EXIT.ok;
}

async function runTools(opts: { config: string; agent?: string; json?: boolean }): Promise<number> {
  const { config, baseDir } = loadMcpConfig(opts.config);
  const host = toolingHost(
    config,
    baseDir,
    createLogger(config.log.level === 'info' || config.log.level === 'warn' ? 'error' : config.log.level),
  );
  const agentConfig = opts.agent === undefined ? undefined : config.agents.find((a) => a.id === opts.agent);
  if (opts.agent !== undefined && agentConfig === undefined)
    throw new GatewayError('invalid_request', `no agent ${opts.agent} in the config`);
  const policies =
    agentConfig === undefined
      ? null
      : compilePolicyPaths(
          config.policies.paths.map((p) => resolvePath(baseDir, p)),
          baseDir,
        );
  const manager = await connectOffline(host);
  try {
    const rows = describeTools(manager.tools()).map((row, i) => {
      const tool = manager.tools()[i]!;
      if (agentConfig === undefined || policies === null) return row;
      const agent = {
        id: agentConfig.id,
        roles: agentConfig.roles,
        permissions: agentConfig.permissions,
        attributes: agentConfig.attributes,
      };
      const v = visibilityOf(
        policies,
        new ConditionClassCache(policies.version),
        agent,
        toolCallAction(tool.upstream, tool.name, {}),
        { now: Date.now() },
      );
      return { ...row, [`listed for ${agentConfig.id}`]: v.visible ? 'yes' : 'no', why: v.reason };
    });
    if (opts.json === true) printJson(rows);
    else for (const r of rows) process.stdout.write(`${Object.values(r).join('  ')}\n`);
    const down = [...manager.upstreams.values()].filter((u) => u.state !== 'ready');
    for (const u of down)
      process.stderr.write(`error[mcp_upstream_unavailable]: ${u.name}: ${u.lastError ?? u.state}\n`);
    return down.length > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    await manager.close();
  }
}

export function registerMcp(program: Command): void {
  const mcp = program
    .command('mcp')
    .description('MCP gateway: stdio server for local clients, tool pins, tool catalog');
  mcp
    .command('stdio', { isDefault: true })
    .description(
      `serve MCP over stdin/stdout for a client that launches portcullis (agent key in ${API_KEY_ENV})`,
    )
    .requiredOption('-c, --config <file>', 'gateway config (YAML) with an mcp section')
    .addHelpText(
      'after',
      `\nThe agent authenticates with its API key in the environment variable ${API_KEY_ENV}.\nExample: ${API_KEY_ENV}=pcs_... portcullis mcp --config portcullis.yaml`,
    )
    .action(async (opts: { config: string }) => {
      try {
        await runStdio(opts);
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
  mcp
    .command('pin')
    .description("record each upstream tool definition's hash in the pins file (review, then commit it)")
    .requiredOption('-c, --config <file>', 'gateway config (YAML) with an mcp section')
    .option('-u, --upstream <name...>', 'pin only these upstreams (default: all)')
    .action(async (opts: { config: string; upstream?: string[] }) => {
      try {
        process.exitCode = await runPin(opts);
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
  mcp
    .command('tools')
    .description('list the tools of every upstream with pin status, hold and (with --agent) visibility')
    .requiredOption('-c, --config <file>', 'gateway config (YAML) with an mcp section')
    .option('--agent <id>', 'show whether tools/list shows each tool to this configured agent')
    .option('--json', 'print JSON')
    .action(async (opts: { config: string; agent?: string; json?: boolean }) => {
      try {
        process.exitCode = await runTools(opts);
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
