/**
 * Audit API (Hono sub-app, mounted at the root): read-only access to the ledger for people with
 * the `auditor` role. Admins do not read the ledger unless they also hold `auditor`: the ledger
 * records what admins did, and the people who review it are not the people it reviews
 * (docs/identities.md). Everything here is read-only.
 *
 *   GET /v1/audit/checkpoint                  newest signed checkpoint (text/plain; ?format=json)
 *   GET /v1/audit/events                      filtered, paginated events
 *   GET /v1/audit/events/{id}                 one event by id (evt_...) or leaf index, with its
 *                                             canonical text and leaf hash
 *   GET /v1/audit/proof/inclusion?index|id&size
 *   GET /v1/audit/proof/consistency?from&to
 *   GET /v1/audit/key                         the verifier key (text/plain; ?format=json)
 *
 * Every use, refused ones included, is one small `admin_action` event (`kind: api_call`: method,
 * path template, operator, result, and what was asked for), never the data that was read.
 * Bad input is `invalid_request` (400), an unknown event or a missing checkpoint `not_found`.
 */
import { Hono, type Context } from 'hono';
import { AUDIT_EVENT_TYPES, hashLeafText, toBase64, type AuditEventType } from '../../../core/audit/index.js';
import { toGatewayError } from '../../../core/errors.js';
import type { JsonObject } from '../../../core/json.js';
import type { Gateway } from '../../../app/create-gateway.js';
import type { ControlEvent } from '../../../ports/approval-store.js';
import { requireRole, type Operator, type OperatorEnv, type OperatorRole } from '../../identity/operators.js';
import { problemFromError } from '../problem.js';
import {
  EVENT_ID,
  bad,
  notFound,
  optionalIndex,
  optionalName,
  optionalTime,
  parseIndex,
  readQuery,
} from './audit-params.js';
import { apiCall, refusalHandler } from './control-common.js';

/** Who may read the ledger. */
export const AUDIT_READERS: readonly OperatorRole[] = ['auditor'];
/** Page size of GET /v1/audit/events: default and cap. */
export const EVENTS_PAGE_DEFAULT = 100;
export const EVENTS_PAGE_MAX = 1000;

const AGENT = /^[^\p{C}\s]{1,256}$/u;
const OUTCOME = /^[a-z][a-z_]{0,63}$/;
const DECISION_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const EVENT_FILTERS = [
  'from',
  'to',
  'agent',
  'outcome',
  'type',
  'decision_id',
  'since',
  'until',
  'cursor',
  'limit',
];

interface Answer {
  response: Response;
  /** Facts for the ledger record of this use (small: never the data read). */
  extra?: JsonObject;
}

type Handler = (c: Context<OperatorEnv>) => Promise<Answer>;

