#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAdmin } from './commands/admin.js';
import { registerApprovals } from './commands/approvals.js';
import { registerAudit } from './commands/audit.js';
import { registerCheck } from './commands/check.js';
import { registerConfig } from './commands/config.js';
import { registerEval } from './commands/eval.js';
import { registerInit } from './commands/init.js';
import { registerKeys } from './commands/keys.js';
import { registerMcp } from './commands/mcp.js';
import { registerPolicy } from './commands/policy.js';
import { registerScan } from './commands/scan.js';
import { registerServe } from './commands/serve.js';
import { EXIT } from './exit-codes.js';

const program = new Command();
program
  .name('portcullis')
  .description(
    'Compliance gateway for AI agents: policy decisions, guardrails, approvals, verifiable audit ledger.',
  )
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerCheck(program);
registerEval(program);
registerPolicy(program);
registerInit(program);
registerKeys(program);
registerScan(program);
registerConfig(program);
registerApprovals(program);
registerAdmin(program);
registerMcp(program);
registerAudit(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    const benign =
      e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
    process.exitCode = benign ? EXIT.ok : EXIT.usage;
  } else {
    throw e;
  }
}
