/**
 * End to end with real peers: the official SDK client talks through `portcullis serve` (and
 * `portcullis mcp` over stdio) to the reference servers from npm — server-everything over stdio
 * and over Streamable HTTP, server-filesystem and server-memory through the copy-paste example
 * in examples/mcp, loaded as it is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, startGateway, tempDir, type RunningGateway } from './cli-harness.js';
import {
  ALLOW_ALL,
  bin,
  connect,
  keyEnv,
  metaOf,
  nodeUpstream,
  rawPost,
  textOf,
  waitFor,
  writeProject,
} from '../mcp/harness.js';

const EXAMPLE = resolve('examples/mcp/portcullis.yaml');
const DESKTOP_KEY = 'pcs_demo_mcp_agent_not_for_production';
const INTERN_KEY = 'pcs_demo_mcp_intern_not_for_production';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** server-everything in Streamable HTTP mode on `port`; resolves once it listens. */
function startHttpEverything(port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [bin('server-everything'), 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((res, rej) => {
    let err = '';
    proc.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('listening on port')) res(proc);
    });
    proc.once('exit', (code) => rej(new Error(`server-everything exited ${code}: ${err}`)));
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (proc.exitCode !== null) return res();
    proc.once('exit', () => res());
    proc.kill('SIGTERM');
  });
}

describe('the examples/mcp config, as it is (filesystem and memory servers)', () => {
  let gw: RunningGateway;
  let desk: Client;
  let intern: Client;
  const memoryFile = join(tempDir('portcullis-mem-'), 'memory.jsonl');

  beforeAll(async () => {
    gw = await startGateway(EXAMPLE, [], { MEMORY_FILE_PATH: memoryFile });
    desk = await connect(gw.url, DESKTOP_KEY);
    intern = await connect(gw.url, INTERN_KEY);
  }, 60_000);

  afterAll(async () => {
    await desk?.close();
    await intern?.close();
    if (gw !== undefined) expect(await gw.stop()).toBe(0);
  });

  it('lists each agent the tools its permissions allow', async () => {
    const mine = (await desk.listTools()).tools.map((t) => t.name);
    expect(mine).toEqual(
      expect.arrayContaining([
        'fs.read_text_file',
        'fs.edit_file',
        'fs.create_directory',
        'fs.move_file',
        'memory.create_entities',
        'memory.search_nodes',
      ]),
    );
    const theirs = (await intern.listTools()).tools.map((t) => t.name);
    expect(theirs).toContain('fs.read_text_file');
    expect(theirs).not.toContain('fs.edit_file');
    expect(theirs).not.toContain('memory.create_entities');
    expect(theirs).toContain('memory.delete_entities'); // escalates for everyone: callable with approval
  });

  it('reads a workspace file through the gateway, and never a credential path', async () => {
    const dirs = textOf(await intern.callTool({ name: 'fs.list_allowed_directories', arguments: {} }));
    const root = dirs
      .split('\n')
      .find((l) => l.includes('workspace'))!
      .trim();
    const r = await intern.callTool({
      name: 'fs.read_text_file',
      arguments: { path: `${root}/notes/hello.txt` },
    });
    expect(textOf(r)).toContain('Hello from the MCP example workspace.');
    const denied = await desk.callTool({
      name: 'fs.read_text_file',
      arguments: { path: `${root}/../.ssh/id_rsa` },
    });
    expect(metaOf(denied)).toMatchObject({ outcome: 'deny', reasons: ['Credential files are off limits'] });
  });

  it('writes and queries the knowledge graph; the intern may not write; deletes escalate', async () => {
    const created = await desk.callTool({
      name: 'memory.create_entities',
      arguments: {
        entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }],
      },
    });
    expect(created.isError).toBeFalsy();
    const found = await intern.callTool({ name: 'memory.search_nodes', arguments: { query: 'Ada' } });
    expect(JSON.stringify(found.content)).toContain('first program');
    const denied = await intern.callTool({
      name: 'memory.create_entities',
      arguments: { entities: [{ name: 'Bob', entityType: 'person', observations: [] }] },
    });
    expect(metaOf(denied)).toMatchObject({ outcome: 'deny', code: 'no_rule_matched' });
    const esc = await desk.callTool({ name: 'memory.delete_entities', arguments: { entityNames: ['Ada'] } });
    expect(metaOf(esc)).toMatchObject({ outcome: 'escalate', approval_id: expect.any(String) });
  });
});

describe('portcullis mcp (stdio downstream) with the example config', () => {
  it('serves a local client that launches it, the agent key in PORTCULLIS_API_KEY', async () => {
    const client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--config', EXAMPLE],
      env: {
        ...(process.env as Record<string, string>),
        PORTCULLIS_API_KEY: INTERN_KEY,
        MEMORY_FILE_PATH: join(tempDir('portcullis-mem-'), 'm.jsonl'),
      },
      stderr: 'pipe',
    });
    await client.connect(transport);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('fs.list_allowed_directories');
      expect(names).not.toContain('fs.write_file');
      const r = await client.callTool({ name: 'fs.list_allowed_directories', arguments: {} });
      expect(textOf(r)).toContain('workspace');
      expect(metaOf(r)).toMatchObject({ outcome: 'allow' });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('refuses to start without a valid key', () => {
    const none = runCli(['mcp', '--config', EXAMPLE], { env: { PORTCULLIS_API_KEY: '' }, input: '' });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('PORTCULLIS_API_KEY');
    const wrong = runCli(['mcp', '--config', EXAMPLE], { env: { PORTCULLIS_API_KEY: 'nope' }, input: '' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('error[unauthenticated]');
  }, 60_000);

  it('answers malformed lines on stdin with JSON-RPC errors', () => {
    const lines = ['this is not json', '{"id":4,"method":7}', ''].join('\n');
    const r = runCli(['mcp', '--config', EXAMPLE], { env: { PORTCULLIS_API_KEY: INTERN_KEY }, input: lines });
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: unknown; error: { code: number } });
    expect(out).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.any(String) } },
      { jsonrpc: '2.0', id: 4, error: { code: -32600, message: expect.any(String) } },
    ]);
    expect(r.status).toBe(0);
  }, 60_000);
});

