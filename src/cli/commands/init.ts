import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { reportError } from '../output.js';
import { newApiKey } from './keys.js';

const CONFIG = `# Portcullis gateway configuration. Schema: \`portcullis config schema\`.
version: 1
instance_id: portcullis-1
server:
  host: 127.0.0.1   # loopback only; set 0.0.0.0 deliberately to expose it
  port: 8787
policies:
  paths: [policies]
  watch: true
audit:
  path: data/ledger.db
  signing_key_path: data/ledger-signing.key
agents:
  - id: example-agent
    roles: [assistant]
    permissions: ["tickets:read", "tickets:write"]
    api_key: { file: secrets/example-agent.key }   # 0600; \`portcullis keys new\` makes more
`;

const POLICY = `apiVersion: portcullis.dev/v1
kind: Policy
metadata:
  id: example
  version: 1.0.0
  owner: security@example.com
  description: Starter policy. Anything no rule allows is denied.
  review_by: 2027-06-30
  controls: ["NIST-CSF PR.AA-05"]
rules:
  - id: read-tickets
    target: { kinds: [tool_call], tools: ["tickets.get", "tickets.search"] }
    when: '"tickets:read" in agent.permissions'
    effect: allow
    reason: Agents with tickets:read may read tickets
  - id: write-tickets
    target: { kinds: [tool_call], tools: ["tickets.create", "tickets.update"] }
    when: '"tickets:write" in agent.permissions'
    effect: allow
    reason: Agents with tickets:write may create and update tickets
  - id: deletes-need-a-human
    target: { kinds: [tool_call], tools: ["tickets.delete"] }
    effect: escalate
    reason: Deleting a ticket needs a human
    obligations:
      approvals: [{ roles: [approver], count: 1, expires_in: 1h }]
`;

const TESTS = `tests:
  - name: reading a ticket is allowed
    input:
      agent: { id: example-agent, permissions: ["tickets:read"] }
      action: { kind: tool_call, tool: tickets.get, args: { id: 42 } }
    expect: { outcome: allow, matched: [read-tickets] }
  - name: writing without the permission is denied
    input:
      agent: { id: example-agent, permissions: ["tickets:read"] }
      action: { kind: tool_call, tool: tickets.update, args: { id: 42 } }
    expect: { outcome: deny, matched: [] }
  - name: writing with the permission is allowed
    input:
      agent: { id: example-agent, permissions: ["tickets:write"] }
      action: { kind: tool_call, tool: tickets.create, args: { title: Printer on fire } }
    expect: { outcome: allow, matched: [write-tickets] }
  - name: deleting escalates
    input:
      agent: { id: example-agent, permissions: ["tickets:write"] }
      action: { kind: tool_call, tool: tickets.delete, args: { id: 42 } }
    expect: { outcome: escalate, matched: [deletes-need-a-human] }
`;

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'scaffold a config, an example policy set and its tests that serve and policy test accept as they are',
    )
    .argument('<dir>', 'directory to create (must be empty or absent)')
    .action((dirArg: string) => {
      try {
        const dir = resolve(dirArg);
        if (existsSync(dir) && readdirSync(dir).length > 0) {
          process.stderr.write(`error: ${dir} is not empty; choose a new directory\n`);
          process.exitCode = EXIT.failure;
          return;
        }
        for (const sub of ['policies', 'tests', 'secrets', 'data'])
          mkdirSync(join(dir, sub), { recursive: true });
        chmodSync(join(dir, 'secrets'), 0o700);
        chmodSync(join(dir, 'data'), 0o700);
        writeFileSync(join(dir, 'portcullis.yaml'), CONFIG);
        writeFileSync(join(dir, 'policies', 'example.yaml'), POLICY);
        writeFileSync(join(dir, 'tests', 'example.test.yaml'), TESTS);
        const key = newApiKey();
        writeFileSync(join(dir, 'secrets', 'example-agent.key'), `${key.key}\n`, { mode: 0o600 });
        writeFileSync(join(dir, '.gitignore'), 'secrets/\ndata/\n');
        process.stdout.write(
          [
            `created ${dir}`,
            `  portcullis.yaml, policies/example.yaml, tests/example.test.yaml`,
            `  secrets/example-agent.key (0600): the API key of example-agent`,
            ``,
            `next:`,
            `  portcullis policy test ${dirArg}`,
            `  portcullis serve --config ${join(dirArg, 'portcullis.yaml')}`,
            '',
          ].join('\n'),
        );
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
