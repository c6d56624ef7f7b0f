/**
 * Generated policy sets for the policy benchmark, written twice: as Portcullis YAML and as the
 * equivalent Cedar policies. Deterministic (a seeded PRNG), so every run measures the same sets.
 *
 * Shape, per set of N rules (realistic: more rules means more tools, not more rules per tool):
 *  - tools: N/4 names `svc<k>.<op>` (4 operations per service), so ~4 rules target each tool;
 *  - 90% of rules target one exact tool, with one of four condition templates (amount
 *    threshold, role membership, environment + amount, sanctioned country);
 *  - 10% target a whole service with a prefix glob `svc<k>.*` (Cedar: `resource in Service`);
 *  - 2 rules target every tool call (lockdown posture, high risk score).
 */
import type { PolicyInput } from '../../src/core/policy/index.js';

const OPS = ['transfer', 'read', 'delete', 'update'] as const;

export interface GeneratedSet {
  size: number;
  yaml: string;
  cedar: string;
  tools: string[];
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateSet(size: number): GeneratedSet {
  const toolCount = Math.max(4, Math.floor(size / 4));
  const tools = Array.from(
    { length: toolCount },
    (_, i) => `svc${Math.floor(i / OPS.length)}.${OPS[i % OPS.length]}`,
  );
  const services = Math.ceil(toolCount / OPS.length);
  const yaml: string[] = [
    'apiVersion: portcullis.dev/v1',
    'kind: Policy',
    'metadata: { id: bench, version: 1.0.0 }',
    'rules:',
  ];
  const cedar: string[] = [];
  const rule = (id: string, target: string, when: string, effect: string): void => {
    yaml.push(
      `  - id: ${id}`,
      `    target: ${target}`,
      `    when: '${when}'`,
      `    effect: ${effect}`,
      `    reason: generated ${id}`,
    );
  };
  // Two rules that apply to every tool call.
  const globals = Math.min(2, size);
  if (globals >= 1) {
    rule('g-lockdown', '{ kinds: [tool_call] }', 'posture == "lockdown"', 'deny');
    cedar.push(
      `@id("g-lockdown")\nforbid(principal, action == Action::"tool_call", resource) when { context.posture == "lockdown" };`,
    );
  }
  if (globals >= 2) {
    rule('g-risk', '{ kinds: [tool_call] }', 'has(risk.score) && risk.score > 90', 'deny');
    cedar.push(
      `@id("g-risk")\nforbid(principal, action == Action::"tool_call", resource) when { context.risk has score && context.risk.score > 90 };`,
    );
  }
  for (let i = 0; i < size - globals; i++) {
    const id = `r${i}`;
    if (i % 10 === 9) {
      const svc = `svc${i % services}`;
      rule(id, `{ kinds: [tool_call], tools: ["${svc}.*"] }`, 'size(agent.roles) > 0', 'allow');
      cedar.push(
        `@id("${id}")\npermit(principal, action == Action::"tool_call", resource in Service::"${svc}") when { !principal.roles.isEmpty() };`,
      );
      continue;
    }
    const tool = tools[i % toolCount]!;
    const target = `{ kinds: [tool_call], tools: ["${tool}"] }`;
    const head = (effect: string): string =>
      `@id("${id}")\n${effect}(principal, action == Action::"tool_call", resource == Tool::"${tool}")`;
    switch (i % 4) {
      case 0:
        rule(id, target, `action.args.amount > ${1000 + i}`, 'escalate');
        cedar.push(`@effect("escalate")\n${head('forbid')} when { context.args.amount > ${1000 + i} };`);
        break;
      case 1:
        rule(id, target, `"ops-${i % 7}" in agent.roles`, 'allow');
        cedar.push(`${head('permit')} when { principal.roles.contains("ops-${i % 7}") };`);
        break;
      case 2:
        rule(id, target, 'context.environment == "production" && action.args.amount > 50', 'deny');
        cedar.push(
          `${head('forbid')} when { context.environment == "production" && context.args.amount > 50 };`,
        );
        break;
      default:
        rule(id, target, 'has(action.args.country) && action.args.country in ["CU", "IR", "KP"]', 'deny');
        cedar.push(
          `${head('forbid')} when { context.args has country && ["CU", "IR", "KP"].contains(context.args.country) };`,
        );
    }
  }
  return { size, yaml: `${yaml.join('\n')}\n`, cedar: cedar.join('\n'), tools };
}

export interface BenchRequest {
  input: PolicyInput;
  cedar: {
    principal: { type: string; id: string };
    action: { type: string; id: string };
    resource: { type: string; id: string };
    context: Record<string, unknown>;
    entities: unknown[];
  };
}

/** Realistic tool calls over the set's tools; integer amounts so Cedar (Long) sees the same. */
export function generateRequests(set: GeneratedSet, count: number, seed = 7): BenchRequest[] {
  const rnd = mulberry32(seed);
  const out: BenchRequest[] = [];
  for (let i = 0; i < count; i++) {
    const tool = set.tools[Math.floor(rnd() * set.tools.length)]!;
    const amount = Math.floor(rnd() * 20_000);
    const roles = rnd() < 0.5 ? [`ops-${Math.floor(rnd() * 7)}`] : [];
    const environment = rnd() < 0.5 ? 'production' : 'staging';
    const args: Record<string, string | number> = { amount, currency: 'EUR' };
    if (rnd() < 0.3) args.country = rnd() < 0.1 ? 'IR' : 'DE';
    const risk = { score: Math.floor(rnd() * 100) };
    const input: PolicyInput = {
      agent: {
        id: 'bench-bot',
        roles,
        permissions: ['payments:execute'],
        attributes: {},
        on_behalf_of: null,
      },
      action: { kind: 'tool_call', tool, server: '', args, prompt: '' },
      context: {
        environment,
        region: 'eu-west-1',
        purpose: 'bench',
        data_classification: 'internal',
        lineage: [],
        attributes: {},
      },
      findings: {},
      risk,
      usage: {},
      posture: 'normal',
      now: Date.UTC(2026, 5, 1) + i,
    };
    const svc = tool.slice(0, tool.indexOf('.'));
    out.push({
      input,
      cedar: {
        principal: { type: 'Agent', id: 'bench-bot' },
        action: { type: 'Action', id: 'tool_call' },
        resource: { type: 'Tool', id: tool },
        context: { args, environment, posture: 'normal', risk },
        entities: [
          { uid: { type: 'Agent', id: 'bench-bot' }, attrs: { roles }, parents: [] },
          { uid: { type: 'Tool', id: tool }, attrs: {}, parents: [{ type: 'Service', id: svc }] },
        ],
      },
    });
  }
  return out;
}
