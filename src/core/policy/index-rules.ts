/**
 * Rule index: selects the rules whose target can match an action without looking at the others.
 *
 * A rule with tool patterns is filed under its tools; a rule with only kind patterns under its
 * kinds; a rule with neither is a candidate for every action. Within each dimension, exact names
 * live in a hash map, prefix globs (`payments.*`) in a map keyed by prefix (probed once per
 * distinct prefix length), and any other glob in a short list that is scanned. The selection for
 * a (kind, tool) pair is turned into a plan by the caller's `prepare` (once) and memoised in a
 * bounded cache, so the steady-state cost of selection is two map lookups, whatever the rule
 * count.
 */
import { targetMatches, type CompiledRule } from './compile.js';
import { shapeMatches, type GlobShape } from './glob.js';

class PatternIndex {
  private readonly exact = new Map<string, CompiledRule[]>();
  private readonly prefixes = new Map<string, CompiledRule[]>();
  private prefixLengths: number[] = [];
  private readonly general: Array<{ shape: GlobShape; rule: CompiledRule }> = [];

  add(shape: GlobShape, rule: CompiledRule): void {
    switch (shape.kind) {
      case 'exact':
        push(this.exact, shape.value, rule);
        break;
      case 'prefix':
        push(this.prefixes, shape.prefix, rule);
        if (!this.prefixLengths.includes(shape.prefix.length)) {
          this.prefixLengths = [...this.prefixLengths, shape.prefix.length].sort((a, b) => a - b);
        }
        break;
      case 'any':
      case 'general':
        this.general.push({ shape, rule });
        break;
    }
  }

  collect(name: string, out: CompiledRule[]): void {
    const hit = this.exact.get(name);
    if (hit !== undefined) for (const rule of hit) out.push(rule);
    for (const len of this.prefixLengths) {
      if (len > name.length) break;
      const rules = this.prefixes.get(name.slice(0, len));
      if (rules !== undefined) for (const rule of rules) out.push(rule);
    }
    for (const { shape, rule } of this.general) if (shapeMatches(shape, name)) out.push(rule);
  }
}

function push(map: Map<string, CompiledRule[]>, key: string, rule: CompiledRule): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [rule]);
  else list.push(rule);
}

/**
 * Bound on the memo, counted in selected rules plus one per entry: tool names come from agents,
 * so a flood of distinct names must not grow memory without limit. When full, it starts over.
 */
const CACHE_WEIGHT_LIMIT = 500_000;

export class RuleIndex<Plan> {
  private readonly byTool = new PatternIndex();
  private readonly byKind = new PatternIndex();
  private readonly always: CompiledRule[] = [];
  /** kind → tool → plan. Two levels, so a lookup builds no key string. */
  private readonly cache = new Map<string, Map<string, Plan>>();
  private weight = 0;

  constructor(
    rules: readonly CompiledRule[],
    private readonly prepare: (selected: readonly CompiledRule[]) => Plan,
  ) {
    for (const rule of rules) {
      if (rule.toolShapes.length > 0) for (const s of rule.toolShapes) this.byTool.add(s, rule);
      else if (rule.kindShapes.length > 0) for (const s of rule.kindShapes) this.byKind.add(s, rule);
      else this.always.push(rule);
    }
  }

  /** The plan for the rules whose target matches, in evaluation order, each once. */
  select(kind: string, tool: string): Plan {
    let byTool = this.cache.get(kind);
    const cached = byTool?.get(tool);
    if (cached !== undefined) return cached;
    const selected = this.rulesFor(kind, tool);
    const plan = this.prepare(selected);
    if (this.weight + selected.length + 1 > CACHE_WEIGHT_LIMIT) {
      this.cache.clear();
      this.weight = 0;
      byTool = undefined;
    }
    if (byTool === undefined) {
      byTool = new Map();
      this.cache.set(kind, byTool);
    }
    byTool.set(tool, plan);
    this.weight += selected.length + 1;
    return plan;
  }

  /** Rules whose target matches, in evaluation order, each once (uncached). */
  rulesFor(kind: string, tool: string): CompiledRule[] {
    const found: CompiledRule[] = [...this.always];
    this.byTool.collect(tool, found);
    this.byKind.collect(kind, found);
    found.sort((a, b) => a.order - b.order);
    const selected: CompiledRule[] = [];
    for (const rule of found) {
      if (selected.at(-1) === rule) continue; // several patterns of one rule matched
      if (targetMatches(rule, kind, tool)) selected.push(rule);
    }
    return selected;
  }
}
