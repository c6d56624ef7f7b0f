/**
 * Policy test files: YAML documents with a `tests:` list. Each case gives a (partial) input and
 * the expected outcome; missing input parts get documented defaults (see defaultPolicyInput).
 */
import { isMap, type Node as YamlNode } from 'yaml';
import type { Effect } from '../decision.js';
import type { JsonObject } from '../json.js';
import { err, ok, type Result } from '../result.js';
import { KNOWN_FIELDS } from './lint.js';
import { sortDiagnostics } from './load.js';
import { API_VERSION } from './parse.js';
import {
  asMap,
  describe,
  readFields,
  readInt,
  readList,
  readString,
  readStringList,
  type Field,
  type Ids,
} from './schema.js';
import type {
  PolicyDiagnostic,
  PolicyEvaluation,
  PolicyFile,
  PolicyInput,
  PolicyTestCase,
  PolicyTestExpectation,
} from './types.js';
import { Diagnostics, NodeReader, parseYamlFile } from './yaml-source.js';

/** 2026-01-01T00:00:00Z: the clock of a test case that does not set `now`. */
export const DEFAULT_TEST_NOW = Date.UTC(2026, 0, 1);

/** A complete PolicyInput with empty values; the base that test inputs are completed from. */
export function defaultPolicyInput(now = DEFAULT_TEST_NOW): PolicyInput {
  return {
    agent: { id: 'test-agent', roles: [], permissions: [], attributes: {}, on_behalf_of: null },
    action: { kind: 'tool_call', tool: '', server: '', args: {}, prompt: '' },
    context: {},
    findings: {},
    risk: {},
    usage: {},
    posture: 'normal',
    now,
  };
}

const EFFECTS: readonly Effect[] = ['allow', 'deny', 'escalate'];
const CODES: ReadonlyArray<PolicyEvaluation['code']> = [
  'rule_matched',
  'no_rule_matched',
  'policy_eval_error',
];
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function parsePolicyTests(files: readonly PolicyFile[]): Result<PolicyTestCase[], PolicyDiagnostic[]> {
  const diags = new Diagnostics();
  const cases: PolicyTestCase[] = [];
  for (const file of files) {
    const parsed = parseYamlFile(file, diags);
    if (parsed === null) continue;
    const names = new Set<string>();
    for (const { doc, contents } of parsed.documents) {
      const r = new NodeReader(parsed.source, doc, diags);
      const top = asMap(r, r.resolve(contents), 'a test document', {});
      const fields =
        top && readFields(r, top, '', { required: ['tests'], optional: ['apiVersion', 'kind'] }, {});
      if (!fields) continue;
      if (fields.has('apiVersion')) readString(r, fields.get('apiVersion')!, {}, { oneOf: [API_VERSION] });
      if (fields.has('kind')) readString(r, fields.get('kind')!, {}, { oneOf: ['PolicyTest'] });
      const items = readList(r, fields.get('tests')!, {});
      items?.forEach((item, i) => {
        const c = parseCase(r, item, `tests[${i}]`, fields.get('tests')!.value!);
        if (c === null) return;
        if (names.has(c.name)) {
          r.error(`duplicate test name "${c.name}" in this file`, item);
          return;
        }
        names.add(c.name);
        cases.push(c);
      });
    }
  }
  return diags.list.length > 0 ? err(sortDiagnostics(diags.list, files)) : ok(cases);
}

function parseCase(r: NodeReader, node: YamlNode | null, path: string, at: YamlNode): PolicyTestCase | null {
  const map = asMap(r, node, path, {}, at);
  if (map === null) return null;
  const fields = readFields(
    r,
    map,
    path,
    { required: ['name', 'expect'], optional: ['description', 'input'] },
    {},
  );
  if (fields === null) return null;
  const name = readString(r, fields.get('name')!, {}, { maxLength: 512 });
  if (fields.has('description')) readString(r, fields.get('description')!, {});
  const input = fields.has('input') ? parseInput(r, fields.get('input')!) : defaultPolicyInput();
  const expect = parseExpect(r, fields.get('expect')!);
  if (name === undefined || input === null || expect === null) return null;
  return { name, position: r.source.nodePosition(map), input, expect };
}

