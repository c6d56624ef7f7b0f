import { describe, expect, it } from 'vitest';
import {
  LISTING_STATIC_FIELDS as S,
  LISTING_STATIC_FIELDS_WITH_ARGS as A,
  readsOnlyStaticInputs,
} from './condition-inputs.js';

describe('readsOnlyStaticInputs', () => {
  it.each([
    'true',
    '"files:read" in agent.permissions',
    "agent.roles.exists(r, r == 'admin')",
    "action.tool.startsWith('fs.') && agent.id != 'x'",
    "has(agent.attributes.team) && agent.attributes.team == 'ops'",
    'size(agent.roles) > 0',
    "action . kind == 'tool_call'",
    // policy variable names inside strings and comments are text, not reads
    "agent.id == 'action.args.path' // findings are not read here",
    'agent.id == "context" || agent.id == r"now" || agent.id == """risk"""',
    "agent.id == 'it\\'s action.args'",
  ])('static: %s', (cel) => {
    expect(readsOnlyStaticInputs(cel, S)).toBe(true);
  });

  it.each([
    'action.args.amount > 10',
    "has(action.args.path) && action.args.path.startsWith('/tmp')",
    'action["args"]["x"] == 1',
    '[action].exists(a, a.args.x == 1)',
    'action.?args.x == 1',
    "context.environment == 'prod'",
    'findings.pii.size() == 0',
    'risk.score < 0.5',
    'usage.calls_per_minute < 10',
    "posture == 'normal'",
    "now < timestamp('2030-01-01T00:00:00Z')",
    "agent.on_behalf_of == 'alice'",
    'has(agent)',
    'action.prompt.contains("x")',
    'agent.roles.exists(r, r == action.args.role)',
  ])('dynamic: %s', (cel) => {
    expect(readsOnlyStaticInputs(cel, S)).toBe(false);
  });

  it('treats args as static only when they are known', () => {
    expect(readsOnlyStaticInputs("action.args.uri.startsWith('file:')", S)).toBe(false);
    expect(readsOnlyStaticInputs("action.args.uri.startsWith('file:')", A)).toBe(true);
    expect(readsOnlyStaticInputs('findings.pii.size() == 0', A)).toBe(false);
  });

  it('is not fooled by numbers, member names or comprehension variables named like policy variables', () => {
    expect(readsOnlyStaticInputs('agent.attributes.level > 1.5e3', S)).toBe(true);
    expect(readsOnlyStaticInputs('agent.attributes.context == 1', S)).toBe(true);
    expect(readsOnlyStaticInputs('agent.roles.exists(context, context == "x")', S)).toBe(false);
  });
});
