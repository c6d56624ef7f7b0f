/**
 * Policy YAML → validated policy sources with positions. Strict: unknown keys, wrong types,
 * bad ids and duplicate ids are errors that point at the offending node.
 */
import { isScalar, type Node as YamlNode } from 'yaml';
import type { ApproverRequirement, Effect } from '../decision.js';
import { GLOB_HINT, GLOB_PATTERN } from './glob.js';
import {
  asMap,
  readFields,
  readInt,
  readList,
  readString,
  readStringList,
  type Field,
  type Ids,
} from './schema.js';
import { parseLimits, type ParsedLimit } from './limits.js';
import type { PolicyFile, PolicyMetadata, RuleSource, SourcePosition } from './types.js';
import { conditionOffsetPosition, NodeReader, parseYamlFile, type Diagnostics } from './yaml-source.js';

export { conditionOffsetPosition };

export const API_VERSION = 'portcullis.dev/v1';
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ID_HINT = 'an id (letters, digits, . _ -, starting with a letter or digit, at most 128)';
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Shorthand like 30m, 4h, 1h30m, 2d, or an ISO 8601 duration like PT4H / P1D. */
const DURATION_PATTERN = /^(?:(?:\d+[dhms])+|P(?!$)(?:\d+[YMWD])*(?:T(?=\d)(?:\d+[HMS])+)?)$/;
/** Dotted path; `*` matches every key at that level. */
const REDACT_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.(?:[A-Za-z0-9_-]+|\*))+$/;
const EFFECTS: readonly Effect[] = ['allow', 'deny', 'escalate'];

export interface ParsedRule extends RuleSource {
  policyId: string;
  position: SourcePosition;
  /** Maps a 0-based offset inside `when` to its position in the file. */
  conditionPosition: (offset: number) => SourcePosition;
}

export interface ParsedPolicy {
  metadata: PolicyMetadata;
  rules: ParsedRule[];
  /** The `limits:` entries that parsed (any that did not are diagnostics). */
  limits: ParsedLimit[];
  position: SourcePosition;
  /** Where `review_by` is written (lint points there), else the policy's position. */
  reviewPosition: SourcePosition;
}

/** Parses every policy document of every file, collecting all diagnostics. */
export function parsePolicies(files: readonly PolicyFile[], diags: Diagnostics): ParsedPolicy[] {
  const out: ParsedPolicy[] = [];
  for (const file of files) {
    const parsed = parseYamlFile(file, diags);
    if (parsed === null) continue;
    if (parsed.documents.length === 0) {
      diags.add('policy_parse_error', 'file contains no policy document', parsed.source.position(0));
      continue;
    }
    for (const { doc, contents } of parsed.documents) {
      const reader = new NodeReader(parsed.source, doc, diags);
      const policy = parsePolicyDocument(reader, contents);
      if (policy !== null) out.push(policy);
    }
  }
  return out;
}

function parsePolicyDocument(r: NodeReader, node: YamlNode): ParsedPolicy | null {
  const top = asMap(r, r.resolve(node), 'a policy document', {});
  if (top === null) return null;
  const fields = readFields(
    r,
    top,
    '',
    { required: ['apiVersion', 'kind', 'metadata', 'rules'], optional: ['limits'] },
    {},
  );
  if (fields === null) return null;
  const apiVersion = readString(r, fields.get('apiVersion')!, {}, { oneOf: [API_VERSION] });
  const kind = readString(r, fields.get('kind')!, {}, { oneOf: ['Policy'] });
  const parsedMeta = parseMetadata(r, fields.get('metadata')!);
  if (parsedMeta === null) return null;
  const { metadata, reviewNode } = parsedMeta;
  const ids: Ids = { policy_id: metadata.id };
  const ruleNodes = readList(r, fields.get('rules')!, ids);
  const limitsField = fields.get('limits');
  const limits = limitsField === undefined ? [] : parseLimits(r, limitsField, metadata.id);
  if (ruleNodes === undefined || apiVersion === undefined || kind === undefined) return null;
  if (ruleNodes.length === 0) {
    r.error('rules must list at least one rule', fields.get('rules')!.value, ids);
    return null;
  }
  // Rules that fail are left out but the others are kept, so that their conditions still get
  // compiled and every problem is reported in one run (any diagnostic fails the load).
  const rules: ParsedRule[] = [];
  const seen = new Map<string, SourcePosition>();
  ruleNodes.forEach((ruleNode, i) => {
    const rule = parseRule(r, ruleNode, `rules[${i}]`, metadata.id, fields.get('rules')!.value!);
    if (rule === null) return;
    const earlier = seen.get(rule.id);
    if (earlier !== undefined) {
      r.error(
        `duplicate rule id "${rule.id}" in policy "${metadata.id}" (first defined at line ${earlier.line})`,
        ruleNode,
        {
          ...ids,
          rule_id: rule.id,
        },
      );
      return;
    }
    seen.set(rule.id, rule.position);
    rules.push(rule);
  });
  const position = r.source.nodePosition(top);
  return {
    metadata,
    rules,
    limits,
    position,
    reviewPosition: reviewNode === null ? position : r.source.nodePosition(reviewNode),
  };
}

