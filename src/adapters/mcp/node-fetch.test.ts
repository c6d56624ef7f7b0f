import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from './node-fetch.js';

let server: Server;
/** Connections the server has seen close, by the side that closed them (the server never does). */
let closedSockets = 0;
let base: string;
const seen: Array<{ method: string; headers: Record<string, unknown>; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, headers: req.headers, body });
      switch (req.url ?? '') {
        case '/json':
          res
            .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' })
            .end('{"ok":true}');
          return;
        case '/sse':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('event: message\ndata: {"a":1}\n\n');
          setTimeout(() => res.end('event: message\ndata: {"a":2}\n\n'), 20);
          return;
        case '/big-declared':
          res
            .writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' })
            .end('x'.repeat(5000));
          return;
        case '/big-chunked':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (let i = 0; i < 10; i++) res.write('y'.repeat(500));
          res.end();
          return;
        case '/redirect':
          res.writeHead(307, { location: '/json' }).end();
          return;
        case '/accepted':
          res.writeHead(202).end();
          return;
        case '/hang':
          return; // never answers
        case '/slow':
          setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"slow":true}'), 300);
          return;
        default:
          res.writeHead(404).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => socket.once('close', () => closedSockets++));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('nodeFetch (upstream HTTP)', () => {
  const f = nodeFetch(2048);
  afterAll(() => f.close());

  it('sends method, headers and body, and returns status, headers and body', async () => {
    const res = await f(`${base}/json`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"q":1}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBe('s1');
    expect(await res.json()).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"q":1}',
      headers: { authorization: 'Bearer t' },
    });
  });

  it('streams event streams as they arrive', async () => {
    const res = await f(new URL(`${base}/sse`));
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"a":1');
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toContain('"a":2');
  });

  it('cuts off responses over the limit, declared or streamed', async () => {
    await expect(f(`${base}/big-declared`)).rejects.toMatchObject({ code: 'mcp_result_too_large' });
    const res = await f(`${base}/big-chunked`);
    await expect(res.text()).rejects.toMatchObject({ code: 'mcp_result_too_large' });
  });

  it('does not follow redirects, answers bodiless statuses, and honours abort', async () => {
    const r = await f(`${base}/redirect`);
    expect([r.status, r.headers.get('location')]).toEqual([307, '/json']);
    expect((await f(`${base}/accepted`, { method: 'POST', body: '{}' })).status).toBe(202);
    const ac = new AbortController();
    const pending = f(`${base}/hang`, { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await expect(f('http://127.0.0.1:1/none')).rejects.toThrow();
  });
});

describe('nodeFetch kept-alive sockets', () => {
  it('closes a socket left unused past the idle timeout, and never one in use', async () => {
    const f = nodeFetch(2048, { idleSocketMs: 100 });
    try {
      const before = closedSockets;
      // In use for 300 ms, three times the idle timeout: the call completes.
      expect(await (await f(`${base}/slow`)).json()).toEqual({ slow: true });
      // Then unused: the client closes it (the server keeps idle sockets for 60 s).
      const deadline = Date.now() + 3_000;
      while (closedSockets === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(closedSockets).toBe(before + 1);
      expect(await (await f(`${base}/json`)).json()).toEqual({ ok: true });
    } finally {
      f.close();
    }
  });
});
