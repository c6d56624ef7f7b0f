import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../core/errors.js';
import { classifyUpstreamError } from './upstream-errors.js';
import { callToolResultProblem, DirectToolCaller, SseReader } from './upstream-direct.js';
import { nodeFetch } from './node-fetch.js';
import { Cancellation, toAbortSignal } from './cancellation.js';

type Handler = (msg: Record<string, unknown>, res: ServerResponse, req: IncomingMessage) => void;

let server: Server;
let base: URL;
let handler: Handler;
const received: Array<{ headers: IncomingMessage['headers']; body: Record<string, unknown> }> = [];
const fetcher = nodeFetch(4096);

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push({ headers: req.headers, body });
      if (body.id === undefined) {
        res.writeHead(202).end();
        return;
      }
      handler(body, res, req);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`);
});

afterAll(async () => {
  fetcher.close();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  received.length = 0;
});

const delivered: Array<Record<string, unknown>> = [];
function caller(): DirectToolCaller {
  delivered.length = 0;
  return new DirectToolCaller('up', {
    url: base,
    headers: { authorization: 'Bearer upstream-secret' },
    fetcher,
    sessionId: 'session-1',
    protocolVersion: '2025-06-18',
    deliver: (m) => delivered.push(m),
  });
}

const json = (res: ServerResponse, value: unknown) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
const ok = (id: unknown, text = 'hi') => ({
  jsonrpc: '2.0',
  id,
  result: { content: [{ type: 'text', text }] },
});

describe('SseReader', () => {
  it('splits events across chunks, joins data lines, skips empty and non-message events', () => {
    const r = new SseReader();
    expect(r.push('id: 1\ndata:\n\nevent: message\ndata: {"a"')).toEqual([]);
    expect(r.push(':1}\n\nevent: ping\ndata: x\n\ndata: line1\r\ndata:line2\r\n\r\n')).toEqual([
      '{"a":1}',
      'line1\nline2',
    ]);
  });
});

describe('callToolResultProblem', () => {
  it('accepts the content types of the specification and a missing content list', () => {
    expect(callToolResultProblem({})).toBeNull();
    expect(
      callToolResultProblem({
        content: [
          { type: 'text', text: 't' },
          { type: 'image', data: 'AA==', mimeType: 'image/png' },
          { type: 'resource', resource: { uri: 'x:1', text: 't' } },
          { type: 'resource_link', uri: 'x:2', name: 'n' },
        ],
        structuredContent: { a: 1 },
        isError: false,
      }),
    ).toBeNull();
  });

  it.each([
    [null, 'not an object'],
    [{ content: 'x' }, 'not a list'],
    [{ content: [{ type: 'text' }] }, 'without text'],
    [{ content: [{ type: 'video', url: 'x' }] }, 'unknown content type'],
    [{ content: [{ type: 'resource', resource: { uri: 'x' } }] }, 'embedded resource'],
    [{ isError: 'yes' }, 'isError'],
    [{ structuredContent: [1] }, 'structuredContent'],
  ])('rejects %j', (value, why) => {
    expect(callToolResultProblem(value)).toContain(why);
  });
});

describe('DirectToolCaller', () => {
  it('posts one tools/call with the session headers and reads a JSON answer', async () => {
    handler = (m, res) => json(res, ok(m.id, 'from json'));
    const result = await caller().callTool('echo', { message: 'x' }, { timeoutMs: 2000 });
    expect(result).toEqual({ content: [{ type: 'text', text: 'from json' }] });
    const sent = received[0]!;
    expect(sent.body).toMatchObject({
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'x' } },
    });
    expect(typeof sent.body.id).toBe('string');
    expect(sent.headers['mcp-session-id']).toBe('session-1');
    expect(sent.headers['mcp-protocol-version']).toBe('2025-06-18');
    expect(sent.headers.authorization).toBe('Bearer upstream-secret');
    expect(sent.headers.accept).toContain('text/event-stream');
  });

  it('reads an SSE answer and hands the other messages on the stream to the SDK client', async () => {
    handler = (m, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: prime\ndata: \n\n');
      res.write(
        `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } })}\n\n`,
      );
      res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' })}\n\n`);
      setTimeout(() => res.end(`event: message\ndata: ${JSON.stringify(ok(m.id, 'from sse'))}\n\n`), 10);
    };
    const c = caller();
    const result = await c.callTool('echo', {}, { timeoutMs: 2000 });
    expect(result.content).toEqual([{ type: 'text', text: 'from sse' }]);
    expect(delivered.map((d) => d.method)).toEqual(['notifications/message', 'ping']);
  });

  it('throws a JSON-RPC error answer as McpError, classified as an error of this call only', async () => {
    handler = (m, res) =>
      json(res, { jsonrpc: '2.0', id: m.id, error: { code: -32602, message: 'bad args' } });
    const e = await caller()
      .callTool('echo', {}, { timeoutMs: 2000 })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(McpError);
    expect(classifyUpstreamError(e, 'up')).toMatchObject({
      code: 'mcp_upstream_error',
      connectionBroken: false,
    });
  });

  it.each([
    [
      'a body that is not JSON',
      (_m: Record<string, unknown>, res: ServerResponse) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{oops'),
    ],
    [
      'an answer to another id',
      (_m: Record<string, unknown>, res: ServerResponse) => json(res, ok('someone-else')),
    ],
    [
      'a result that is not a CallToolResult',
      (m: Record<string, unknown>, res: ServerResponse) =>
        json(res, { jsonrpc: '2.0', id: m.id, result: { content: 3 } }),
    ],
    [
      'a stream that ends without the answer',
      (_m: Record<string, unknown>, res: ServerResponse) =>
        res
          .writeHead(200, { 'content-type': 'text/event-stream' })
          .end('data: {"jsonrpc":"2.0","method":"x"}\n\n'),
    ],
    [
      'an unexpected content type',
      (_m: Record<string, unknown>, res: ServerResponse) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end('<p>'),
    ],
  ])('answers %s with mcp_upstream_error, not a crash', async (_name, h) => {
    handler = h;
    const e = await caller()
      .callTool('echo', {}, { timeoutMs: 2000 })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GatewayError);
    expect(classifyUpstreamError(e, 'up')).toMatchObject({
      code: 'mcp_upstream_error',
      connectionBroken: false,
    });
  });

  it('cuts off an answer larger than the limit', async () => {
    handler = (m, res) => json(res, ok(m.id, 'x'.repeat(5000)));
    const e = await caller()
      .callTool('echo', {}, { timeoutMs: 2000 })
      .catch((x: unknown) => x);
    expect(classifyUpstreamError(e, 'up').code).toBe('mcp_result_too_large');
  });

  it('treats an HTTP failure (session gone) as a broken connection', async () => {
    handler = (_m, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    const e = await caller()
      .callTool('echo', {}, { timeoutMs: 2000 })
      .catch((x: unknown) => x);
    expect(classifyUpstreamError(e, 'up')).toMatchObject({
      code: 'mcp_upstream_unavailable',
      connectionBroken: true,
    });
  });

  it('times out a hanging call and tells the upstream it was cancelled', async () => {
    handler = () => undefined; // never answers
    const e = await caller()
      .callTool('echo', {}, { timeoutMs: 100 })
      .catch((x: unknown) => x);
    expect(classifyUpstreamError(e, 'up').code).toBe('mcp_upstream_timeout');
    await expect.poll(() => received.find((r) => r.body.method === 'notifications/cancelled')).toBeDefined();
    const cancel = received.find((r) => r.body.method === 'notifications/cancelled')!;
    expect((cancel.body.params as { requestId: unknown }).requestId).toBe(received[0]!.body.id);
  });

  it('stops when the caller cancels, mid-stream', async () => {
    handler = (_m, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\n');
    };
    const controller = new AbortController();
    const pending = caller().callTool('echo', {}, { timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const e = await pending.catch((x: unknown) => x);
    expect((e as Error).name).toBe('AbortError');
    await expect.poll(() => received.some((r) => r.body.method === 'notifications/cancelled')).toBe(true);
  });

  it('stops on a Cancellation before any answer arrives, and a cancelled one never starts', async () => {
    handler = () => undefined;
    const cancel = new Cancellation();
    const pending = caller().callTool('echo', {}, { timeoutMs: 5000, signal: cancel });
    setTimeout(() => cancel.abort(), 50);
    expect(((await pending.catch((x: unknown) => x)) as Error).name).toBe('AbortError');
    const before = received.length;
    const e = await caller()
      .callTool('echo', {}, { timeoutMs: 5000, signal: cancel })
      .catch((x: unknown) => x);
    expect((e as Error).name).toBe('AbortError');
    expect(received.filter((r) => r.body.method === 'tools/call').length).toBe(
      received.slice(0, before).filter((r) => r.body.method === 'tools/call').length,
    );
  });
});

describe('Cancellation', () => {
  it('tells each listener once, and converts to an AbortSignal for the SDK', () => {
    const c = new Cancellation();
    const seen: string[] = [];
    const removed = () => seen.push('removed');
    c.addEventListener('abort', () => seen.push('a'));
    c.addEventListener('abort', removed);
    c.removeEventListener('abort', removed);
    const signal = toAbortSignal(c);
    expect(signal.aborted).toBe(false);
    c.abort();
    c.abort();
    expect(seen).toEqual(['a']);
    expect(signal.aborted).toBe(true);
    const native = new AbortController().signal;
    expect(toAbortSignal(native)).toBe(native);
  });
});
