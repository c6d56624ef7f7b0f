/**
 * Runs policy test cases against a compiled set: pass/fail per case with the differences, and
 * rule coverage (which rules at least one case matched). Pure; the CLI prints the report.
 */
import type {
  CompiledPolicySet,
  PolicyTestCase,
  PolicyTestReport,
  PolicyTestResult,
  RuleCoverage,
} from './types.js';

export function runPolicyTests(set: CompiledPolicySet, cases: readonly PolicyTestCase[]): PolicyTestReport {
  const coverage: RuleCoverage[] = set.rules.map((r) => ({
    policy_id: r.policy_id,
    rule_id: r.rule_id,
    position: r.position,
    hits: 0,
  }));
  const byKey = new Map(coverage.map((c) => [`${c.policy_id}/${c.rule_id}`, c]));
  const results: PolicyTestResult[] = [];
  for (const c of cases) {
    const ev = set.evaluate(c.input);
    const matched = ev.matched.map((m) => `${m.policy_id}/${m.rule_id}`);
    for (const key of matched) byKey.get(key)!.hits++;
    const failures: string[] = [];
    const { expect } = c;
    if (ev.outcome !== expect.outcome)
      failures.push(`outcome: expected ${expect.outcome}, got ${ev.outcome} (${ev.code})`);
    if (expect.code !== undefined && ev.code !== expect.code)
      failures.push(`code: expected ${expect.code}, got ${ev.code}`);
    if (expect.matched !== undefined) {
      const missing = expect.matched.filter((e) => !matched.some((a) => sameRule(e, a)));
      const unexpected = matched.filter((a) => !expect.matched!.some((e) => sameRule(e, a)));
      if (missing.length > 0 || unexpected.length > 0) {
        const parts = [];
        if (missing.length > 0) parts.push(`expected but not matched: ${missing.join(', ')}`);
        if (unexpected.length > 0) parts.push(`matched but not expected: ${unexpected.join(', ')}`);
        failures.push(`matched: ${parts.join('; ')}`);
      }
    }
    if (expect.redact !== undefined) {
      const want = [...new Set(expect.redact)].sort();
      const got = [...new Set(ev.obligations.redact)].sort();
      if (want.join('\n') !== got.join('\n'))
        failures.push(`redact: expected [${want.join(', ')}], got [${got.join(', ')}]`);
    }
    if (expect.approvals !== undefined) {
      const got = ev.obligations.approvals.reduce((n, a) => n + a.count, 0);
      if (got !== expect.approvals)
        failures.push(`approvals: expected ${expect.approvals} approver(s), got ${got}`);
    }
    results.push({
      name: c.name,
      position: c.position,
      passed: failures.length === 0,
      actual: {
        outcome: ev.outcome,
        code: ev.code,
        matched,
        errors: ev.errors.map((e) => `${e.policy_id}/${e.rule_id}: ${e.message}`),
      },
      failures,
    });
  }
  const passed = results.filter((r) => r.passed).length;
  const covered = coverage.filter((c) => c.hits > 0).length;
  return {
    total: results.length,
    passed,
    failed: results.length - passed,
    results,
    coverage: {
      rules: coverage,
      covered,
      total: coverage.length,
      percent: coverage.length === 0 ? 100 : (100 * covered) / coverage.length,
    },
  };
}

/** `rule-id` names a rule in any policy; `policy-id/rule-id` exactly one. */
function sameRule(expected: string, actual: string): boolean {
  return expected.includes('/') ? expected === actual : actual.slice(actual.indexOf('/') + 1) === expected;
}

/** Plain-text report: one line per case (failures indented under it), totals, uncovered rules. */
export function formatPolicyTestReport(
  report: PolicyTestReport,
  options: { verbose?: boolean } = {},
): string {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.passed && options.verbose === false) continue;
    const at = `${r.position.file}:${r.position.line}`;
    lines.push(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}  (${at})`);
    for (const f of r.failures) lines.push(`      ${f}`);
    if (!r.passed) {
      lines.push(`      matched: ${r.actual.matched.length === 0 ? '(none)' : r.actual.matched.join(', ')}`);
      for (const e of r.actual.errors) lines.push(`      error: ${e}`);
    }
  }
  const { coverage } = report;
  lines.push('');
  lines.push(`${report.total} test(s): ${report.passed} passed, ${report.failed} failed`);
  lines.push(`rule coverage: ${coverage.covered}/${coverage.total} rules (${coverage.percent.toFixed(1)}%)`);
  for (const c of coverage.rules) {
    if (c.hits === 0)
      lines.push(`  not covered: ${c.policy_id}/${c.rule_id}  (${c.position.file}:${c.position.line})`);
  }
  return lines.join('\n');
}
