import type { Command } from 'commander';
import { loadConfigFile } from '../../app/config-loader.js';
import { createGateway } from '../../app/create-gateway.js';
import { createHttpApp } from '../../adapters/http/app.js';
import { listen, type RunningServer } from '../../adapters/http/server.js';
import { closeMcp, startMcp } from '../../adapters/mcp/runtime.js';
import { reportError } from '../output.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the gateway (HTTP decision API, health and metrics) on 127.0.0.1:8787 by default')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .option('--host <host>', 'address to bind (overrides server.host)')
    .option('--port <port>', 'port to bind, 0 for any free port (overrides server.port)', (v) =>
      Number.parseInt(v, 10),
    )
    .action(async (opts: { config: string; host?: string; port?: number }) => {
      try {
        const { config, baseDir } = loadConfigFile(opts.config);
        if (opts.host !== undefined) config.server.host = opts.host;
        if (opts.port !== undefined) config.server.port = opts.port;
        const gateway = await createGateway(config, { baseDir });
        let server: RunningServer;
        try {
          await startMcp(gateway, { baseDir }); // MCP: connect upstreams before serving /mcp (no-op without `mcp:`)
          server = await listen(createHttpApp(gateway), config.server.host, config.server.port);
        } catch (e) {
          // Nothing may keep running (watchers, upstream processes, the ledger) after a failed start.
          await closeMcp(gateway).catch(() => undefined);
          await gateway.close().catch(() => undefined);
          throw e;
        }
        gateway.logger.info(
          {
            url: server.url,
            instance: gateway.instanceId,
            policy_version: gateway.policies.current()?.version,
          },
          'portcullis listening',
        );
        process.stderr.write(`portcullis listening on ${server.url}\n`);
        process.on('SIGHUP', () => {
          gateway.reloadPolicies('signal');
        });
        let closing = false;
        const shutdown = (signal: string): void => {
          if (closing) return;
          closing = true;
          gateway.logger.info({ signal }, 'shutting down');
          // MCP first: its open SSE streams would otherwise keep server.close() waiting.
          void closeMcp(gateway) // MCP: end sessions, stop upstream processes
            .then(() => server.close())
            .then(() => gateway.close())
            .then(() => process.exit(0))
            .catch((e: unknown) => process.exit(reportError(e)));
        };
        process.on('SIGTERM', () => shutdown('SIGTERM'));
        process.on('SIGINT', () => shutdown('SIGINT'));
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