describe('server-everything over stdio and over Streamable HTTP', () => {
  let gw: RunningGateway;
  let client: Client;
  let http: ChildProcess;
  let port: number;
  let guard: Server;
  const unauthorized: string[] = [];

  beforeAll(async () => {
    port = await freePort();
    http = await startHttpEverything(port);
    // The remote upstream demands a bearer token, which the gateway reads from a secret.
    guard = createHttpServer((req, res) => {
      if (req.headers.authorization !== 'Bearer upstream-s3cret') {
        unauthorized.push(req.headers.authorization ?? '(none)');
        res.writeHead(401).end();
        return;
      }
      const up = httpRequest(
        { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => guard.listen(0, '127.0.0.1', () => r()));
    const guardPort = (guard.address() as { port: number }).port;
    const dir = tempDir('portcullis-everything-');
    const agents = { agent: {} };
    const config = writeProject(dir, {
      policy: ALLOW_ALL,
      agents,
      upstreams: [
        nodeUpstream('everything', bin('server-everything'), ['stdio']),
        {
          name: 'remote',
          http: {
            url: `http://127.0.0.1:${guardPort}/mcp`,
            headers: {
              Authorization: { secret: { env: 'REMOTE_TOKEN' }, prefix: 'Bearer ' },
              'X-Tenant': 'e2e',
            },
          },
        },
      ],
      mcp: { restart: { initial_delay_ms: 100, max_delay_ms: 500 }, http: { response: 'json' } },
    });
    gw = await startGateway(config, [], { ...keyEnv(agents), REMOTE_TOKEN: 'upstream-s3cret' });
    client = await connect(gw.url, 'key-agent');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    if (gw !== undefined) expect(await gw.stop()).toBe(0);
    guard?.closeAllConnections();
    guard?.close();
    if (http !== undefined) await stop(http);
  });

  it('sends the HTTP upstream its auth header, read from a secret', () => {
    expect(unauthorized).toEqual([]);
  });

  it('answers with JSON bodies when mcp.http.response is json', async () => {
    const sid = (client.transport as { sessionId?: string }).sessionId!;
    const res = await rawPost(gw.url, '{"jsonrpc":"2.0","id":99,"method":"ping"}', {
      authorization: 'Bearer key-agent',
      'mcp-session-id': sid,
      'mcp-protocol-version': '2025-06-18',
    });
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 99, result: {} });
  });

  it('offers both upstreams, namespaced', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['everything.echo', 'everything.get-sum', 'remote.echo', 'remote.get-sum']),
    );
  });

  it('calls tools of both, including structured and image content', async () => {
    expect(
      textOf(await client.callTool({ name: 'everything.echo', arguments: { message: 'via stdio' } })),
    ).toBe('Echo: via stdio');
    expect(textOf(await client.callTool({ name: 'remote.echo', arguments: { message: 'via http' } }))).toBe(
      'Echo: via http',
    );
    const structured = await client.callTool({
      name: 'remote.get-structured-content',
      arguments: { location: 'New York' },
    });
    expect(structured.structuredContent).toMatchObject({ temperature: expect.any(Number) });
    const image = await client.callTool({ name: 'everything.get-tiny-image', arguments: {} });
    expect((image.content as Array<{ type: string }>).map((c) => c.type)).toContain('image');
  });

  it('reads resources and gets prompts through the gateway', async () => {
    const resources = (await client.listResources()).resources;
    expect(resources.length).toBeGreaterThan(0);
    const read = await client.readResource({ uri: resources[0]!.uri });
    expect(read.contents[0]!.uri).toBe(resources[0]!.uri);
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toEqual(expect.arrayContaining(['everything.simple-prompt', 'remote.args-prompt']));
    const p = await client.getPrompt({ name: 'remote.args-prompt', arguments: { city: 'Paris' } });
    expect(JSON.stringify(p.messages)).toContain('Paris');
  });

  it('reconnects to an HTTP upstream that went away and came back', async () => {
    await stop(http);
    const down = await client.callTool({ name: 'remote.echo', arguments: { message: 'x' } });
    expect(metaOf(down).code).toBe('mcp_upstream_unavailable');
    expect(
      textOf(
        await client.callTool({ name: 'everything.echo', arguments: { message: 'other upstream fine' } }),
      ),
    ).toBe('Echo: other upstream fine');
    http = await startHttpEverything(port);
    const back = await waitFor(
      async () => {
        const r = await client.callTool({ name: 'remote.echo', arguments: { message: 'back' } });
        return r.isError ? undefined : r;
      },
      20_000,
      200,
    );
    expect(textOf(back)).toBe('Echo: back');
  }, 40_000);
});
