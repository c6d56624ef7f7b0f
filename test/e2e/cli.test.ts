/** End to end: every CLI command as a user runs it, with its exit codes and messages. */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli-harness.js';

let project: string;

beforeAll(() => {
  project = join(tempDir(), 'p');
  expect(runCli(['init', project]).status).toBe(0);
});

describe('portcullis CLI', () => {
  const commands = [
    [],
    ['serve'],
    ['check'],
    ['eval'],
    ['policy'],
    ['policy', 'test'],
    ['init'],
    ['keys'],
    ['keys', 'new'],
    ['keys', 'hash'],
    ['config'],
    ['config', 'schema'],
  ];
  for (const c of commands) {
    it(`prints --help for "${c.join(' ') || '(root)'}"`, () => {
      const r = runCli([...c, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: portcullis/);
    });
  }

  it('exits 2 on unknown commands and options', () => {
    expect(runCli(['frobnicate']).status).toBe(2);
    expect(runCli(['check', '--bogus']).status).toBe(2);
  });

  it('init writes a 0600 key and refuses a non-empty directory', () => {
    expect(statSync(join(project, 'secrets', 'example-agent.key')).mode & 0o777).toBe(0o600);
    const again = runCli(['init', project]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('not empty');
  });

  it('check accepts the scaffold and reports a broken policy with file:line:column', () => {
    const ok = runCli(['check', '--config', join(project, 'portcullis.yaml')]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/ok: 1 policies, 3 rules, version sha256:[0-9a-f]{64}/);

    const broken = join(tempDir(), 'b');
    expect(runCli(['init', broken]).status).toBe(0);
    const file = join(broken, 'policies', 'example.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        `when: '"tickets:write" in agent.permissions'`,
        `when: '"tickets:write" in in agent'`,
      ),
    );
    const r = runCli(['check', '--config', join(broken, 'portcullis.yaml')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/policies\/example\.yaml:\d+:\d+/);
    expect(r.stderr).toContain('write-tickets');
    expect(r.stderr).toContain('policy_compile_error');
  });

  it('check accepts every example configuration as shipped (the README quick start included)', () => {
    const configs = readdirSync('examples')
      .map((d) => join('examples', d, 'portcullis.yaml'))
      .filter((f) => existsSync(f));
    expect(configs).toContain(join('examples', 'quickstart', 'portcullis.yaml'));
    for (const cfg of configs) {
      const r = runCli(['check', '--config', cfg]);
      expect(r.stderr, cfg).toBe('');
      expect(r.status, cfg).toBe(0);
    }
  });

  it('check reports config errors with file:line:column', () => {
    const cfg = join(tempDir(), 'bad.yaml');
    writeFileSync(cfg, 'version: 1\npolicies:\n  paths: [x]\nserver:\n  port: "eighty"\n');
    const r = runCli(['check', '--config', cfg]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${cfg}:5:9`);
    expect(r.stderr).toContain('config_invalid');
    const missing = runCli(['check', '--config', '/nonexistent/portcullis.yaml']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('config_not_found');
  });

  it('eval decides offline with exit codes 0 / 3 / 4', () => {
    const input = (tool: string) => JSON.stringify({ action: { kind: 'tool_call', tool, args: {} } });
    const cfg = join(project, 'portcullis.yaml');
    const allow = runCli(['eval', '--config', cfg, '--agent', 'example-agent', '--input', '-'], {
      input: input('tickets.get'),
    });
    expect(allow.status).toBe(0);
    expect(JSON.parse(allow.stdout).outcome).toBe('allow');
    expect(
      runCli(['eval', '--config', cfg, '--agent', 'example-agent', '--input', '-'], {
        input: input('tickets.drop'),
      }).status,
    ).toBe(3);
    const esc = runCli(['eval', '--config', cfg, '--input', '-', '--explain'], {
      input: input('tickets.delete'),
    });
    expect(esc.status).toBe(4);
    expect(JSON.parse(esc.stdout).explanation).toHaveLength(1);
    const bad = runCli(['eval', '--config', cfg, '--input', '-'], { input: '{"action":' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('invalid_json');
  });

  it('policy test passes the scaffold with full coverage and fails a wrong expectation', () => {
    const ok = runCli(['policy', 'test', project, '--coverage-threshold', '100']);
    expect(ok.stdout).toContain('4 passed, 0 failed');
    expect(ok.stdout).toContain('rule coverage: 3/3 (100.0%)');
    expect(ok.status).toBe(0);

    const broken = join(tempDir(), 'c');
    expect(runCli(['init', broken]).status).toBe(0);
    const tests = join(broken, 'tests', 'example.test.yaml');
    writeFileSync(
      tests,
      readFileSync(tests, 'utf8').replace('expect: { outcome: escalate', 'expect: { outcome: allow'),
    );
    const r = runCli(['policy', 'test', broken]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL  deleting escalates');
    expect(r.stdout).toContain('3 passed, 1 failed');
  });

  it('policy test fails below the coverage threshold', () => {
    const dir = join(tempDir(), 'd');
    expect(runCli(['init', dir]).status).toBe(0);
    const tests = join(dir, 'tests', 'example.test.yaml');
    const text = readFileSync(tests, 'utf8');
    writeFileSync(tests, text.slice(0, text.indexOf('  - name: deleting escalates')));
    const r = runCli(['policy', 'test', dir, '--coverage-threshold', '90']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('not covered: example/deletes-need-a-human');
  });

  it('keys new prints a key and its sha256', () => {
    const r = runCli(['keys', 'new', '--json']);
    const k = JSON.parse(r.stdout) as { key: string; sha256: string };
    expect(k.key).toMatch(/^pcs_[A-Za-z0-9_-]{43}$/);
    expect(runCli(['keys', 'hash'], { input: `${k.key}\n` }).stdout.trim()).toBe(k.sha256);
  });

  it('config schema prints a JSON Schema that matches the committed copy', () => {
    const r = runCli(['config', 'schema']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync('schema/portcullis.schema.json', 'utf8')));
  });
});
