/**
 * The listing rule: tools/list (and prompts/list, resources/list) shows an agent only what it may
 * use under the current policy. A listing is advisory — every call is still decided by the whole
 * pipeline — so the rule is built to be sound in one direction: an entry is hidden only when
 * every call to it would certainly be denied.
 *
 * For an entry, the policy set is evaluated (with explanations) for the agent and the action the
 * call would be — kind, tool and server filled in, arguments unknown. Each candidate rule is then
 * classed by what its condition reads (see condition-inputs.ts):
 *   - static (reads only agent.id/roles/permissions/attributes and action.kind/tool/server): its
 *     result now is its result at call time;
 *   - dynamic (reads arguments, context, findings, risk, usage, posture or now): unknown.
 * The entry is HIDDEN when a static deny rule holds, or a static condition errors (an error
 * denies), or no allow/escalate rule can hold (each one is static and false). Otherwise it is
 * listed. Escalate counts as "may use": the call will ask for approval.
 */
import { buildPolicyInput } from '../policy/input.js';
import type { ActionV1, AgentIdentity } from '../action.js';
import type { CompiledPolicySet, PolicyInput } from '../policy/types.js';
import {
  LISTING_STATIC_FIELDS,
  LISTING_STATIC_FIELDS_WITH_ARGS,
  readsOnlyStaticInputs,
  type StaticFields,
} from './condition-inputs.js';

export interface Visibility {
  visible: boolean;
  /** Why it is hidden (for logs and `portcullis mcp tools`), or why it is shown. */
  reason: string;
}

export interface VisibilityOptions {
  /** True when the action's args are exactly what the call will send (resources: the uri). */
  argsKnown?: boolean;
  now: number;
}

/** Caches the static/dynamic class of each condition text; one per policy set version. */
export class ConditionClassCache {
  private readonly withoutArgs = new Map<string, boolean>();
  private readonly withArgs = new Map<string, boolean>();

  constructor(readonly version: string) {}

  isStatic(condition: string, argsKnown: boolean): boolean {
    const cache = argsKnown ? this.withArgs : this.withoutArgs;
    let v = cache.get(condition);
    if (v === undefined) {
      const fields: StaticFields = argsKnown ? LISTING_STATIC_FIELDS_WITH_ARGS : LISTING_STATIC_FIELDS;
      v = readsOnlyStaticInputs(condition, fields);
      cache.set(condition, v);
    }
    return v;
  }
}

function probeInput(agent: AgentIdentity, action: ActionV1, now: number): PolicyInput {
  return buildPolicyInput({ agent, onBehalfOf: null, action, context: undefined, now });
}

export function visibilityOf(
  policies: CompiledPolicySet | null,
  classes: ConditionClassCache,
  agent: AgentIdentity,
  action: ActionV1,
  options: VisibilityOptions,
): Visibility {
  if (policies === null) return { visible: false, reason: 'no policy set is active' };
  const argsKnown = options.argsKnown === true;
  const evaluation = policies.evaluate(probeInput(agent, action, options.now), { explain: true });
  let maybeAllowed: string | null = null;
  for (const entry of evaluation.explanation ?? []) {
    const rule = `${entry.policy_id}/${entry.rule_id}`;
    if (classes.isStatic(entry.condition, argsKnown)) {
      if (typeof entry.result === 'object')
        return { visible: false, reason: `rule ${rule} fails to evaluate (deny)` };
      if (entry.result && entry.effect === 'deny') return { visible: false, reason: `rule ${rule} denies` };
      if (entry.result) maybeAllowed ??= `rule ${rule} ${entry.effect === 'allow' ? 'allows' : 'escalates'}`;
    } else if (entry.effect !== 'deny') {
      maybeAllowed ??= `rule ${rule} may ${entry.effect === 'allow' ? 'allow' : 'escalate'}, depending on the call`;
    }
  }
  return maybeAllowed === null
    ? { visible: false, reason: 'no rule can allow it' }
    : { visible: true, reason: maybeAllowed };
}
