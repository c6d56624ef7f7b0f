/**
 * End to end: `portcullis init` scaffolds a project, `portcullis serve` runs it, and the tests
 * talk to it over real HTTP like an agent would, with good and hostile input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startGateway, tempDir, type RunningGateway } from './cli-harness.js';

// Decision bodies are read loosely here; their shape is asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

let dir: string;
let gw: RunningGateway;
let key: string;

const transfer = (tool: string, args: Record<string, unknown> = { id: 42 }) => ({
  action: { kind: 'tool_call', tool, args },
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  dir = join(tempDir(), 'project');
  const init = runCli(['init', dir]);
  expect(init.status).toBe(0);
  key = readFileSync(join(dir, 'secrets', 'example-agent.key'), 'utf8').trim();
  gw = await startGateway(join(dir, 'portcullis.yaml'));
});

afterAll(async () => {
  await gw?.stop();
});

describe('portcullis serve: decision API', () => {
  it('binds to loopback by default', () => {
    expect(gw.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers health, readiness and metrics', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { policy_version: string };
    expect(body.policy_version).toMatch(/^sha256:[0-9a-f]{64}$/);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('portcullis_policy_info{version="sha256:');
  });

  it('allows, denies and escalates by policy, with reasons and matched rules', async () => {
    const allow = await post('/v1/decide', transfer('tickets.get'));
    expect(allow.status).toBe(200);
    const a = (await allow.json()) as Record<string, Any>;
    expect(a.outcome).toBe('allow');
    expect(a.matched).toEqual([expect.objectContaining({ rule_id: 'read-tickets', effect: 'allow' })]);
    expect(a.id).toMatch(/^dec_[0-9a-f]{32}$/);
    expect(a.agent_id).toBe('example-agent');
    expect(a.timings.total_us).toBeGreaterThanOrEqual(0);

    const deny = (await (await post('/v1/decide', transfer('payments.transfer'))).json()) as Record<
      string,
      Any
    >;
    expect([deny.outcome, deny.code]).toEqual(['deny', 'no_rule_matched']);

    const esc = (await (await post('/v1/decide', transfer('tickets.delete'))).json()) as Record<string, Any>;
    expect(esc.outcome).toBe('escalate');
    expect(esc.obligations.approvals).toEqual([{ roles: ['approver'], count: 1, expires_in: '1h' }]);
    expect(esc.approval.status).toBe('pending');
  });

  it('explains candidate rules when asked', async () => {
    const r = (await (
      await post('/v1/decide', { ...transfer('tickets.get'), explain: true })
    ).json()) as Record<string, Any>;
    expect(r.explanation).toEqual([expect.objectContaining({ rule_id: 'read-tickets', result: true })]);
  });

  it('decides batches', async () => {
    const r = await post('/v1/decide/batch', {
      requests: [transfer('tickets.get'), transfer('tickets.delete')],
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { decisions: Array<{ outcome: string }> };
    expect(body.decisions.map((d) => d.outcome)).toEqual(['allow', 'escalate']);
  });

  it('rejects missing and wrong keys with 401 problem+json', async () => {
    for (const auth of [undefined, 'Bearer pcs_wrong', 'Basic abc', 'Bearer']) {
      const r = await fetch(`${gw.url}/v1/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(transfer('tickets.get')),
      });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
      const p = (await r.json()) as Record<string, unknown>;
      expect(p.code).toBe('unauthenticated');
      expect(p.decision_id).toMatch(/^dec_/);
    }
  });

  it('never takes identity from the body', async () => {
    const r = await fetch(`${gw.url}/v1/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...transfer('tickets.get'), agent: { id: 'example-agent' } }),
    });
    expect([400, 401]).toContain(r.status);
  });

  const bad: Array<[string, () => Promise<Response>, number, string]> = [
    ['malformed JSON', () => post('/v1/decide', '{"action": {'), 400, 'invalid_json'],
    ['not UTF-8', () => post('/v1/decide', Buffer.from([0x7b, 0xff, 0x7d])), 400, 'invalid_json'],
    ['wrong types', () => post('/v1/decide', { action: { kind: 7, args: [] } }), 400, 'invalid_request'],
    [
      'unknown field',
      () => post('/v1/decide', { ...transfer('tickets.get'), contxt: {} }),
      400,
      'invalid_request',
    ],
    ['missing action', () => post('/v1/decide', {}), 400, 'invalid_request'],
    ['array body', () => post('/v1/decide', []), 400, 'invalid_request'],
    [
      'deep nesting',
      () =>
        post(
          '/v1/decide',
          `{"action":{"kind":"tool_call","args":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}}`,
        ),
      400,
      'nesting_too_deep',
    ],
    [
      'oversized body',
      () =>
        post(
          '/v1/decide',
          JSON.stringify({ action: { kind: 'tool_call', args: { x: 'a'.repeat(2 * 1024 * 1024) } } }),
        ),
      413,
      'payload_too_large',
    ],
    [
      'wrong content type',
      () => post('/v1/decide', 'x', { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    ],
    ['empty batch', () => post('/v1/decide/batch', { requests: [] }), 400, 'invalid_request'],
    [
      'bad batch item',
      () => post('/v1/decide/batch', { requests: [transfer('a'), { action: 1 }] }),
      400,
      'invalid_request',
    ],
    ['unknown route', () => post('/v1/nope', {}), 404, 'not_found'],
  ];
  for (const [name, send, status, code] of bad) {
    it(`answers ${name} with ${status} ${code} quickly`, async () => {
      const started = performance.now();
      const r = await send();
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      const p = (await r.json()) as Record<string, unknown>;
      expect(p).toMatchObject({ code, status, type: `urn:portcullis:error:${code}` });
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  }

  it('stays up after hostile input and keeps deciding', async () => {
    await Promise.all(Array.from({ length: 20 }, () => post('/v1/decide', '{"action":').catch(() => null)));
    const r = (await (await post('/v1/decide', transfer('tickets.get'))).json()) as { outcome: string };
    expect(r.outcome).toBe('allow');
    expect(gw.proc.exitCode).toBeNull();
  });

  it('reloads policies on SIGHUP, and a broken set never goes live', async () => {
    const versionOf = async () =>
      ((await (await fetch(`${gw.url}/readyz`)).json()) as { policy_version: string }).policy_version;
    const before = await versionOf();
    const policyFile = join(dir, 'policies', 'example.yaml');
    const original = readFileSync(policyFile, 'utf8');
    writeFileSync(
      policyFile,
      `${original}\n  - id: broken\n    when: 'this is not CEL ((('\n    effect: allow\n    reason: x\n`,
    );
    gw.proc.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    expect(await versionOf()).toBe(before);
    expect(gw.stderr()).toContain('policy reload failed');
    const allowed = (await (await post('/v1/decide', transfer('tickets.get'))).json()) as { outcome: string };
    expect(allowed.outcome).toBe('allow');

    writeFileSync(policyFile, original.replace('tickets.search', 'tickets.list'));
    gw.proc.kill('SIGHUP');
    await expect.poll(versionOf, { timeout: 5_000 }).not.toBe(before);
    const listed = (await (await post('/v1/decide', transfer('tickets.list'))).json()) as {
      outcome: string;
      policy_version: string;
    };
    expect(listed.outcome).toBe('allow');
    expect(listed.policy_version).toBe(await versionOf());
  });

  it('shuts down cleanly on SIGTERM', async () => {
    expect(await gw.stop('SIGTERM')).toBe(0);
  });
});
