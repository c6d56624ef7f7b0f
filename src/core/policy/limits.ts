/**
 * The `limits:` section of a policy document (rate limits and budgets, issue 6). The limits core
 * owns what an entry may say (checkLimitSpec) and how it compiles (compileLimit); this file
 * maps their issues back to file:line:column and makes limit ids unique across the whole set,
 * since `usage.<id>` is one namespace.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from 'yaml';
import { compileLimit, type CompiledLimit } from '../limits/compile.js';
import { checkLimitSpec, LIMIT_SPEC_KEYS, type LimitSpecIssue } from '../limits/spec.js';
import type { LimitSpec } from '../limits/types.js';
import { asMap, describe, readList, truncate, type Field, type Ids } from './schema.js';
import type { SourcePosition } from './types.js';
import { conditionOffsetPosition, suggest, type Diagnostics, type NodeReader } from './yaml-source.js';

export interface ParsedLimit {
  spec: LimitSpec;
  policyId: string;
  /** The entry's map. */
  position: SourcePosition;
  /** Maps a 0-based offset inside `key` or `amount` to its position in the file. */
  expressionPosition: (field: 'key' | 'amount', offset: number) => SourcePosition;
}

/** Reads a `limits:` list; entries with problems are reported and left out. */
export function parseLimits(r: NodeReader, f: Field, policyId: string): ParsedLimit[] {
  const ids: Ids = { policy_id: policyId };
  const items = readList(r, f, ids);
  if (items === undefined) return [];
  const out: ParsedLimit[] = [];
  items.forEach((item, i) => {
    const limit = parseLimit(r, item, `${f.path}[${i}]`, policyId, f.value!);
    if (limit !== null) out.push(limit);
  });
  return out;
}

function parseLimit(
  r: NodeReader,
  node: YamlNode | null,
  path: string,
  policyId: string,
  listNode: YamlNode,
): ParsedLimit | null {
  const map = asMap(r, node, path, { policy_id: policyId }, listNode);
  if (map === null) return null;
  const idNode = child(r, map, 'id');
  const ids: Ids = {
    policy_id: policyId,
    limit_id:
      idNode !== null && isScalar(idNode) && typeof idNode.value === 'string' ? idNode.value : undefined,
  };
  const json = r.toJson(map);
  if (json === undefined) return null;
  const checked = checkLimitSpec(json);
  if (!checked.ok) {
    const kind = json !== null && typeof json === 'object' && 'kind' in json ? json.kind : undefined;
    for (const issue of checked.error) reportIssue(r, map, path, issue, kind, ids);
    return null;
  }
  const expressionNodes = { key: child(r, map, 'key'), amount: child(r, map, 'amount') };
  return {
    spec: checked.value,
    policyId,
    position: r.source.nodePosition(map),
    expressionPosition: (field, offset) => {
      const valueNode = expressionNodes[field];
      const text = field === 'key' ? checked.value.key : (checked.value as { amount?: string }).amount;
      return valueNode === null || text === undefined
        ? r.source.nodePosition(map)
        : conditionOffsetPosition(r.source, valueNode, text, offset);
    },
  };
}

/** The value node of `key` in a map, or null. */
function child(r: NodeReader, map: YAMLMap, key: string): YamlNode | null {
  return r.entries(map).find((e) => e.key === key)?.value ?? null;
}

/** Where `path` (inside the entry) leads: the deepest node that exists, and the first step that does not. */
function locate(
  r: NodeReader,
  entry: YAMLMap,
  path: ReadonlyArray<string | number>,
): { node: YamlNode; missing: string | number | null } {
  let node: YamlNode = entry;
  for (const step of path) {
    let next: YamlNode | null | undefined;
    if (typeof step === 'string' && isMap(node)) {
      const found: { keyNode: YamlNode; value: YamlNode | null } | undefined = r
        .entries(node)
        .find((e) => e.key === step);
      if (found === undefined) return { node, missing: step };
      next = found.value ?? found.keyNode;
    } else if (typeof step === 'number' && isSeq(node)) {
      next = step < node.items.length ? r.resolve(node.items[step]) : undefined;
    }
    if (next === null || next === undefined) return { node, missing: step };
    node = next;
  }
  return { node, missing: null };
}

