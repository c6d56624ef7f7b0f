import { describe, expect, it } from 'vitest';
import type { AgentIdentity } from '../action.js';
import { loadPolicySet } from '../policy/load.js';
import type { CompiledPolicySet } from '../policy/types.js';
import { resourceReadAction, toolCallAction } from './actions.js';
import { ConditionClassCache, visibilityOf } from './visibility.js';

const POLICY = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: mcp, version: 1.0.0 }
rules:
  - id: readers-read
    target: { kinds: [tool_call], tools: ["fs.read_*"] }
    when: '"files:read" in agent.permissions'
    effect: allow
    reason: readers may read
  - id: no-secrets
    target: { kinds: [tool_call], tools: ["fs.read_*"] }
    when: 'has(action.args.path) && action.args.path.contains(".ssh")'
    effect: deny
    reason: never read ssh keys
  - id: small-writes
    target: { kinds: [tool_call], tools: ["fs.write_file"] }
    when: 'has(action.args.content) && size(action.args.content) < 100'
    effect: allow
    reason: small writes are fine
  - id: interns-never-delete
    target: { tools: ["fs.delete"] }
    when: '"intern" in agent.roles'
    effect: deny
    reason: interns never delete
  - id: delete-needs-human
    target: { tools: ["fs.delete"] }
    effect: escalate
    reason: deletes need a human
  - id: broken
    target: { tools: ["fs.broken"] }
    when: 'agent.attributes.missing_key == 1'
    effect: allow
    reason: errors
  - id: public-resources
    target: { kinds: [mcp.resources_read] }
    when: 'action.args.uri.startsWith("file:///public/")'
    effect: allow
    reason: public files
`;

function policies(): CompiledPolicySet {
  const r = loadPolicySet([{ path: 'mcp.yaml', content: POLICY }]);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const agent = (over: Partial<AgentIdentity> = {}): AgentIdentity => ({
  id: 'a',
  roles: [],
  permissions: [],
  attributes: {},
  ...over,
});

describe('tools/list visibility rule', () => {
  const set = policies();
  const classes = new ConditionClassCache(set.version);
  const visible = (a: AgentIdentity, tool: string) =>
    visibilityOf(set, classes, a, toolCallAction('fs', tool, {}), { now: 0 });

  it('lists a tool a static allow rule allows, even though a dynamic deny may still deny a call', () => {
    expect(visible(agent({ permissions: ['files:read'] }), 'read_file')).toEqual({
      visible: true,
      reason: 'rule mcp/readers-read allows',
    });
  });

  it('hides a tool when every allow rule is static and false', () => {
    expect(visible(agent(), 'read_file')).toEqual({ visible: false, reason: 'no rule can allow it' });
  });

  it('lists a tool whose allow depends on the arguments (unknown at list time)', () => {
    expect(visible(agent(), 'write_file').visible).toBe(true);
  });

  it('hides a tool a static deny rule denies, whatever the arguments', () => {
    expect(visible(agent({ roles: ['intern'] }), 'delete')).toEqual({
      visible: false,
      reason: 'rule mcp/interns-never-delete denies',
    });
  });

  it('lists escalate-only tools (the call asks for approval)', () => {
    expect(visible(agent(), 'delete')).toEqual({
      visible: true,
      reason: 'rule mcp/delete-needs-human escalates',
    });
  });

  it('hides a tool whose static condition errors (the call would be denied)', () => {
    expect(visible(agent(), 'broken').visible).toBe(false);
  });

  it('hides tools no rule targets, and everything when no policy is loaded', () => {
    expect(visible(agent({ permissions: ['files:read'] }), 'unknown_tool').visible).toBe(false);
    expect(
      visibilityOf(null, classes, agent(), toolCallAction('fs', 'read_file', {}), { now: 0 }).visible,
    ).toBe(false);
  });

  it('decides resources exactly when the uri is known', () => {
    const read = (uri: string) =>
      visibilityOf(set, classes, agent(), resourceReadAction('fs', uri), { now: 0, argsKnown: true });
    expect(read('file:///public/a.txt').visible).toBe(true);
    expect(read('file:///private/a.txt').visible).toBe(false);
  });

  it('is sound: whenever it hides a tool, calls with any arguments are denied', () => {
    const argSets = [
      {},
      { path: '/tmp/a' },
      { path: '~/.ssh/id_rsa' },
      { content: 'x' },
      { content: 'x'.repeat(200) },
    ];
    const agents = [agent(), agent({ permissions: ['files:read'] }), agent({ roles: ['intern'] })];
    for (const a of agents) {
      for (const tool of ['read_file', 'write_file', 'delete', 'broken', 'other']) {
        if (visible(a, tool).visible) continue;
        for (const args of argSets) {
          const ev = set.evaluate({
            agent: { ...a, on_behalf_of: null },
            action: { kind: 'tool_call', tool: `fs.${tool}`, server: 'fs', args, prompt: '' },
            context: {},
            findings: {},
            risk: {},
            usage: {},
            posture: 'normal',
            now: 0,
          });
          expect([a.id, tool, args, ev.outcome]).toEqual([a.id, tool, args, 'deny']);
        }
      }
    }
  });
});