function parseMetadata(
  r: NodeReader,
  f: Field,
): { metadata: PolicyMetadata; reviewNode: YamlNode | null } | null {
  const map = asMap(r, f.value, 'metadata', {}, f.keyNode);
  if (map === null) return null;
  const fields = readFields(
    r,
    map,
    'metadata',
    { required: ['id', 'version'], optional: ['owner', 'description', 'review_by', 'controls'] },
    {},
  );
  if (fields === null) return null;
  const id = readString(r, fields.get('id')!, {}, { pattern: ID_PATTERN, patternHint: ID_HINT });
  const ids: Ids = { policy_id: id };
  const version = readString(r, fields.get('version')!, ids, { maxLength: 64 });
  let ok = id !== undefined && version !== undefined;
  const meta: PolicyMetadata = { id: id ?? '', version: version ?? '', controls: [] };
  const optional = (key: 'owner' | 'description'): void => {
    const field = fields.get(key);
    if (field === undefined) return;
    const v = readString(r, field, ids, { maxLength: 4096 });
    if (v === undefined) ok = false;
    else meta[key] = v;
  };
  optional('owner');
  optional('description');
  const review = fields.get('review_by');
  if (review !== undefined) {
    const v = readString(r, review, ids, { pattern: DATE_PATTERN, patternHint: 'a date YYYY-MM-DD' });
    if (v === undefined) ok = false;
    else if (!isValidDate(v)) {
      r.error(`metadata.review_by ${v} is not a valid calendar date`, review.value, ids);
      ok = false;
    } else meta.review_by = v;
  }
  const controls = fields.get('controls');
  if (controls !== undefined) {
    const v = readStringList(r, controls, ids, { maxLength: 256 });
    if (v === undefined) ok = false;
    else meta.controls = v;
  }
  return ok ? { metadata: meta, reviewNode: review?.value ?? null } : null;
}

