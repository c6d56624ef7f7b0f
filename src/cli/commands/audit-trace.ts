/**
 * `portcullis audit trace`: one decision and everything the ledger links to it (outcome reports,
 * approval changes) as a report a person reads top to bottom, layer by layer.
 */
import type { AuditEventV1 } from '../../core/audit/event.js';
import type { StoredAuditEvent } from '../../ports/audit-store.js';

export const LAYERS = ['inputs', 'policy', 'decision', 'action', 'outcome', 'impact'] as const;

const WIDTH = 13;

type Json = unknown;

/** Scalars as themselves, anything else as JSON. */
const str = (v: Json): string => (typeof v === 'string' ? v : v === undefined ? '?' : JSON.stringify(v));

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compact(v: Json): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '(none)';
  if (Array.isArray(v) && v.length === 0) return '(none)';
  if (isObject(v) && Object.keys(v).length === 0) return '(none)';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(', ');
  return JSON.stringify(v);
}

/** Lines for members whose values read better as a list than as JSON. */
function listLines(key: string, value: Json): string[] | null {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isObject)) return null;
  const items = value;
  switch (key) {
    case 'matched':
      return items.map((m) => `${str(m.policy_id)}/${str(m.rule_id)} -> ${str(m.effect)}: ${str(m.reason)}`);
    case 'evaluated':
      return items.map(
        (m) => `${str(m.policy_id)}/${str(m.rule_id)} (${str(m.effect)}) = ${JSON.stringify(m.result)}`,
      );
    case 'steps':
      return items.map(
        (s) =>
          `${str(s.step)} by ${str(s.port)}: ${str(s.status)}${s.detail === undefined ? '' : ` (${str(s.detail)})`}, ${str(s.duration_us)} us`,
      );
    default:
      return null;
  }
}

function findingLines(value: Json): string[] | null {
  if (!isObject(value)) return null;
  const out: string[] = [];
  for (const [kind, list] of Object.entries(value)) {
    if (Array.isArray(list)) {
      for (const f of list.filter(isObject)) {
        const where = f.part ?? f.path;
        const span = f.start === undefined ? '' : ` [${str(f.start)}, ${str(f.end)})`;
        out.push(
          `${kind}: ${str(f.type ?? f.name ?? f.list ?? '?')}${where === undefined ? '' : ` in ${str(where)}`}${span}`,
        );
      }
    } else if (isObject(list) && kind === 'injection') {
      if (list.detected === true) out.push(`injection: detected (score ${str(list.score)})`);
    } else if (list !== undefined) out.push(`${kind}: ${compact(list)}`);
  }
  return out.length > 0 ? out : ['(none)'];
}

function memberLines(key: string, value: Json): string[] {
  const many = key === 'findings' ? findingLines(value) : listLines(key, value);
  const rows = many ?? [compact(value)];
  return rows.map((r, i) => `   ${(i === 0 ? key : '').padEnd(WIDTH - 1)} ${r}`);
}

function layerLines(event: AuditEventV1, layer: (typeof LAYERS)[number], n: number): string[] {
  const body = event[layer] as Record<string, Json>;
  const head = `${n}. ${layer}`;
  const keys = Object.keys(body);
  if (keys.length === 0) return [head, '   (empty)'];
  const out = [head];
  for (const k of keys) {
    const v = body[k];
    // Nested objects one level down (inputs.action, action.agent) read better flattened.
    if (
      isObject(v) &&
      !['findings', 'args', 'details', 'obligations'].includes(k) &&
      Object.keys(v).length > 0
    ) {
      for (const [sub, sv] of Object.entries(v)) out.push(...memberLines(`${k}.${sub}`, sv));
    } else out.push(...memberLines(k, v));
  }
  return out;
}

function header(e: StoredAuditEvent): string {
  const ev = e.event;
  return `${ev.type} event ${ev.id} at index ${e.index}, ${ev.time}, instance ${ev.instance}, sequence ${ev.sequence}`;
}

/** The decision with all six layers, then each linked event with its layers that hold anything. */
export function formatTrace(decisionId: string, events: readonly StoredAuditEvent[]): string {
  const decision = events.find((e) => e.event.type === 'decision');
  const out: string[] = [`Decision ${decisionId}`, ''];
  if (decision === undefined) out.push('(the decision event itself is not in the ledger)', '');
  else {
    out.push(header(decision), '');
    LAYERS.forEach((l, i) => out.push(...layerLines(decision.event, l, i + 1)));
    out.push('');
  }
  const linked = events.filter((e) => e !== decision);
  out.push(
    linked.length === 0
      ? 'No outcome or approval events are linked to it.'
      : 'Linked events, in ledger order:',
  );
  for (const e of linked) {
    out.push('', header(e));
    LAYERS.forEach((l, i) => {
      if (Object.keys(e.event[l]).length > 0) out.push(...layerLines(e.event, l, i + 1));
    });
  }
  const reported = linked.filter((e) => e.event.type === 'outcome');
  if (decision !== undefined && reported.length === 0)
    out.push('', `No outcome was reported for this decision (status ${str(decision.event.outcome.status)}).`);
  return `${out.join('\n')}\n`;
}
