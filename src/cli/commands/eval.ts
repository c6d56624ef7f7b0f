import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import type { AgentIdentity } from '../../core/action.js';
import { GatewayError } from '../../core/errors.js';
import { jsonDepthExceeds } from '../../core/json.js';
import { decideRequestSchema } from '../../core/request-schema.js';
import { loadConfigFile } from '../../app/config-loader.js';
import { createGateway } from '../../app/create-gateway.js';
import { createLogger } from '../../app/logger.js';
import { EXIT } from '../exit-codes.js';
import { printJson, reportError } from '../output.js';

const evalInputSchema = decideRequestSchema.extend({
  /** The agent to decide for; alternatively --agent names one from the config. */
  agent: z
    .strictObject({
      id: z.string().min(1),
      roles: z.array(z.string()).default([]),
      permissions: z.array(z.string()).default([]),
      attributes: z.record(z.string(), z.json()).default({}),
    })
    .optional(),
});

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('decide one action offline with the configured policies (nothing is written to the ledger)')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .requiredOption(
      '-i, --input <file>',
      'decision request as JSON: {action, context?, agent?, on_behalf_of?}; - for stdin',
    )
    .option('--agent <id>', 'decide as this configured agent (roles and permissions from the config)')
    .option('--explain', 'show every candidate rule and what its condition evaluated to')
    .addHelpText('after', '\nExit codes: 0 allow, 3 deny, 4 escalate, 1 error, 2 usage.')
    .action(async (opts: { config: string; input: string; agent?: string; explain?: boolean }) => {
      try {
        const text = readFileSync(opts.input === '-' ? 0 : opts.input, 'utf8');
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          throw new GatewayError('invalid_json', `${opts.input} is not valid JSON`);
        }
        if (jsonDepthExceeds(raw, 64))
          throw new GatewayError('nesting_too_deep', `${opts.input} nests deeper than 64 levels`);
        const parsed = evalInputSchema.safeParse(raw);
        if (!parsed.success) {
          const msg = parsed.error.issues
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('\n');
          throw new GatewayError('invalid_request', msg);
        }
        const { agent: declared, ...request } = parsed.data;
        const { config, baseDir } = loadConfigFile(opts.config);
        let identity: AgentIdentity;
        if (opts.agent !== undefined) {
          const a = config.agents.find((x) => x.id === opts.agent);
          if (!a) throw new GatewayError('invalid_request', `no agent ${opts.agent} in the config`);
          identity = { id: a.id, roles: a.roles, permissions: a.permissions, attributes: a.attributes };
        } else {
          identity = declared ?? { id: 'eval', roles: [], permissions: [], attributes: {} };
        }
        config.policies.watch = false;
        // Offline: nothing is written anywhere (no ledger file, no approval store, no counters).
        config.audit.path = ':memory:';
        config.approvals.store = 'memory';
        config.limits = { store: 'memory', key_prefix: config.limits.key_prefix };
        const gateway = await createGateway(config, {
          baseDir,
          logger: createLogger('silent'),
          guardrailsKey: randomBytes(32),
          authenticator: { name: 'cli-eval', authenticate: () => Promise.resolve(identity) },
        });
        const result = await gateway.run({
          credential: { type: 'none' },
          request: { ...request, ...(opts.explain ? { explain: true } : {}) } as Parameters<
            typeof gateway.decide
          >[0],
          adapter: 'cli',
        });
        await gateway.close();
        printJson(result.decision);
        const o = result.decision.outcome;
        process.exitCode = o === 'allow' ? EXIT.ok : o === 'escalate' ? EXIT.escalate : EXIT.deny;
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
