/**
 * `mcp.http.sessions: stateless`: no Mcp-Session-Id, every POST stands alone, so any replica can
 * serve any request. The SDK client works unchanged; GET (the server-to-client stream) is refused.
 * The same gateway has two broken upstreams: one that never answers (startup must not wait for
 * it forever) and one that crashes on its first launches (it must come up after backoff).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startGateway, tempDir, type RunningGateway } from './cli-harness.js';
import {
  ALLOW_ALL,
  connect,
  fixtureUpstream,
  keyEnv,
  metaOf,
  rawPost,
  textOf,
  waitFor,
  writeProject,
} from '../mcp/harness.js';

let gw: RunningGateway;
let client: Client;
let dir: string;

beforeAll(async () => {
  const agents = { agent: {} };
  dir = tempDir('portcullis-stateless-');
  const config = writeProject(dir, {
    policy: ALLOW_ALL,
    agents,
    upstreams: [
      fixtureUpstream('fx'),
      fixtureUpstream('mute', ['--mute']),
      fixtureUpstream('flaky', ['--crash-first', '2', join(dir, 'launches')]),
      { name: 'ghost', stdio: { command: '/nonexistent/mcp-server' } },
    ],
    mcp: {
      http: { sessions: 'stateless' },
      connect_timeout_ms: 2000,
      startup_wait_ms: 3000,
      restart: { initial_delay_ms: 100, max_delay_ms: 400 },
    },
  });
  gw = await startGateway(config, [], keyEnv(agents));
  client = await connect(gw.url, 'key-agent');
}, 60_000);

afterAll(async () => {
  await client?.close();
  if (gw !== undefined) expect(await gw.stop()).toBe(0);
});

describe('MCP gateway, stateless HTTP', () => {
  it('lists and calls without a session', async () => {
    expect((client.transport as { sessionId?: string }).sessionId).toBeUndefined();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('fx.echo');
    const r = await client.callTool({ name: 'fx.echo', arguments: { text: 'no session' } });
    expect(textOf(r)).toBe('echo: no session');
    expect(metaOf(r).outcome).toBe('allow');
  });

  it('answers a request on its own, as JSON, for any key it authenticates', async () => {
    const res = await rawPost(
      gw.url,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      {
        authorization: 'Bearer key-agent',
        'mcp-protocol-version': '2025-06-18',
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const body = (await res.json()) as { result: { tools: Array<{ name: string }> } };
    expect(body.result.tools.map((t) => t.name)).toContain('fx.echo');
    expect(
      (
        await rawPost(gw.url, '{"jsonrpc":"2.0","id":2,"method":"tools/list"}', {
          authorization: 'Bearer other',
        })
      ).status,
    ).toBe(401);
  });

  it('starts despite an upstream that never answers, and fails its calls closed', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names.some((n) => n.startsWith('mute.'))).toBe(false);
    const r = await client.callTool({ name: 'mute.echo', arguments: { text: 'x' } });
    expect(metaOf(r)).toMatchObject({ code: 'mcp_upstream_unavailable', outcome: 'allow' });
    expect(gw.stderr()).toContain('connect failed');
    expect(gw.stderr()).toMatch(/"upstream":"ghost".*ENOENT/);
  });

  it('brings up an upstream that crashed on its first launches, after backoff', async () => {
    const r = await waitFor(
      async () => {
        const res = await client.callTool({ name: 'flaky.echo', arguments: { text: 'third time' } });
        return res.isError ? undefined : res;
      },
      20_000,
      200,
    );
    expect(textOf(r)).toBe('echo: third time');
    expect(readFileSync(join(dir, 'launches'), 'utf8')).toBe('3');
  });

  it('refuses to use a pins file it cannot read, naming it', () => {
    const broken = tempDir('portcullis-badpins-');
    const config = writeProject(broken, { policy: ALLOW_ALL, upstreams: [fixtureUpstream('fx')] });
    writeFileSync(
      join(broken, 'mcp-pins.json'),
      '{"version": 1, "upstreams": {"fx": {"tools": {"echo": "md5:x"}}}}',
    );
    for (const args of [
      ['mcp', 'pin', '--config', config],
      ['serve', '--config', config, '--port', '0'],
    ]) {
      const r = runCli(args, { env: keyEnv({ agent: {} }) });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[mcp_pins_invalid]');
      expect(r.stderr).toContain('upstreams.fx.tools.echo');
    }
  });

  it('refuses GET: there is no server-to-client stream without a session', async () => {
    const res = await fetch(`${gw.url}/mcp`, {
      headers: { authorization: 'Bearer key-agent', accept: 'text/event-stream' },
    });
    expect(res.status).toBe(405);
  });
});
