/**
 * Every example policy set under examples/ (a directory with policies/ and tests/) loads, lints
 * clean, passes all of its policy tests and has every rule covered by at least one test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatPolicyTestReport,
  loadPolicySet,
  parsePolicyTests,
  runPolicyTests,
} from '../src/core/policy/index.js';
import type { PolicyFile } from '../src/core/policy/index.js';

const root = join(import.meta.dirname, '..', 'examples');
const sets = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'policies')))
  .map((d) => d.name)
  .sort();

function read(dir: string): PolicyFile[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ path: join(dir, f), content: readFileSync(join(dir, f), 'utf8') }));
}

describe('example policy sets', () => {
  it('include the four documented sets', () => {
    expect(sets).toEqual(expect.arrayContaining(['payments', 'healthcare', 'cloud-ops', 'data-residency']));
  });

  for (const name of sets) {
    it(`${name}: loads, lints clean, passes its tests with 100% rule coverage`, () => {
      const policies = loadPolicySet(read(join(root, name, 'policies')));
      if (!policies.ok) throw new Error(JSON.stringify(policies.error, null, 2));
      expect(policies.value.lint(Date.UTC(2026, 5, 1))).toEqual([]);
      const tests = parsePolicyTests(read(join(root, name, 'tests')));
      if (!tests.ok) throw new Error(JSON.stringify(tests.error, null, 2));
      expect(tests.value.length).toBeGreaterThan(0);
      const report = runPolicyTests(policies.value, tests.value);
      const text = formatPolicyTestReport(report, { verbose: false });
      expect(report.failed, text).toBe(0);
      expect(report.passed).toBe(tests.value.length);
      expect(report.coverage.percent, text).toBe(100);
    });
  }
});
