/**
 * Compiles limit specs once (at policy load): target globs, and the key and amount CEL
 * expressions through the project's CEL entry point. Evaluation then only runs programs.
 */
import { buildPolicyInput } from '../policy/input.js';
import type { ActionV1, AgentIdentity, ContextV1, ImpactV1 } from '../action.js';
import { GatewayError } from '../errors.js';

import {
  compileCel,
  createCelEnvironment,
  POLICY_VARIABLES,
  toCelError,
  type CelProgram,
} from '../policy/cel.js';
import { withContextDefaults } from '../policy/evaluate.js';
import { globMatches } from '../policy/glob.js';
import { err, ok, type Result } from '../result.js';
import { DEFAULT_LIMIT_KEY, DEFAULT_ROLLING_BUCKETS, type CounterSpec, type LimitSpec } from './types.js';
import type { Environment } from '@marcbachmann/cel-js';

export interface CompiledLimit {
  readonly spec: LimitSpec;
  readonly counter: CounterSpec;
  matches(kind: string, tool: string): boolean;
  /** false when key and cost need nothing but `agent.id` (no CEL runs). */
  readonly needsActivation: boolean;
  /** The counter key for this action; throws GatewayError(policy_eval_error) when CEL fails. */
  key(activation: Record<string, unknown>): string;
  /** What this action costs; throws GatewayError(policy_eval_error) unless a finite number >= 0. */
  cost(activation: Record<string, unknown>): number;
}

/** Limit expressions see the policy input plus `impact` (the request's declared impact). */
const LIMIT_VARIABLES = { ...POLICY_VARIABLES, impact: 'map' };
let limitEnv: Environment | null = null;
function environment(): Environment {
  limitEnv ??= createCelEnvironment(LIMIT_VARIABLES);
  return limitEnv;
}

const MAX_KEY_LENGTH = 512;

/** A key or amount expression that does not compile (or has the wrong type). */
export interface LimitCompileIssue {
  field: 'key' | 'amount';
  message: string;
  /** 0-based offset in the expression where the problem is, when known. */
  offset: number | null;
}

/** Compiles a list of limits; messages name the limit (`limit x: key does not compile: ...`). */
export function compileLimits(specs: readonly LimitSpec[]): Result<CompiledLimit[], string[]> {
  const errors: string[] = [];
  const out: CompiledLimit[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.id)) errors.push(`limit ${spec.id}: duplicate limit id`);
    seen.add(spec.id);
    const r = compileLimit(spec);
    if (r.ok) out.push(r.value);
    else for (const i of r.error) errors.push(`limit ${spec.id}: ${i.field} ${i.message}`);
  }
  return errors.length > 0 ? err(errors) : ok(out);
}

/**
 * Compiles one limit: key and amount through the project's CEL entry point, type-checked. Issue
 * messages follow the field name (`does not compile: ...`, `must be of type ...`).
 */
export function compileLimit(spec: LimitSpec): Result<CompiledLimit, LimitCompileIssue[]> {
  const issues: LimitCompileIssue[] = [];
  const key = compileExpr('key', spec.key ?? DEFAULT_LIMIT_KEY, ['string', 'int', 'double', 'dyn'], issues);
  const amount =
    spec.kind === 'rolling_sum' && spec.amount !== undefined
      ? compileExpr('amount', spec.amount, ['int', 'double', 'dyn'], issues)
      : null;
  if (key === null || issues.length > 0) return err(issues);
  return ok(buildLimit(spec, key, amount));
}

function compileExpr(
  field: LimitCompileIssue['field'],
  text: string,
  types: string[],
  issues: LimitCompileIssue[],
): CelProgram | null {
  const r = compileCel(environment(), text);
  if (!r.ok) {
    issues.push({ field, message: `does not compile: ${r.error.message}`, offset: r.error.offset });
    return null;
  }
  if (!types.includes(r.value.type)) {
    issues.push({
      field,
      message: `must be of type ${types.filter((t) => t !== 'dyn').join(' or ')}, not ${r.value.type}`,
      offset: 0,
    });
    return null;
  }
  return r.value;
}

function counterOf(spec: LimitSpec): CounterSpec {
  if (spec.kind === 'token_bucket')
    return { kind: 'token_bucket', capacity: spec.capacity, refill_per_second: spec.refill_per_second };
  return {
    kind: 'rolling_sum',
    window_ms: spec.window_ms,
    max: spec.max,
    buckets: spec.buckets ?? DEFAULT_ROLLING_BUCKETS,
  };
}

function buildLimit(
  spec: LimitSpec,
  keyProgram: CelProgram,
  amountProgram: CelProgram | null,
): CompiledLimit {
  const { kinds, tools } = spec.target;
  const defaultKey = keyProgram.text.trim() === DEFAULT_LIMIT_KEY;
  const fail = (what: string, detail: string): never => {
    throw new GatewayError('policy_eval_error', `limit ${spec.id}: ${what} ${detail}`);
  };
  const run = (p: CelProgram, what: string, activation: Record<string, unknown>): unknown => {
    try {
      return p.run(activation);
    } catch (e) {
      return fail(what, `failed: ${toCelError(e).message}`);
    }
  };
  return {
    spec,
    counter: counterOf(spec),
    needsActivation: !defaultKey || amountProgram !== null,
    matches: (kind, tool) =>
      (kinds.length === 0 || kinds.some((g) => globMatches(g, kind))) &&
      (tools.length === 0 || tools.some((g) => globMatches(g, tool))),
    key(activation) {
      // The default key needs no CEL run.
      if (defaultKey) return agentIdOf(activation) ?? fail('key', 'agent.id is missing');
      const v = run(keyProgram, 'key', activation);
      const s =
        typeof v === 'string'
          ? v
          : typeof v === 'bigint' || typeof v === 'number'
            ? String(v)
            : fail('key', 'is not a string');
      if (s.length === 0 || s.length > MAX_KEY_LENGTH)
        fail('key', `must be 1 to ${MAX_KEY_LENGTH} characters`);
      return s;
    },
    cost(activation) {
      if (amountProgram === null) return 1;
      const v = run(amountProgram, 'amount', activation);
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
        return fail('amount', 'is not a finite number >= 0');
      return n;
    },
  };
}

function agentIdOf(activation: Record<string, unknown>): string | undefined {
  const id = (activation.agent as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** What limit expressions see: the policy input (without findings/risk/usage) plus `impact`. */
export function limitActivation(input: {
  agent: AgentIdentity;
  onBehalfOf: string | null;
  action: ActionV1;
  context: ContextV1 | undefined;
  impact: ImpactV1 | undefined;
  posture: string;
  now: number;
}): Record<string, unknown> {
  const base = buildPolicyInput({ ...input, findings: {}, risk: {}, usage: {} });
  return {
    ...base,
    context: withContextDefaults(base.context),
    now: new Date(input.now),
    impact: input.impact ?? {},
  };
}
