import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { GatewayError } from '../../core/errors.js';
import { parsePolicyTests, runPolicyTests } from '../../core/policy/index.js';
import type { PolicyTestReport } from '../../core/policy/types.js';
import { compilePolicyPaths, formatDiagnostics, readPolicyFiles } from '../../app/policy-loader.js';
import { EXIT } from '../exit-codes.js';
import { printJson, reportError } from '../output.js';

interface TestOptions {
  policies?: string;
  tests?: string;
  coverageThreshold?: number;
  json?: boolean;
}

/** Runs a directory's policy tests: <dir>/policies and <dir>/tests unless told otherwise. */
export function runPolicyTestCommand(
  dir: string,
  opts: TestOptions,
): { report: PolicyTestReport; exitCode: number } {
  const base = resolve(dir);
  const policiesDir = resolve(opts.policies ?? join(base, 'policies'));
  const testsDir = resolve(opts.tests ?? join(base, 'tests'));
  if (!existsSync(testsDir)) throw new GatewayError('invalid_request', `no tests directory at ${testsDir}`);
  const set = compilePolicyPaths([policiesDir], base);
  const parsed = parsePolicyTests(readPolicyFiles([testsDir], base));
  if (!parsed.ok) throw new GatewayError('policy_parse_error', formatDiagnostics(parsed.error));
  if (parsed.value.length === 0) throw new GatewayError('invalid_request', `no test cases under ${testsDir}`);
  const report = runPolicyTests(set, parsed.value);
  const belowThreshold =
    opts.coverageThreshold !== undefined && report.coverage.percent < opts.coverageThreshold;
  return { report, exitCode: report.failed > 0 || belowThreshold ? EXIT.failure : EXIT.ok };
}

function printReport(report: PolicyTestReport, threshold: number | undefined): void {
  const out: string[] = [];
  for (const r of report.results) {
    out.push(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}  (${r.position.file}:${r.position.line})`);
    for (const f of r.failures) out.push(`        ${f}`);
  }
  out.push('');
  out.push(`${report.passed} passed, ${report.failed} failed`);
  const c = report.coverage;
  out.push(
    `rule coverage: ${c.covered}/${c.total} (${c.percent.toFixed(1)}%)${threshold === undefined ? '' : `, threshold ${threshold}%`}`,
  );
  for (const r of c.rules.filter((x) => x.hits === 0)) {
    out.push(`  not covered: ${r.policy_id}/${r.rule_id} (${r.position.file}:${r.position.line})`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('policy-as-code tools');
  policy
    .command('test')
    .description('run YAML policy test cases and report pass/fail and rule coverage')
    .argument('[dir]', 'directory holding policies/ and tests/', '.')
    .option('--policies <dir>', 'policy directory (default <dir>/policies)')
    .option('--tests <dir>', 'test directory (default <dir>/tests)')
    .option('--coverage-threshold <percent>', 'fail when rule coverage is below this percentage', (v) =>
      Number.parseFloat(v),
    )
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 all passed (and coverage at or above the threshold), 1 otherwise.')
    .action((dir: string, opts: TestOptions) => {
      try {
        const { report, exitCode } = runPolicyTestCommand(dir, opts);
        if (opts.json) printJson(report);
        else printReport(report, opts.coverageThreshold);
        process.exitCode = exitCode;
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
