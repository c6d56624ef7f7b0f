/**
 * Strict, position-aware field readers over YAML nodes: unknown keys, missing keys and wrong
 * types are reported at the offending node with the dotted path of the field.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from 'yaml';
import { suggest, type DiagnosticIds, type NodeReader } from './yaml-source.js';

export type Ids = DiagnosticIds;

export interface Field {
  path: string;
  keyNode: YamlNode;
  value: YamlNode | null;
}

export function describe(node: YamlNode | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v: unknown = node.value;
    if (v === null) return 'null';
    if (typeof v === 'string') return `the string ${JSON.stringify(truncate(v, 40))}`;
    if (typeof v === 'number') return `the number ${String(v)}`;
    if (typeof v === 'boolean') return `the boolean ${String(v)}`;
  }
  return 'an unsupported value';
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}

export function asMap(
  r: NodeReader,
  node: YamlNode | null,
  path: string,
  ids: Ids,
  at?: YamlNode,
): YAMLMap | null {
  if (node !== null && isMap(node)) return node;
  r.error(`${path} must be a map, got ${describe(node)}`, node ?? at, ids);
  return null;
}

/**
 * The fields of a map, checked against the allowed keys. Unknown keys are reported and skipped
 * (the rest is still read, so one run reports as much as possible; any diagnostic fails the
 * load). Returns null when a required key is missing.
 */
export function readFields(
  r: NodeReader,
  map: YAMLMap,
  path: string,
  spec: { required: readonly string[]; optional: readonly string[] },
  ids: Ids,
): Map<string, Field> | null {
  const allowed = [...spec.required, ...spec.optional];
  const out = new Map<string, Field>();
  let ok = true;
  for (const { key, keyNode, value } of r.entries(map)) {
    const fieldPath = path === '' ? key : `${path}.${key}`;
    if (!allowed.includes(key)) {
      const hint = suggest(key, allowed);
      const where = path === '' ? 'at the top level' : `in ${path}`;
      r.error(
        `unknown key "${key}" ${where}${hint === null ? '' : ` (did you mean "${hint}"?)`}; allowed: ${allowed.join(', ')}`,
        keyNode,
        ids,
      );
      continue;
    }
    out.set(key, { path: fieldPath, keyNode, value });
  }
  for (const key of spec.required) {
    if (!out.has(key)) {
      r.error(`${path === '' ? '' : `${path}: `}missing required key "${key}"`, map, ids);
      ok = false;
    }
  }
  return ok ? out : null;
}

export interface StringRule {
  pattern?: RegExp;
  /** What the pattern means, for the message. */
  patternHint?: string;
  maxLength?: number;
  oneOf?: readonly string[];
}

export function readString(r: NodeReader, f: Field, ids: Ids, rule: StringRule = {}): string | undefined {
  const node = f.value;
  if (node === null || !isScalar(node) || typeof node.value !== 'string') {
    const hint = node !== null && isScalar(node) && typeof node.value === 'number' ? ' (quote it)' : '';
    r.error(`${f.path} must be a string, got ${describe(node)}${hint}`, node ?? f.keyNode, ids);
    return undefined;
  }
  const s = node.value;
  if (s.trim() === '') {
    r.error(`${f.path} must not be empty`, node, ids);
    return undefined;
  }
  if (rule.maxLength !== undefined && s.length > rule.maxLength) {
    r.error(`${f.path} is longer than ${rule.maxLength} characters`, node, ids);
    return undefined;
  }
  if (rule.oneOf !== undefined && !rule.oneOf.includes(s)) {
    r.error(
      `${f.path} must be one of ${rule.oneOf.join(', ')}, got ${JSON.stringify(truncate(s, 40))}`,
      node,
      ids,
    );
    return undefined;
  }
  if (rule.pattern !== undefined && !rule.pattern.test(s)) {
    r.error(
      `${f.path} ${JSON.stringify(truncate(s, 60))} is not ${rule.patternHint ?? `of the form ${String(rule.pattern)}`}`,
      node,
      ids,
    );
    return undefined;
  }
  return s;
}

/** A list of strings; each element checked like readString. */
export function readStringList(
  r: NodeReader,
  f: Field,
  ids: Ids,
  rule: StringRule & { nonEmpty?: boolean } = {},
): string[] | undefined {
  const node = f.value;
  if (node === null || !isSeq(node)) {
    r.error(`${f.path} must be a list of strings, got ${describe(node)}`, node ?? f.keyNode, ids);
    return undefined;
  }
  if (rule.nonEmpty === true && node.items.length === 0) {
    r.error(`${f.path} must not be empty`, node, ids);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  node.items.forEach((item, i) => {
    const value = r.resolve(item);
    const s = readString(r, { path: `${f.path}[${i}]`, keyNode: f.keyNode, value }, ids, rule);
    if (s === undefined) ok = false;
    else out.push(s);
  });
  return ok ? out : undefined;
}

export function readInt(r: NodeReader, f: Field, ids: Ids, min: number, max: number): number | undefined {
  const node = f.value;
  const v: unknown = node !== null && isScalar(node) ? node.value : undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    r.error(
      `${f.path} must be a whole number from ${min} to ${max}, got ${describe(node)}`,
      node ?? f.keyNode,
      ids,
    );
    return undefined;
  }
  return v;
}

/** The items of a list node, aliases resolved. */
export function readList(r: NodeReader, f: Field, ids: Ids): Array<YamlNode | null> | undefined {
  const node = f.value;
  if (node === null || !isSeq(node)) {
    r.error(`${f.path} must be a list, got ${describe(node)}`, node ?? f.keyNode, ids);
    return undefined;
  }
  return node.items.map((item) => r.resolve(item));
}
