/**
 * End to end: what MCP traffic leaves in the SQLite ledger. `portcullis serve` with a durable
 * ledger in front of the stdio fixture upstream; the official SDK client calls through /mcp
 * (the direct tools/call path, http-tool-call.ts); the ledger file is read after the gateway stops.
 * Calls refused before the pipeline are recorded without their argument values; a call the client
 * cancels is cancelled upstream and its outcome says so, long before the call timeout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startGateway, tempDir, type RunningGateway } from './cli-harness.js';
import { readLedger, type LedgerEvent } from './approvals-harness.js';
import { connect, fixtureUpstream, keyEnv, metaOf, textOf, writeProject } from '../mcp/harness.js';

const POLICY = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: mcp-ledger, version: 1.0.0 }
rules:
  - id: use-fixture
    target: { kinds: [tool_call], tools: ["fx.*"] }
    effect: allow
    reason: the fixture may be used
  - id: read-fixture
    target: { kinds: [mcp.resources_read, mcp.prompts_get] }
    effect: allow
    reason: its resources and prompts too
`;
const AGENTS = { user: { permissions: [] } };

let dir: string;
let gw: RunningGateway | undefined;
let client: Client;
let events: LedgerEvent[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  dir = tempDir('portcullis-mcp-ledger-');
  const file = writeProject(dir, {
    policy: POLICY,
    agents: AGENTS,
    upstreams: [fixtureUpstream('fx')],
    mcp: { call_timeout_ms: 20_000 },
  });
  const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  config.audit = { path: 'data/ledger.db', signing_key_path: 'data/signing.key' };
  writeFileSync(file, stringify(config));
  gw = await startGateway(file, [], keyEnv(AGENTS));
  client = await connect(gw.url, 'key-user');

  const ok = await client.callTool({ name: 'fx.echo', arguments: { text: 'to the ledger' } });
  expect(textOf(ok)).toBe('echo: to the ledger');
  ids.ok = String(metaOf(ok).decision_id);
  expect((await client.readResource({ uri: 'fixture://greeting' })).contents[0]).toMatchObject({
    text: 'contents of fixture://greeting',
  });
  expect((await client.getPrompt({ name: 'fx.greet', arguments: { who: 'Ada' } })).messages).toHaveLength(1);

  const invalid = await client.callTool({
    name: 'fx.echo',
    arguments: { text: 4111111111111111, note: 'jane.doe@example.com' },
  });
  expect(metaOf(invalid).code).toBe('mcp_invalid_arguments');
  expect((await client.callTool({ name: 'fx.nope', arguments: {} })).isError).toBe(true);

  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  await expect(
    client.callTool({ name: 'fx.hang', arguments: {} }, undefined, { signal: controller.signal }),
  ).rejects.toThrow();
  // The cancellation reaches the gateway as its own request; give it a moment, then stop.
  await new Promise((r) => setTimeout(r, 500));
  await client.close();
  expect(await gw.stop()).toBe(0);
  gw = undefined;
  events = readLedger(dir);
}, 60_000);

afterAll(async () => {
  if (gw !== undefined) await gw.stop();
});

describe('MCP calls in the ledger', () => {
  it('records an allowed call as a decision and its linked outcome', () => {
    const decision = events.find((e) => e.type === 'decision' && e.decision_id === ids.ok);
    expect(decision).toBeDefined();
    const outcome = events.find((e) => e.type === 'outcome' && e.decision_id === ids.ok);
    expect(outcome?.outcome).toMatchObject({ status: 'success' });
    // The outcome names the agent too, so a search by agent finds both halves of the call.
    expect(outcome?.action).toEqual({ adapter: 'mcp', agent: { id: 'user' } });
  });

  it('records resources/read and prompts/get with outcomes that name the agent', () => {
    for (const kind of ['mcp.resources_read', 'mcp.prompts_get']) {
      const decision = events.find(
        (e) => e.type === 'decision' && (e.inputs as { action?: { kind?: string } }).action?.kind === kind,
      );
      expect(decision, kind).toBeDefined();
      const outcome = events.find((e) => e.type === 'outcome' && e.decision_id === decision!.decision_id);
      expect(outcome?.outcome, kind).toMatchObject({ status: 'success' });
      expect(outcome?.action, kind).toEqual({ adapter: 'mcp', agent: { id: 'user' } });
    }
  });

  it('records calls refused before the pipeline, without the argument values', () => {
    const refused = events
      .filter((e) => e.type === 'mcp' && e.inputs.details?.event === 'call_refused')
      .map((e) => e.inputs.details);
    expect(refused).toEqual([
      expect.objectContaining({ tool: 'fx.echo', agent: 'user', code: 'mcp_invalid_arguments' }),
      expect.objectContaining({ tool: 'fx.nope', agent: 'user', code: 'mcp_unknown_tool' }),
    ]);
    const bytes = readFileSync(join(dir, 'data', 'ledger.db')).toString('latin1');
    expect(bytes).not.toContain('4111111111111111');
    expect(bytes).not.toContain('jane.doe@example.com');
  });

  it('cancels a call upstream when the client cancels it, and records that outcome', () => {
    const hang = events.find(
      (e) => e.type === 'decision' && (e.action as { tool?: string }).tool === 'fx.hang',
    );
    expect(hang).toBeDefined();
    const outcome = events.find((e) => e.type === 'outcome' && e.decision_id === hang!.decision_id);
    expect(outcome?.outcome).toMatchObject({ status: 'error', error: 'cancelled' });
    expect((outcome!.outcome as { latency_ms: number }).latency_ms).toBeLessThan(5000);
  });
});

describe('MCP calls in the ledger with audit.durability: async', () => {
  let asyncEvents: LedgerEvent[] = [];
  let decisionId = '';

  beforeAll(async () => {
    const asyncDir = tempDir('portcullis-mcp-ledger-async-');
    const file = writeProject(asyncDir, {
      policy: POLICY,
      agents: AGENTS,
      upstreams: [fixtureUpstream('fx')],
    });
    const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    config.audit = { path: 'data/ledger.db', signing_key_path: 'data/signing.key', durability: 'async' };
    writeFileSync(file, stringify(config));
    const running = await startGateway(file, [], keyEnv(AGENTS));
    const c = await connect(running.url, 'key-user');
    const ok = await c.callTool({ name: 'fx.echo', arguments: { text: 'answered first' } });
    expect(textOf(ok)).toBe('echo: answered first');
    decisionId = String(metaOf(ok).decision_id);
    await c.close();
    // Stopped right after the answer: the outcome, queued after it, must still reach the ledger.
    expect(await running.stop()).toBe(0);
    asyncEvents = readLedger(asyncDir);
  }, 60_000);

  it('records the decision and the outcome queued after the answer', () => {
    expect(asyncEvents.find((e) => e.type === 'decision' && e.decision_id === decisionId)).toBeDefined();
    const outcome = asyncEvents.find((e) => e.type === 'outcome' && e.decision_id === decisionId);
    expect(outcome?.outcome).toMatchObject({ status: 'success' });
  });
});
