/**
 * End to end: `portcullis serve` with an mcp section in front of a misbehaving fixture upstream;
 * the official SDK client talks to /mcp like an agent. Governance (list, call, deny, escalate,
 * schema validation), robustness (crash, hang, garbage, sizes), hostile clients, pins.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startGateway, tempDir, type RunningGateway } from './cli-harness.js';
import {
  connect,
  fixtureUpstream,
  keyEnv,
  metaOf,
  rawPost,
  textOf,
  waitFor,
  writeProject,
} from '../mcp/harness.js';

const POLICY = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: mcp-e2e, version: 1.0.0 }
rules:
  - id: use-fixture
    target: { kinds: [tool_call], tools: ["fx.*", "rug.*", "poison.*"] }
    when: '"mcp:use" in agent.permissions'
    effect: allow
    reason: agents with mcp:use may use the fixture
  - id: env-is-private
    target: { kinds: [tool_call], tools: [fx.env] }
    when: '!("mcp:env" in agent.permissions)'
    effect: deny
    reason: only mcp:env agents may read the environment
  - id: forbidden-words
    target: { kinds: [tool_call], tools: [fx.echo] }
    when: 'has(action.args.text) && action.args.text.contains("forbidden")'
    effect: deny
    reason: no forbidden words
  - id: ask-a-human
    target: { kinds: [tool_call], tools: [fx.echo] }
    when: 'has(action.args.text) && action.args.text == "approve me"'
    effect: escalate
    reason: this text needs a human
    obligations: { approvals: [{ roles: [approver], count: 1 }] }
  - id: read-resources
    target: { kinds: [mcp.resources_read] }
    when: 'action.args.uri != "fixture://secret"'
    effect: allow
    reason: anything but the secret
  - id: prompts
    target: { kinds: [mcp.prompts_get] }
    effect: allow
    reason: prompts are fine
`;

const AGENTS = {
  user: { permissions: ['mcp:use'] },
  envy: { permissions: ['mcp:use', 'mcp:env'] },
  nobody: {},
};

let gw: RunningGateway;
let user: Client;
let configFile: string;

beforeAll(async () => {
  const dir = tempDir('portcullis-mcp-');
  const config = (configFile = writeProject(dir, {
    policy: POLICY,
    agents: AGENTS,
    upstreams: [
      fixtureUpstream('fx', [], {
        env_allowlist: ['HOME'],
        env: { FIXTURE_COLOR: { env: 'FX_COLOR' }, PLAIN: 'yes' },
      }),
      fixtureUpstream('rug'),
      fixtureUpstream('poison', ['--poisoned']),
    ],
    mcp: {
      call_timeout_ms: 1500,
      max_argument_bytes: 2048,
      max_result_bytes: 65536,
      restart: { initial_delay_ms: 100, max_delay_ms: 1000 },
      pins: { file: 'pins.json', on_changed_definition: 'hide' },
      http: { max_sessions_per_agent: 3 },
    },
  }));
  const env = { ...keyEnv(AGENTS), FX_COLOR: 'blue-42' };
  const pin = runCli(['mcp', 'pin', '--config', config, '--upstream', 'rug'], { env });
  expect(pin.stderr).toBe('');
  expect(pin.status).toBe(0);
  expect(pin.stdout).toContain('rug.echo  sha256:');
  gw = await startGateway(config, [], env);
  user = await connect(gw.url, 'key-user');
}, 60_000);

afterAll(async () => {
  await user?.close();
  if (gw !== undefined) expect(await gw.stop()).toBe(0);
});

describe('MCP gateway: governance', () => {
  it('lists namespaced tools, only those the agent may call', async () => {
    const names = (await user.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['fx.echo', 'fx.crash', 'rug.echo', 'rug.mutate']));
    expect(names).not.toContain('fx.env'); // a static deny for this agent
    expect(names).not.toContain('poison.helper'); // poisoned description: held back
    const envy = await connect(gw.url, 'key-envy');
    expect((await envy.listTools()).tools.map((t) => t.name)).toContain('fx.env');
    await envy.close();
    const nobody = await connect(gw.url, 'key-nobody');
    // Only fx.echo: a call with the right text escalates to a human, so it may be called.
    expect((await nobody.listTools()).tools.map((t) => t.name)).toEqual(['fx.echo']);
    await nobody.close();
  });

  it('forwards an allowed call and names the decision', async () => {
    const r = await user.callTool({ name: 'fx.echo', arguments: { text: 'hello' } });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toBe('echo: hello');
    expect(metaOf(r)).toMatchObject({
      outcome: 'allow',
      code: 'rule_matched',
      decision_id: expect.stringMatching(/^dec_/),
    });
  });

  it('answers a deny as a tool error with the reason and the decision id', async () => {
    const r = await user.callTool({ name: 'fx.echo', arguments: { text: 'a forbidden word' } });
    expect(r.isError).toBe(true);
    const meta = metaOf(r);
    expect(meta).toMatchObject({ outcome: 'deny', code: 'rule_matched', reasons: ['no forbidden words'] });
    expect(textOf(r)).toContain('no forbidden words');
    expect(textOf(r)).toContain(String(meta.decision_id));
    const nobody = await connect(gw.url, 'key-nobody');
    const denied = await nobody.callTool({ name: 'fx.echo', arguments: { text: 'hi' } });
    expect(metaOf(denied)).toMatchObject({ outcome: 'deny', code: 'no_rule_matched' });
    await nobody.close();
  });

  it('answers an escalation as a tool error saying approval is pending, with its id', async () => {
    const r = await user.callTool({ name: 'fx.echo', arguments: { text: 'approve me' } });
    expect(r.isError).toBe(true);
    const meta = metaOf(r);
    expect(meta).toMatchObject({ outcome: 'escalate', approval_id: expect.any(String) });
    expect(textOf(r)).toMatch(/approval .* is pending/i);
    expect(textOf(r)).toContain(String(meta.approval_id));
  });

  it('validates arguments against the input schema before forwarding', async () => {
    const r = await user.callTool({ name: 'fx.echo', arguments: { text: 42 } });
    expect(metaOf(r)).toEqual({ code: 'mcp_invalid_arguments' });
    expect(textOf(r)).toContain('/text must be string');
    const missing = await user.callTool({ name: 'fx.echo', arguments: {} });
    expect(metaOf(missing).code).toBe('mcp_invalid_arguments');
  });

  it('refuses unknown tools, oversized arguments and held-back tools', async () => {
    expect(metaOf(await user.callTool({ name: 'fx.nope', arguments: {} })).code).toBe('mcp_unknown_tool');
    expect(metaOf(await user.callTool({ name: 'nowhere.echo', arguments: {} })).code).toBe(
      'mcp_unknown_tool',
    );
    expect(metaOf(await user.callTool({ name: 'fx.echo', arguments: { text: 'x'.repeat(3000) } })).code).toBe(
      'mcp_arguments_too_large',
    );
    expect(metaOf(await user.callTool({ name: 'poison.helper', arguments: {} })).code).toBe(
      'mcp_tool_suspicious',
    );
    expect(gw.stderr()).toContain('mcp tool held back');
  });

  it('passes only allowlisted and configured environment variables to a stdio upstream', async () => {
    const envy = await connect(gw.url, 'key-envy');
    const env = JSON.parse(textOf(await envy.callTool({ name: 'fx.env', arguments: {} }))) as Record<
      string,
      string
    >;
    await envy.close();
    expect(env.FIXTURE_COLOR).toBe('blue-42');
    expect(env.PLAIN).toBe('yes');
    expect(env.HOME).toBe(process.env.HOME);
    expect(env.KEY_USER).toBeUndefined();
    expect(env.PATH).toBeUndefined();
  });

  it('governs resources/read and prompts/get, refusing with a JSON-RPC error carrying the code', async () => {
    const uris = (await user.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual(['fixture://greeting']); // the secret is not listed: its read is denied
    const read = await user.readResource({ uri: 'fixture://greeting' });
    expect(read.contents[0]).toMatchObject({ text: 'contents of fixture://greeting' });
    expect((await user.readResource({ uri: 'fixture://notes/7' })).contents[0]).toMatchObject({
      text: 'contents of fixture://notes/7',
    });
    await expect(user.readResource({ uri: 'fixture://secret' })).rejects.toMatchObject({
      code: -32040,
      data: { outcome: 'deny', code: 'no_rule_matched' },
    });
    await expect(user.readResource({ uri: 'nowhere://x' })).rejects.toMatchObject({
      code: -32002,
      data: { code: 'mcp_resource_not_found' },
    });
    expect((await user.listPrompts()).prompts.map((p) => p.name)).toContain('fx.greet');
    const prompt = await user.getPrompt({ name: 'fx.greet', arguments: { who: 'Ada' } });
    expect(prompt.messages[0]?.content).toMatchObject({ type: 'text', text: 'Say hello to Ada' });
    await expect(user.getPrompt({ name: 'fx.nope' })).rejects.toMatchObject({ code: -32602 });
  });

  it('passes tool output through the output guardrails: PII redacted, injected instructions withheld', async () => {
    const contact = await user.callTool({ name: 'fx.contact', arguments: {} });
    expect(contact.isError).toBeFalsy();
    expect(textOf(contact)).toMatch(/^For details, write to /);
    expect(textOf(contact)).not.toContain('jane.doe@example.com');
    const leak = await user.callTool({ name: 'fx.leak', arguments: {} });
    expect(metaOf(leak)).toMatchObject({ code: 'mcp_output_blocked', outcome: 'allow' });
    expect(textOf(leak)).toContain('injection');
    expect(textOf(leak)).not.toContain('evil.example');
  });

  it('forwards progress notifications for a call that asks for them', async () => {
    const seen: number[] = [];
    const r = await user.callTool({ name: 'fx.slow', arguments: { ms: 100 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(textOf(r)).toBe('slept 100');
    expect(seen).toEqual([1]);
  });
});

describe('MCP gateway: upstream robustness', () => {
  it('turns garbage from the upstream into an error and keeps serving', async () => {
    const r = await user.callTool({ name: 'fx.garbage', arguments: {} });
    expect(metaOf(r).code).toBe('mcp_upstream_error');
    expect(textOf(await user.callTool({ name: 'fx.echo', arguments: { text: 'still here' } }))).toBe(
      'echo: still here',
    );
    const failed = await user.callTool({ name: 'fx.fail', arguments: {} });
    expect(metaOf(failed).code).toBe('mcp_upstream_error');
    expect(textOf(failed)).toContain('failed on purpose');
  });

  it('times out a hanging upstream call', async () => {
    const started = Date.now();
    const r = await user.callTool({ name: 'fx.hang', arguments: {} });
    expect(metaOf(r).code).toBe('mcp_upstream_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('refuses a result over the size limit', async () => {
    expect(metaOf(await user.callTool({ name: 'fx.big', arguments: { bytes: 100_000 } })).code).toBe(
      'mcp_result_too_large',
    );
    expect(textOf(await user.callTool({ name: 'fx.big', arguments: { bytes: 10 } }))).toBe('x'.repeat(10));
  });

  it('fails in-flight calls closed when the upstream crashes, then restarts it', async () => {
    const [crash, hang] = await Promise.all([
      user.callTool({ name: 'fx.crash', arguments: {} }),
      user.callTool({ name: 'fx.hang', arguments: {} }),
    ]);
    expect(metaOf(crash).code).toBe('mcp_upstream_unavailable');
    expect(metaOf(hang).code).toBe('mcp_upstream_unavailable');
    const back = await waitFor(async () => {
      const r = await user.callTool({ name: 'fx.echo', arguments: { text: 'back' } });
      return r.isError ? undefined : r;
    });
    expect(textOf(back)).toBe('echo: back');
    expect(gw.stderr()).toContain('mcp upstream lost');
  });
});

describe('MCP gateway: rug pulls', () => {
  it('holds back a pinned tool whose definition changes, and tells the session', async () => {
    expect(textOf(await user.callTool({ name: 'rug.echo', arguments: { text: 'pinned' } }))).toBe(
      'echo: pinned',
    );
    let changed = false;
    user.setNotificationHandler(
      (await import('@modelcontextprotocol/sdk/types.js')).ToolListChangedNotificationSchema,
      () => {
        changed = true;
      },
    );
    expect(textOf(await user.callTool({ name: 'rug.mutate', arguments: {} }))).toBe('mutated');
    await waitFor(() => (changed ? true : undefined), 5000);
    const names = (await user.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('rug.echo');
    expect(names).toContain('rug.mutate');
    const r = await user.callTool({ name: 'rug.echo', arguments: { text: 'x' } });
    expect(metaOf(r).code).toBe('mcp_tool_definition_changed');
    expect(gw.stderr()).toContain('mcp call to a held-back tool refused');
  });
});

describe('MCP gateway: hostile clients', () => {
  const init = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });

  it('requires a valid API key on every request', async () => {
    const none = await rawPost(gw.url, init);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await rawPost(gw.url, init, { authorization: 'Bearer wrong' })).status).toBe(401);
    await expect(connect(gw.url, 'wrong')).rejects.toThrow();
  });

  it('answers malformed JSON-RPC with JSON-RPC errors', async () => {
    const auth = { authorization: 'Bearer key-user' };
    const parse = await rawPost(gw.url, '{"jsonrpc": "2.0", "id": 1, "method": ', auth);
    expect(parse.status).toBe(400);
    expect(await parse.json()).toMatchObject({ error: { code: -32700 }, id: null });
    const invalid = await rawPost(gw.url, '{"id": 9, "method": 5}', auth);
    expect(await invalid.json()).toMatchObject({ error: { code: -32600 }, id: 9 });
    const noSession = await rawPost(gw.url, '{"jsonrpc":"2.0","id":2,"method":"tools/list"}', auth);
    expect(noSession.status).toBe(400);
    const big = await rawPost(
      gw.url,
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping', params: { pad: 'x'.repeat(2 * 1024 * 1024) } }),
      auth,
    );
    expect(big.status).toBe(413);
  });

  it('answers bad params with -32602 and survives', async () => {
    await expect(
      user.request(
        { method: 'tools/call', params: { arguments: {} } },
        (await import('@modelcontextprotocol/sdk/types.js')).CallToolResultSchema,
      ),
    ).rejects.toMatchObject({ code: -32602 });
    await expect(
      user.request(
        { method: 'resources/read', params: {} },
        (await import('@modelcontextprotocol/sdk/types.js')).ReadResourceResultSchema,
      ),
    ).rejects.toMatchObject({ code: -32602 });
    await expect(
      user.request(
        { method: 'no/such/method', params: {} },
        (await import('@modelcontextprotocol/sdk/types.js')).EmptyResultSchema,
      ),
    ).rejects.toMatchObject({ code: -32601 });
    expect(textOf(await user.callTool({ name: 'fx.echo', arguments: { text: 'ok' } }))).toBe('echo: ok');
  });

  it("does not let one agent use another agent's session", async () => {
    const sid = (user.transport as { sessionId?: string }).sessionId!;
    const other = await rawPost(gw.url, '{"jsonrpc":"2.0","id":5,"method":"tools/list"}', {
      authorization: 'Bearer key-envy',
      'mcp-session-id': sid,
      'mcp-protocol-version': '2025-06-18',
    });
    expect(other.status).toBe(404);
  });

  it("closes an agent's least recently used session beyond its cap, never another agent's", async () => {
    const first = await connect(gw.url, 'key-nobody');
    const others = [await connect(gw.url, 'key-nobody'), await connect(gw.url, 'key-nobody')];
    await first.listTools(); // first is still in use; the cap is 3
    const fourth = await connect(gw.url, 'key-nobody');
    await expect(others[0]!.listTools()).rejects.toThrow(); // least recently used: evicted, 404
    expect((await first.listTools()).tools.length).toBeGreaterThanOrEqual(0);
    expect((await fourth.listTools()).tools.map((t) => t.name)).toEqual(['fx.echo']);
    expect(textOf(await user.callTool({ name: 'fx.echo', arguments: { text: 'mine' } }))).toBe('echo: mine');
    for (const c of [first, ...others, fourth]) await c.close();
  });

  it('rejects DNS-rebinding requests (foreign Host or Origin)', async () => {
    const origin = await rawPost(gw.url, init, {
      authorization: 'Bearer key-user',
      origin: 'http://evil.example.com',
    });
    expect(origin.status).toBe(403);
    const port = new URL(gw.url).port;
    const host = await new Promise<number>((resolve, reject) => {
      // fetch does not let us set Host; use node:http.
      void import('node:http').then(({ request }) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/mcp',
            method: 'POST',
            headers: {
              host: 'evil.example.com',
              'content-type': 'application/json',
              authorization: 'Bearer key-user',
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(init);
      });
    });
    expect(host).toBe(403);
  });
});

describe('portcullis mcp tools', () => {
  it("shows each tool's pin status, hold and whether an agent sees it", () => {
    const r = runCli(['mcp', 'tools', '--config', configFile, '--agent', 'user', '--json'], {
      env: { ...keyEnv(AGENTS), FX_COLOR: 'x' },
    });
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, string>>;
    const row = (tool: string) => rows.find((x) => x.tool === tool)!;
    expect(row('fx.echo')).toMatchObject({ pin: 'unpinned', held: '', 'listed for user': 'yes' });
    expect(row('fx.env')).toMatchObject({
      'listed for user': 'no',
      why: 'rule mcp-e2e/env-is-private denies',
    });
    expect(row('rug.echo').pin).toBe('pinned');
    expect(row('poison.helper').held).toMatch(/^hide: its definition looks poisoned/);
    const bad = runCli(['mcp', 'tools', '--config', configFile, '--agent', 'ghost'], { env: keyEnv(AGENTS) });
    expect([bad.status, bad.stderr]).toEqual([1, expect.stringContaining('no agent ghost')]);
  });
});

describe('MCP gateway: shutdown', () => {
  it('serves the decision API next to /mcp, and stops upstream processes on SIGTERM', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const pid = Number(textOf(await user.callTool({ name: 'fx.pid', arguments: {} })));
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(await gw.stop()).toBe(0);
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 10_000);
  });
});