export function createAuditRoutes(gateway: Gateway): Hono<OperatorEnv> {
  const app = new Hono<OperatorEnv>();
  const store = gateway.audit;
  const record = (e: ControlEvent, actor?: string): Promise<void> =>
    gateway.recordSystemEvent(e.type, e.details, actor);
  const refuse = refusalHandler((e) => record(e), 'admin_action');
  app.onError((e, c) => problemFromError(c, e));

  const note = (op: Operator, path: string, result: string, extra: JsonObject = {}): Promise<void> =>
    record({ type: 'admin_action', details: apiCall('GET', path, op.id, result, extra) }, op.id);

  /** A GET route for auditors; the use is recorded (with its result) before the answer leaves. */
  const get = (template: string, handler: Handler): void => {
    const path = template.replace('{id}', ':id');
    const guard = requireRole(gateway.access.operators, AUDIT_READERS, (c, r) =>
      refuse(c, { ...r, path: template }),
    );
    app.get(path, guard, async (c) => {
      const op = c.get('operator');
      let answer: Answer;
      try {
        answer = await handler(c);
      } catch (e) {
        await note(op, template, toGatewayError(e).code);
        throw e;
      }
      await note(op, template, 'ok', answer.extra);
      return answer.response;
    });
  };

  get('/v1/audit/checkpoint', async (c) => {
    const format = formatOf(readQuery(c, ['format']));
    const cp = await store.latestCheckpoint();
    if (cp === null) throw notFound('no checkpoint has been signed yet');
    const extra = { format, size: cp.size };
    if (format === 'text') return { response: text(c, cp.note), extra };
    return {
      response: c.json({
        origin: cp.note.slice(0, cp.note.indexOf('\n')),
        seq: cp.seq,
        size: cp.size,
        root: cp.root,
        time: cp.time,
        verifier_key: cp.verifierKey,
        note: cp.note,
      }),
      extra,
    };
  });

  get('/v1/audit/events', async (c) => {
    const q = readQuery(c, EVENT_FILTERS);
    const from = optionalIndex(q, 'from');
    const to = optionalIndex(q, 'to');
    if (from !== undefined && to !== undefined && to < from) throw bad('to must not be below from');
    const since = optionalTime(q, 'since');
    const until = optionalTime(q, 'until');
    if (since !== undefined && until !== undefined && until < since)
      throw bad('until must not be before since');
    const type = q.type;
    if (type !== undefined && !(AUDIT_EVENT_TYPES as readonly string[]).includes(type))
      throw bad(`type must be one of ${AUDIT_EVENT_TYPES.join(', ')}`);
    const limit = q.limit === undefined ? EVENTS_PAGE_DEFAULT : parseIndex(q.limit, 'limit');
    if (limit < 1 || limit > EVENTS_PAGE_MAX) throw bad(`limit must be 1 to ${EVENTS_PAGE_MAX}`);
    const cursor = optionalIndex(q, 'cursor');
    const agent = optionalName(q, 'agent', AGENT, '1 to 256 printable characters');
    const outcome = optionalName(q, 'outcome', OUTCOME, 'a lower-case word such as allow, deny or success');
    const decisionId = optionalName(q, 'decision_id', DECISION_ID, 'a decision id such as dec_0123…');
    const page = await store.listEvents({
      limit,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(cursor === undefined ? {} : { after: cursor }),
      ...(agent === undefined ? {} : { agent }),
      ...(outcome === undefined ? {} : { outcome }),
      ...(type === undefined ? {} : { type: type as AuditEventType }),
      ...(decisionId === undefined ? {} : { decisionId }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
    });
    return {
      response: c.json({
        events: page.events.map((e) => ({ index: e.index, event: e.event })),
        next_cursor: page.next === null ? null : String(page.next),
        tree_size: await store.size(),
      }),
      extra: { query: q, count: page.events.length },
    };
  });

  get('/v1/audit/events/{id}', async (c) => {
    readQuery(c, []);
    const id = c.req.param('id') ?? '';
    let found;
    if (EVENT_ID.test(id)) found = await store.getEvent(id);
    else if (/^[0-9]+$/.test(id)) found = await store.getEventAt(parseIndex(id, 'index'));
    else throw bad('give an event id (evt_ and 32 hex digits) or a leaf index');
    if (found === null) throw notFound('no such event');
    return {
      response: c.json({
        index: found.index,
        id: found.event.id,
        leaf_hash: toBase64(hashLeafText(found.canonical)),
        event: found.event,
        canonical: found.canonical,
      }),
      extra: { event_id: found.event.id, index: found.index },
    };
  });

  get('/v1/audit/proof/inclusion', async (c) => {
    const q = readQuery(c, ['index', 'id', 'size']);
    if ((q.index === undefined) === (q.id === undefined)) throw bad('give exactly one of index or id');
    const current = await store.size();
    const size = optionalIndex(q, 'size') ?? current;
    if (size > current) throw bad(`size ${size} is beyond the ledger's ${current} events`);
    let index: number;
    if (q.id !== undefined) {
      if (!EVENT_ID.test(q.id)) throw bad('id must be an event id (evt_ and 32 hex digits)');
      const found = await store.getEvent(q.id);
      if (found === null) throw notFound('no such event');
      index = found.index;
    } else index = parseIndex(q.index!, 'index');
    if (index >= size) throw bad(`index ${index} is not in a tree of ${size} events`);
    return { response: c.json(await store.inclusionProof(index, size)), extra: { index, size } };
  });

  get('/v1/audit/proof/consistency', async (c) => {
    const q = readQuery(c, ['from', 'to']);
    if (q.from === undefined) throw bad('from is required');
    const from = parseIndex(q.from, 'from');
    const current = await store.size();
    const to = optionalIndex(q, 'to') ?? current;
    if (to > current) throw bad(`to ${to} is beyond the ledger's ${current} events`);
    if (from < 1) throw bad('from must be at least 1: a proof from the empty tree proves nothing');
    if (from > to) throw bad('from must not be above to');
    return { response: c.json(await store.consistencyProof(from, to)), extra: { from, to } };
  });

  get('/v1/audit/key', async (c) => {
    const format = formatOf(readQuery(c, ['format']));
    const key = store.verifierKey();
    if (key === null) throw notFound('this ledger does not sign checkpoints (it is kept in memory)');
    if (format === 'text') return { response: text(c, `${key}\n`), extra: { format } };
    const rotations = await store.listEvents({ type: 'key_rotation', limit: EVENTS_PAGE_MAX });
    return {
      response: c.json({
        verifier_key: key,
        origin: key.slice(0, key.indexOf('+')),
        rotations: rotations.events.map((e) => ({
          index: e.index,
          time: e.event.time,
          ...(e.event.inputs.details as JsonObject),
        })),
      }),
      extra: { format },
    };
  });

  return app;
}

function formatOf(q: Record<string, string>): 'text' | 'json' {
  const f = q.format ?? 'text';
  if (f !== 'text' && f !== 'json') throw bad('format must be text or json');
  return f;
}

function text(c: Context, body: string): Response {
  return c.body(body, 200, { 'content-type': 'text/plain; charset=utf-8' });
}