function parseInput(r: NodeReader, f: Field): PolicyInput | null {
  const ids: Ids = {};
  const map = asMap(r, f.value, f.path, ids, f.keyNode);
  if (map === null) return null;
  const keys = ['agent', 'action', 'context', 'findings', 'risk', 'usage', 'posture', 'now'];
  const fields = readFields(r, map, f.path, { required: [], optional: keys }, ids);
  if (fields === null) return null;
  let ok = true;
  let now = DEFAULT_TEST_NOW;
  const nowField = fields.get('now');
  if (nowField !== undefined) {
    const s = readString(r, nowField, ids, {
      pattern: TIMESTAMP,
      patternHint: 'an RFC 3339 timestamp like 2026-06-01T00:00:00Z',
    });
    if (s === undefined || Number.isNaN(Date.parse(s))) ok = false;
    else now = Date.parse(s);
  }
  const input = defaultPolicyInput(now);
  const agent = fields.get('agent');
  if (agent !== undefined) {
    const a = readObject(r, agent, KNOWN_FIELDS.agent!);
    if (a === null) ok = false;
    else {
      ok =
        assign(r, agent, a, input.agent, {
          id: 'string',
          roles: 'strings',
          permissions: 'strings',
          attributes: 'object',
          on_behalf_of: 'string?',
        }) && ok;
    }
  }
  const action = fields.get('action');
  if (action !== undefined) {
    const a = readObject(r, action, KNOWN_FIELDS.action!);
    if (a === null) ok = false;
    else
      ok =
        assign(r, action, a, input.action, {
          kind: 'string',
          tool: 'string',
          server: 'string',
          args: 'object',
          prompt: 'string',
        }) && ok;
  }
  const context = fields.get('context');
  if (context !== undefined) {
    const c = readObject(r, context, KNOWN_FIELDS.context!);
    if (c === null) ok = false;
    else input.context = c;
  }
  for (const key of ['findings', 'risk', 'usage'] as const) {
    const field = fields.get(key);
    if (field === undefined) continue;
    const v = readObject(r, field, null);
    if (v === null) ok = false;
    else input[key] = v;
  }
  const posture = fields.get('posture');
  if (posture !== undefined) {
    const s = readString(r, posture, ids);
    if (s === undefined) ok = false;
    else input.posture = s;
  }
  return ok ? input : null;
}

/** A JSON object; with `keys`, only those keys are allowed (typos in test inputs are errors). */
function readObject(r: NodeReader, f: Field, keys: readonly string[] | null): JsonObject | null {
  if (f.value === null || !isMap(f.value)) {
    r.error(`${f.path} must be a map, got ${describe(f.value)}`, f.value ?? f.keyNode);
    return null;
  }
  if (keys !== null) {
    const fields = readFields(r, f.value, f.path, { required: [], optional: keys }, {});
    // Unknown keys were reported (and skipped) by readFields: do not read the rest.
    if (fields === null || fields.size !== f.value.items.length) return null;
  }
  const v = r.toJson(f.value);
  return v === undefined ? null : (v as JsonObject);
}

type Kind = 'string' | 'string?' | 'strings' | 'object';

/** Copies the typed fields of `from` onto `into`, reporting type errors at the field's path. */
function assign(
  r: NodeReader,
  f: Field,
  from: JsonObject,
  into: object,
  kinds: Record<string, Kind>,
): boolean {
  let ok = true;
  for (const [key, value] of Object.entries(from)) {
    const kind = kinds[key]!;
    const good =
      kind === 'string'
        ? typeof value === 'string'
        : kind === 'string?'
          ? typeof value === 'string' || value === null
          : kind === 'strings'
            ? Array.isArray(value) && value.every((x) => typeof x === 'string')
            : typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!good) {
      const want =
        kind === 'strings'
          ? 'a list of strings'
          : kind === 'object'
            ? 'a map'
            : kind === 'string?'
              ? 'a string or null'
              : 'a string';
      r.error(`${f.path}.${key} must be ${want}`, f.value);
      ok = false;
      continue;
    }
    (into as Record<string, unknown>)[key] = value;
  }
  return ok;
}

function parseExpect(r: NodeReader, f: Field): PolicyTestExpectation | null {
  const map = asMap(r, f.value, f.path, {}, f.keyNode);
  if (map === null) return null;
  const fields = readFields(
    r,
    map,
    f.path,
    { required: ['outcome'], optional: ['matched', 'code', 'redact', 'approvals'] },
    {},
  );
  if (fields === null) return null;
  const outcome = readString(r, fields.get('outcome')!, {}, { oneOf: EFFECTS }) as Effect | undefined;
  if (outcome === undefined) return null;
  const out: PolicyTestExpectation = { outcome };
  let ok = true;
  const matched = fields.get('matched');
  if (matched !== undefined) {
    const v = readStringList(
      r,
      matched,
      {},
      { pattern: /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)?$/, patternHint: 'a rule id or policy-id/rule-id' },
    );
    if (v === undefined) ok = false;
    else out.matched = v;
  }
  const code = fields.get('code');
  if (code !== undefined) {
    const v = readString(r, code, {}, { oneOf: CODES });
    if (v === undefined) ok = false;
    else out.code = v as PolicyEvaluation['code'];
  }
  const redact = fields.get('redact');
  if (redact !== undefined) {
    const v = readStringList(r, redact, {});
    if (v === undefined) ok = false;
    else out.redact = v;
  }
  const approvals = fields.get('approvals');
  if (approvals !== undefined) {
    const v = readInt(r, approvals, {}, 0, 10_000);
    if (v === undefined) ok = false;
    else out.approvals = v;
  }
  return ok ? out : null;
}