export function isValidDate(s: string): boolean {
  const m = DATE_PATTERN.exec(s);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const RULE_KEYS = {
  required: ['id', 'effect', 'reason'],
  optional: ['description', 'target', 'when', 'obligations'],
} as const;

function parseRule(
  r: NodeReader,
  node: YamlNode | null,
  path: string,
  policyId: string,
  listNode: YamlNode,
): ParsedRule | null {
  const map = asMap(r, node, path, { policy_id: policyId }, listNode);
  if (map === null) return null;
  // Read the id first so that every later message can name the rule.
  const idEntry = r.entries(map).find((e) => e.key === 'id');
  const idValue =
    idEntry?.value !== null && idEntry?.value !== undefined && isScalar(idEntry.value)
      ? idEntry.value.value
      : undefined;
  const ids: Ids = { policy_id: policyId, rule_id: typeof idValue === 'string' ? idValue : undefined };
  const fields = readFields(r, map, path, RULE_KEYS, ids);
  if (fields === null) return null;
  const id = readString(r, fields.get('id')!, ids, { pattern: ID_PATTERN, patternHint: ID_HINT });
  const effect = readString(r, fields.get('effect')!, ids, { oneOf: EFFECTS }) as Effect | undefined;
  const reason = readString(r, fields.get('reason')!, ids, { maxLength: 4096 });
  let ok = id !== undefined && effect !== undefined && reason !== undefined;

  const rule: ParsedRule = {
    id: id ?? '',
    effect: effect ?? 'deny',
    reason: reason ?? '',
    policyId,
    target: null,
    obligations: { redact: [], approvals: [] },
    position: r.source.nodePosition(map),
    conditionPosition: () => r.source.nodePosition(map),
  };
  const description = fields.get('description');
  if (description !== undefined) {
    const v = readString(r, description, ids, { maxLength: 4096 });
    if (v === undefined) ok = false;
    else rule.description = v;
  }
  const target = fields.get('target');
  if (target !== undefined) {
    const t = parseTarget(r, target, ids);
    if (t === null) ok = false;
    else rule.target = t;
  }
  const when = fields.get('when');
  if (when !== undefined) {
    // Length is checked when compiling (with the compile error code); here only the type.
    const v = readString(r, when, ids, {});
    if (v === undefined) ok = false;
    else {
      rule.when = v;
      const valueNode = when.value!;
      rule.conditionPosition = (offset) => conditionOffsetPosition(r.source, valueNode, v, offset);
    }
  }
  const obligations = fields.get('obligations');
  if (obligations !== undefined) {
    const o = parseObligations(r, obligations, ids);
    if (o === null) ok = false;
    else rule.obligations = o;
    if (o !== null && o.approvals.length > 0 && effect !== undefined && effect !== 'escalate') {
      r.error(
        `${obligations.path}.approvals only apply to escalate rules, but this rule's effect is ${effect}`,
        obligations.keyNode,
        ids,
      );
      ok = false;
    }
  }
  return ok ? rule : null;
}

function parseTarget(r: NodeReader, f: Field, ids: Ids): RuleSource['target'] {
  const map = asMap(r, f.value, f.path, ids, f.keyNode);
  if (map === null) return null;
  const fields = readFields(r, map, f.path, { required: [], optional: ['kinds', 'tools'] }, ids);
  if (fields === null) return null;
  const glob = { pattern: GLOB_PATTERN, patternHint: GLOB_HINT, maxLength: 256 };
  const kinds = fields.has('kinds') ? readStringList(r, fields.get('kinds')!, ids, glob) : [];
  const tools = fields.has('tools') ? readStringList(r, fields.get('tools')!, ids, glob) : [];
  if (kinds === undefined || tools === undefined) return null;
  return { kinds, tools };
}

function parseObligations(r: NodeReader, f: Field, ids: Ids): RuleSource['obligations'] | null {
  const map = asMap(r, f.value, f.path, ids, f.keyNode);
  if (map === null) return null;
  const fields = readFields(r, map, f.path, { required: [], optional: ['redact', 'approvals'] }, ids);
  if (fields === null) return null;
  const redactField = fields.get('redact');
  const redact =
    redactField === undefined
      ? []
      : readStringList(r, redactField, ids, {
          pattern: REDACT_PATTERN,
          patternHint: 'a dotted path like action.args.account_number',
        });
  const approvals: ApproverRequirement[] = [];
  let ok = redact !== undefined;
  const approvalsField = fields.get('approvals');
  if (approvalsField !== undefined) {
    const items = readList(r, approvalsField, ids);
    if (items === undefined) ok = false;
    items?.forEach((item, i) => {
      const a = parseApproval(r, item, `${approvalsField.path}[${i}]`, ids, approvalsField.value!);
      if (a === null) ok = false;
      else approvals.push(a);
    });
  }
  return ok ? { redact: redact!, approvals } : null;
}

function parseApproval(
  r: NodeReader,
  node: YamlNode | null,
  path: string,
  ids: Ids,
  at: YamlNode,
): ApproverRequirement | null {
  const map = asMap(r, node, path, ids, at);
  if (map === null) return null;
  const fields = readFields(r, map, path, { required: ['roles', 'count'], optional: ['expires_in'] }, ids);
  if (fields === null) return null;
  const roles = readStringList(r, fields.get('roles')!, ids, { nonEmpty: true, maxLength: 128 });
  const count = readInt(r, fields.get('count')!, ids, 1, 100);
  if (roles === undefined || count === undefined) return null;
  const out: ApproverRequirement = { roles, count };
  const expires = fields.get('expires_in');
  if (expires !== undefined) {
    const v = readString(r, expires, ids, {
      pattern: DURATION_PATTERN,
      patternHint: 'a duration like 30m, 4h, 1h30m, 2d or PT4H',
    });
    if (v === undefined) return null;
    out.expires_in = v;
  }
  return out;
}
