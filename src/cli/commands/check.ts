import type { Command } from 'commander';
import { loadConfigFile, resolvePath } from '../../app/config-loader.js';
import { compilePolicyPaths } from '../../app/policy-loader.js';
import { EXIT } from '../exit-codes.js';
import { printJson, reportError } from '../output.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate the config and compile its policies; print lint warnings')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .option('--json', 'print the result as JSON')
    .option('--strict', 'exit non-zero on lint warnings too')
    .action((opts: { config: string; json?: boolean; strict?: boolean }) => {
      try {
        const { config, baseDir } = loadConfigFile(opts.config);
        const set = compilePolicyPaths(
          config.policies.paths.map((p) => resolvePath(baseDir, p)),
          baseDir,
        );
        const warnings = set.lint(Date.now());
        if (opts.json) {
          printJson({
            ok: true,
            policy_version: set.version,
            policies: set.policies.length,
            rules: set.ruleCount,
            warnings,
          });
        } else {
          for (const w of warnings) {
            process.stdout.write(
              `${w.position.file}:${w.position.line}:${w.position.column}: warning[${w.kind}]: ${w.message}\n`,
            );
          }
          process.stdout.write(
            `ok: ${set.policies.length} policies, ${set.ruleCount} rules, version ${set.version}\n`,
          );
        }
        process.exitCode = opts.strict && warnings.length > 0 ? EXIT.failure : EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