function pathText(base: string, path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${p}`), base);
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a map',
  array: 'a list',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
};

function reportIssue(
  r: NodeReader,
  entry: YAMLMap,
  base: string,
  issue: LimitSpecIssue,
  kind: unknown,
  ids: Ids,
): void {
  const { node, missing } = locate(r, entry, issue.path);
  const at = pathText(base, issue.path);
  if (issue.kind === 'unknown_keys' && isMap(node)) {
    const allowed =
      issue.path.length > 0
        ? LIMIT_SPEC_KEYS.target
        : kind === 'token_bucket' || kind === 'rolling_sum'
          ? LIMIT_SPEC_KEYS[kind]
          : [...new Set([...LIMIT_SPEC_KEYS.token_bucket, ...LIMIT_SPEC_KEYS.rolling_sum])];
    for (const key of issue.keys ?? []) {
      const keyNode = r.entries(node).find((e) => e.key === key)?.keyNode ?? node;
      const hint = suggest(key, allowed);
      r.error(
        `unknown key "${key}" in ${at}${hint === null ? '' : ` (did you mean "${hint}"?)`}; allowed: ${allowed.join(', ')}`,
        keyNode,
        ids,
      );
    }
    return;
  }
  if (missing !== null) {
    const parent = pathText(base, issue.path.slice(0, -1));
    const options = issue.kind === 'one_of' ? ` (${issue.options?.join(' or ')})` : '';
    r.error(`${parent}: missing required key "${String(missing)}"${options}`, node, ids);
    return;
  }
  const value = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
  if (issue.kind === 'type' && issue.expected !== undefined) {
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    r.error(`${at} must be ${expected}, got ${describe(node)}`, node, ids);
  } else if (issue.kind === 'one_of' && issue.options !== undefined) {
    r.error(`${at} must be one of ${issue.options.join(', ')}, got ${describe(node)}`, node, ids);
  } else if (issue.kind === 'format' && value !== undefined) {
    r.error(`${at} ${JSON.stringify(truncate(value, 60))} is not ${issue.message}`, node, ids);
  } else {
    r.error(`${at}: ${issue.message}`, node, ids);
  }
}

/**
 * Compiles the limits of every policy, in the given (evaluation) order. A limit id declared
 * twice, in one policy or in two, is an error at the later declaration (in `declared` order,
 * the order the files were read in).
 */
export function compilePolicyLimits(
  ordered: ReadonlyArray<{ limits: readonly ParsedLimit[] }>,
  declared: ReadonlyArray<{ limits: readonly ParsedLimit[] }>,
  diags: Diagnostics,
): CompiledLimit[] {
  const first = new Map<string, ParsedLimit>();
  const duplicates = new Set<ParsedLimit>();
  for (const limit of declared.flatMap((p) => p.limits)) {
    const earlier = first.get(limit.spec.id);
    if (earlier === undefined) {
      first.set(limit.spec.id, limit);
      continue;
    }
    duplicates.add(limit);
    const at = earlier.position;
    diags.add(
      'policy_parse_error',
      `duplicate limit id "${limit.spec.id}" (first declared in policy "${earlier.policyId}" at ${at.file}:${at.line}:${at.column}); limit ids are global, each names usage.${limit.spec.id}`,
      limit.position,
      { policy_id: limit.policyId, limit_id: limit.spec.id },
    );
  }
  const out: CompiledLimit[] = [];
  for (const limit of ordered.flatMap((p) => p.limits)) {
    if (duplicates.has(limit)) continue;
    const compiled = compileLimit(limit.spec);
    if (compiled.ok) {
      out.push(compiled.value);
      continue;
    }
    for (const { field, message, offset } of compiled.error) {
      const where = offset === null ? '' : ` (at character ${offset + 1} of the expression)`;
      diags.add(
        'policy_compile_error',
        `limit "${limit.spec.id}": ${field} ${message}${where}`,
        limit.expressionPosition(field, offset ?? 0),
        { policy_id: limit.policyId, limit_id: limit.spec.id },
      );
    }
  }
  return out;
}
