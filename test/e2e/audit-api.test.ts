/**
 * End to end over real HTTP against `portcullis serve`: the auditor's read-only ledger API
 * (checkpoint, events, proofs, key) with good and hostile input, who may use it, that every use
 * is itself in the ledger; and agents reporting outcomes against their decisions.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/core/audit/checkpoint.js';
import { fromBase64Strict } from '../../src/core/audit/hash.js';
import { parseVerifierKey } from '../../src/core/audit/note.js';
import { verifyConsistency, verifyInclusion } from '../../src/core/audit/proof.js';
import { startGateway, type RunningGateway } from './cli-harness.js';
import {
  OTHER_AGENT_KEY,
  createProject,
  decide,
  opKey,
  ticket,
  type DecisionAnswer,
  type Project,
} from './audit-harness.js';

// Response bodies are read loosely; their fields are asserted one by one.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

let project: Project;
let gw: RunningGateway;
let allow: DecisionAnswer;
let deny: DecisionAnswer;
let escalate: DecisionAnswer;

const b64 = (s: string): Uint8Array => fromBase64Strict(s)!;
function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function get(path: string, who: string | null = 'audrey', bearer?: string): Promise<Response> {
  const auth = bearer ?? (who === null ? undefined : opKey(who));
  return fetch(
    `${gw.url}${path}`,
    auth === undefined ? {} : { headers: { authorization: `Bearer ${auth}` } },
  );
}

async function json(path: string): Promise<Any> {
  const res = await get(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

async function expectProblem(res: Response, status: number, code: string): Promise<Any> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Any;
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  expect(body.status).toBe(status);
  return body;
}

function report(
  decisionId: string,
  body: unknown,
  key = project.agentKey,
  type = 'application/json',
): Promise<Response> {
  return fetch(`${gw.url}/v1/decisions/${decisionId}/outcome`, {
    method: 'POST',
    headers: { 'content-type': type, authorization: `Bearer ${key}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  project = createProject({ checkpoint_every_events: 4 });
  gw = await startGateway(project.config);
  allow = await decide(gw.url, project.agentKey, ticket('tickets.get'));
  deny = await decide(gw.url, project.agentKey, ticket('tickets.purge'));
  escalate = await decide(gw.url, project.agentKey, ticket('tickets.delete'));
  for (let i = 0; i < 5; i++) await decide(gw.url, OTHER_AGENT_KEY, ticket('tickets.search', { q: `n${i}` }));
  expect([allow.outcome, deny.outcome, escalate.outcome]).toEqual(['allow', 'deny', 'escalate']);
});

afterAll(async () => {
  await gw?.stop();
});

describe('audit API: who may read the ledger', () => {
  it('needs an operator credential with the auditor role', async () => {
    for (const path of ['/v1/audit/checkpoint', '/v1/audit/events', '/v1/audit/events/0', '/v1/audit/key']) {
      const anonymous = await get(path, null);
      await expectProblem(anonymous, 401, 'unauthenticated');
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
      await expectProblem(await get(path, null, project.agentKey), 401, 'unauthenticated'); // an agent is not a person
      await expectProblem(await get(path, 'adam'), 403, 'forbidden'); // admins are what auditors review
      await expectProblem(await get(path, 'erin'), 403, 'forbidden');
    }
  });
});

describe('audit API: checkpoint and key', () => {
  it('serves the newest signed checkpoint as a C2SP note that verifies under the served key', async () => {
    const key = await (await get('/v1/audit/key')).text();
    expect(key).toMatch(/^portcullis\.local\/ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*\n$/);
    const res = await get('/v1/audit/checkpoint');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const note = await res.text();
    const verifier = unwrap(parseVerifierKey(key.trim()));
    const opened = unwrap(openCheckpoint(note, [verifier], 'portcullis.local/ledger'));
    expect(opened.size).toBeGreaterThanOrEqual(4);
    // Reading is recorded, and the ledger signs every 4 events here: the JSON may name a newer one.
    const asJson = await json('/v1/audit/checkpoint?format=json');
    const again = unwrap(openCheckpoint(asJson.note, [verifier]));
    expect({ size: asJson.size, root: asJson.root }).toEqual({
      size: again.size,
      root: Buffer.from(again.root).toString('base64'),
    });
    expect(asJson.verifier_key).toBe(key.trim());
    expect(asJson.size).toBeGreaterThanOrEqual(opened.size);
    const keyJson = await json('/v1/audit/key?format=json');
    expect(keyJson).toEqual({ verifier_key: key.trim(), origin: 'portcullis.local/ledger', rotations: [] });
  });

  it('refuses unknown formats and parameters', async () => {
    await expectProblem(await get('/v1/audit/checkpoint?format=xml'), 400, 'invalid_request');
    await expectProblem(await get('/v1/audit/key?format=pem'), 400, 'invalid_request');
    await expectProblem(await get('/v1/audit/key?x=1'), 400, 'invalid_request');
  });
});

describe('audit API: events', () => {
  it('lists events in ledger order and filters them by type, agent, outcome, decision, range and time', async () => {
    const all = await json('/v1/audit/events?limit=1000');
    expect(all.next_cursor).toBeNull();
    expect(all.events.map((e: Any) => e.index)).toEqual(all.events.map((_: Any, i: number) => i));
    expect(all.tree_size).toBeGreaterThanOrEqual(all.events.length);

    const decisions = await json('/v1/audit/events?type=decision&limit=1000');
    expect(decisions.events.length).toBe(8);
    expect(decisions.events.every((e: Any) => e.event.type === 'decision')).toBe(true);

    const mine = await json('/v1/audit/events?agent=example-agent&type=decision');
    expect(mine.events.map((e: Any) => e.event.decision_id)).toEqual([allow.id, deny.id, escalate.id]);
    const denied = await json('/v1/audit/events?outcome=deny&type=decision');
    expect(denied.events.map((e: Any) => e.event.decision_id)).toEqual([deny.id]);
    const one = await json(`/v1/audit/events?decision_id=${escalate.id}&type=decision`);
    expect(one.events).toHaveLength(1);
    expect(one.events[0].event.decision.outcome).toBe('escalate');

    const range = await json('/v1/audit/events?from=2&to=5');
    expect(range.events.map((e: Any) => e.index)).toEqual([2, 3, 4]);
    const t0 = all.events[0].event.time as string;
    const future = new Date(Date.parse(t0) + 3_600_000).toISOString();
    expect((await json(`/v1/audit/events?since=${future}`)).events).toEqual([]);
    expect((await json(`/v1/audit/events?until=2020-01-01T00:00:00Z`)).events).toEqual([]);
    const around = await json(
      `/v1/audit/events?since=${encodeURIComponent(t0.replace('Z', '+00:00'))}&until=${future}&limit=3`,
    );
    expect(around.events[0].index).toBe(0);
  });

  it('pages with a cursor: every event exactly once, in order', async () => {
    const whole = await json('/v1/audit/events?to=12');
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page: Any = await json(
        `/v1/audit/events?to=12&limit=5${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      seen.push(...page.events.map((e: Any) => e.index));
      cursor = page.next_cursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(whole.events.map((e: Any) => e.index));
    expect(seen).toHaveLength(12);
  });

  it('refuses malformed filters with invalid_request, never a 500', async () => {
    const bad = [
      'from=x',
      'from=-1',
      'from=1.5',
      'from=01',
      'to=99999999999999999999',
      'from=5&to=2',
      'limit=0',
      'limit=1001',
      'limit=ten',
      'cursor=abc',
      'since=yesterday',
      'since=2026-02-30T00:00:00Z',
      'since=2026-01-01T24:00:00Z',
      'since=2026-01-01',
      'since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z',
      'type=nope',
      'outcome=ALLOW',
      `decision_id=${'d'.repeat(200)}`,
      'agent=two%20words',
      'colour=red',
      'from=1&from=2',
    ];
    for (const q of bad) {
      const res = await get(`/v1/audit/events?${q}`);
      const body = await expectProblem(res, 400, 'invalid_request');
      expect(body.detail, q).toBeTruthy();
    }
  });

  it('returns one event by id or by index, with its canonical text and leaf hash', async () => {
    const byIndex = await json('/v1/audit/events/1');
    const byId = await json(`/v1/audit/events/${byIndex.id}`);
    expect(byId).toEqual(byIndex);
    expect(byId.event.decision_id).toBe(allow.id);
    expect(JSON.parse(byId.canonical)).toEqual(byId.event);
    const leaf = createHash('sha256')
      .update(Buffer.from([0]))
      .update(byId.canonical, 'utf8')
      .digest('base64');
    expect(byId.leaf_hash).toBe(leaf);

    await expectProblem(await get('/v1/audit/events/evt_00000000000000000000000000000000'), 404, 'not_found');
    await expectProblem(await get('/v1/audit/events/999999'), 404, 'not_found');
    await expectProblem(await get('/v1/audit/events/evt_xyz'), 400, 'invalid_request');
    await expectProblem(await get('/v1/audit/events/-1'), 400, 'invalid_request');
    await expectProblem(await get('/v1/audit/events/1?x=1'), 400, 'invalid_request');
  });
});

describe('audit API: proofs', () => {
  it('gives inclusion proofs that verify against a signed checkpoint root', async () => {
    const cp = await json('/v1/audit/checkpoint?format=json');
    const ev = await json('/v1/audit/events/2');
    for (const q of [`index=2&size=${cp.size}`, `id=${ev.id}&size=${cp.size}`]) {
      const p = await json(`/v1/audit/proof/inclusion?${q}`);
      expect(p.leaf_index).toBe(2);
      expect(p.leaf_hash).toBe(ev.leaf_hash);
      expect(p.root_hash).toBe(cp.root);
      const v = verifyInclusion(2, cp.size, b64(ev.leaf_hash), p.hashes.map(b64), b64(cp.root));
      expect(v.ok).toBe(true);
    }
    const current = await json('/v1/audit/proof/inclusion?index=0');
    expect(current.tree_size).toBeGreaterThanOrEqual(cp.size);
  });

  it('gives consistency proofs between tree sizes', async () => {
    const p = await json('/v1/audit/proof/consistency?from=3&to=9');
    const r3 = (await json('/v1/audit/proof/inclusion?index=0&size=3')).root_hash;
    const r9 = (await json('/v1/audit/proof/inclusion?index=0&size=9')).root_hash;
    expect([p.root1, p.root2]).toEqual([r3, r9]);
    expect(verifyConsistency(3, 9, p.hashes.map(b64), b64(r3), b64(r9)).ok).toBe(true);
    expect(verifyConsistency(3, 9, p.hashes.map(b64), b64(r9), b64(r3)).ok).toBe(false);
    const toNow = await json('/v1/audit/proof/consistency?from=4');
    expect(toNow.size2).toBeGreaterThanOrEqual(9);
  });

  it('refuses bad proof requests with invalid_request or not_found, never a 500', async () => {
    const cases: Array<[string, number, string]> = [
      ['/v1/audit/proof/inclusion', 400, 'invalid_request'],
      ['/v1/audit/proof/inclusion?index=1&id=evt_00000000000000000000000000000000', 400, 'invalid_request'],
      ['/v1/audit/proof/inclusion?index=x', 400, 'invalid_request'],
      ['/v1/audit/proof/inclusion?index=5&size=5', 400, 'invalid_request'],
      ['/v1/audit/proof/inclusion?index=0&size=0', 400, 'invalid_request'],
      ['/v1/audit/proof/inclusion?index=0&size=99999999', 400, 'invalid_request'],
      ['/v1/audit/proof/inclusion?index=99999999', 400, 'invalid_request'],
      ['/v1/audit/proof/inclusion?id=evt_nope', 400, 'invalid_request'],
      ['/v1/audit/proof/inclusion?id=evt_00000000000000000000000000000000', 404, 'not_found'],
      ['/v1/audit/proof/consistency', 400, 'invalid_request'],
      ['/v1/audit/proof/consistency?from=0&to=4', 400, 'invalid_request'],
      ['/v1/audit/proof/consistency?from=5&to=4', 400, 'invalid_request'],
      ['/v1/audit/proof/consistency?from=1&to=99999999', 400, 'invalid_request'],
      ['/v1/audit/proof/consistency?from=one', 400, 'invalid_request'],
      ['/v1/audit/proof/consistency?from=1&size=2', 400, 'invalid_request'],
    ];
    for (const [path, status, code] of cases) await expectProblem(await get(path), status, code);
  });
});

describe('outcome reporting: POST /v1/decisions/{id}/outcome', () => {
  it('appends a linked outcome event, with the error text passed through the output guardrails', async () => {
    const res = await report(allow.id, {
      status: 'error',
      error: 'upstream refused: contact jane.doe@example.com',
      latency_ms: 41.5,
      impact: { records: 3, cost_usd: 0.02 },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Any;
    expect(body).toMatchObject({
      decision_id: allow.id,
      status: 'error',
      event_id: expect.stringMatching(/^evt_/),
    });
    const ev = await json(`/v1/audit/events/${body.event_id}`);
    expect(ev.index).toBe(body.index);
    expect(ev.event).toMatchObject({
      type: 'outcome',
      decision_id: allow.id,
      outcome: { status: 'error', latency_ms: 41.5 },
      impact: { reported: { records: 3, cost_usd: 0.02 } },
      action: { adapter: 'http', agent: { id: 'example-agent' } },
    });
    expect(ev.canonical).not.toContain('jane.doe@example.com');
    expect(ev.event.outcome.error).toContain('upstream refused');
    expect(JSON.stringify(ev.event.inputs.findings)).toContain('EMAIL');
    const linked = await json(`/v1/audit/events?decision_id=${allow.id}`);
    expect(linked.events.map((e: Any) => e.event.type)).toEqual(['decision', 'outcome']);
  });

  it('takes one outcome per decision: a repeat is outcome_already_reported naming the recorded event', async () => {
    const again = await report(allow.id, { status: 'success' });
    const p = await expectProblem(again, 409, 'outcome_already_reported');
    const linked = await json(`/v1/audit/events?decision_id=${allow.id}&type=outcome`);
    expect(linked.events).toHaveLength(1);
    expect(p.event_id).toBe(linked.events[0].event.id);
  });

  it('lets exactly one of several concurrent reports land', async () => {
    const fresh = await decide(gw.url, project.agentKey, ticket('tickets.get', { id: 7 }));
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => report(fresh.id, { status: 'success', latency_ms: i })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect((await json(`/v1/audit/events?decision_id=${fresh.id}&type=outcome`)).events).toHaveLength(1);
  });

  it('records a report against a denied decision (an agent saying it ran a denied action is evidence)', async () => {
    const res = await report(deny.id, { status: 'not_executed' });
    expect(res.status).toBe(201);
  });

  it("refuses other agents' decisions and unknown ones as not_found, and a missing credential", async () => {
    await expectProblem(await report(escalate.id, { status: 'success' }, OTHER_AGENT_KEY), 404, 'not_found');
    await expectProblem(
      await report('dec_00000000000000000000000000000000', { status: 'success' }),
      404,
      'not_found',
    );
    await expectProblem(await report('dec_nope', { status: 'success' }), 400, 'invalid_request');
    await expectProblem(
      await report(escalate.id, { status: 'success' }, 'pcs_wrong'),
      401,
      'unauthenticated',
    );
    await expectProblem(
      await report(escalate.id, { status: 'success' }, opKey('audrey')),
      401,
      'unauthenticated',
    );
    expect((await json(`/v1/audit/events?decision_id=${escalate.id}&type=outcome`)).events).toEqual([]);
  });

  it('validates the body strictly', async () => {
    const bodies: unknown[] = [
      {},
      { status: 'done' },
      { status: 'success', extra: true },
      { status: 'success', error: 'an error with success' },
      { status: 'error', error: '' },
      { status: 'error', latency_ms: -1 },
      { status: 'error', latency_ms: '5' },
      { status: 'error', impact: { currency: 'EURO' } },
      { status: 'error', impact: { records: 1.5 } },
      { status: 'error', impact: { bananas: 1 } },
      [],
      'null',
    ];
    for (const b of bodies) await expectProblem(await report(escalate.id, b), 400, 'invalid_request');
    await expectProblem(await report(escalate.id, '{"status":'), 400, 'invalid_json');
    await expectProblem(
      await report(escalate.id, 'status=success', undefined, 'text/plain'),
      415,
      'unsupported_media_type',
    );
    expect((await json(`/v1/audit/events?decision_id=${escalate.id}&type=outcome`)).events).toEqual([]);
  });
});

describe('audit API: every use is in the ledger', () => {
  it('records each use, refused ones included, as a small admin_action naming the route template', async () => {
    const uses = await json('/v1/audit/events?type=admin_action&limit=1000');
    const calls = uses.events
      .map((e: Any) => e.event.inputs.details)
      .filter((d: Any) => d.kind === 'api_call');
    const seen = new Set(calls.map((d: Any) => `${d.path} ${d.result} ${d.operator}`));
    for (const expected of [
      '/v1/audit/checkpoint ok audrey',
      '/v1/audit/events ok audrey',
      '/v1/audit/events/{id} ok audrey',
      '/v1/audit/events/{id} not_found audrey',
      '/v1/audit/events invalid_request audrey',
      '/v1/audit/proof/inclusion ok audrey',
      '/v1/audit/proof/consistency invalid_request audrey',
      '/v1/audit/key ok audrey',
      '/v1/audit/key forbidden adam',
      '/v1/audit/events/{id} unauthenticated null',
    ])
      expect(seen, expected).toContain(expected);
    // Small: what was asked for, never the data that was read.
    for (const e of uses.events) expect(JSON.stringify(e.event).length).toBeLessThan(1500);
    const actors = new Set(
      uses.events
        .filter((e: Any) => e.event.inputs.details.result === 'ok')
        .map((e: Any) => e.event.action.actor),
    );
    expect(actors).toEqual(new Set(['audrey']));
  });
});

describe('outcome reporting with audit.durability: async', () => {
  let asyncGw: RunningGateway | undefined;
  let asyncProject: Project;
  afterAll(async () => {
    await asyncGw?.stop();
  });

  it('answers with the recorded event and still takes one outcome per decision', async () => {
    asyncProject = createProject({ durability: 'async' }, 'pc-e2e-audit-async-');
    asyncGw = await startGateway(asyncProject.config);
    const fresh = await decide(asyncGw.url, asyncProject.agentKey, ticket('tickets.get', { id: 9 }));
    const send = (latency: number) =>
      fetch(`${asyncGw!.url}/v1/decisions/${fresh.id}/outcome`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${asyncProject.agentKey}` },
        body: JSON.stringify({ status: 'success', latency_ms: latency }),
      });
    const first = await send(1);
    expect(first.status).toBe(201);
    expect(((await first.json()) as Any).event_id).toMatch(/^evt_/);
    // Reports racing the first one's commit are refused, not recorded a second time.
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => send(2 + i)));
    expect(answers.map((r) => r.status)).toEqual([409, 409, 409, 409]);
  });
});
