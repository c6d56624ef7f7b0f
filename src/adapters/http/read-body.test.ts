import { request } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerOf, readBodyBytes } from './read-body.js';

const LIMIT = 8;
const app = new Hono();
app.post('/echo', async (c) => {
  const body = await readBodyBytes(c, LIMIT);
  return body === null ? c.text('too large', 413) : c.text(`got ${body.length}: ${body.toString()}`);
});

app.get('/headers', (c) =>
  c.json({
    authorization: headerOf(c, 'authorization') ?? null,
    origin: headerOf(c, 'origin') ?? null,
    absent: headerOf(c, 'x-absent') ?? null,
  }),
);

let server: ServerType;
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      port = info.port;
      resolve();
    });
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A real HTTP request; `chunks` are written one by one without a declared length. */
function post(chunks: string[], declared?: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> =
      declared === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': declared };
    const req = request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('readBodyBytes over a real Node server (the IncomingMessage path)', () => {
  it('reads a body up to the limit, in one piece or streamed', async () => {
    expect(await post(['12345678'], 8)).toEqual({ status: 200, text: 'got 8: 12345678' });
    expect(await post(['1234', '5678'])).toEqual({ status: 200, text: 'got 8: 12345678' });
    expect(await post([])).toEqual({ status: 200, text: 'got 0: ' });
  });

  it('refuses a body over the limit, declared or counted, and keeps serving', async () => {
    expect((await post(['123456789'], 9)).status).toBe(413);
    expect((await post(['12345', '67890', 'x'.repeat(100_000)])).status).toBe(413);
    expect(await post(['ok'])).toEqual({ status: 200, text: 'got 2: ok' });
  });
});

describe('readBodyBytes without Node (the web stream path, app.request)', () => {
  it('reads and caps the same way', async () => {
    const ok = await app.request('/echo', { method: 'POST', body: 'abc' });
    expect(await ok.text()).toBe('got 3: abc');
    const stream = new ReadableStream({
      start: (c) => {
        c.enqueue(new TextEncoder().encode('12345'));
        c.enqueue(new TextEncoder().encode('67890'));
        c.close();
      },
    });
    const big = await app.request('/echo', { method: 'POST', body: stream, duplex: 'half' });
    expect(big.status).toBe(413);
  });
});

/** A GET with raw header lines (repeats allowed; the raw form sends no Host by itself), as JSON. */
function getHeaders(lines: Array<[string, string]>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/headers', headers: [['host', `127.0.0.1:${port}`], ...lines].flat() }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(JSON.parse(text) as Record<string, unknown>);
        else reject(new Error(`status ${res.statusCode}: ${text}`));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('headerOf', () => {
  it('reads headers from the Node request, case-insensitively, repeats as Node keeps them', async () => {
    expect(await getHeaders([['Authorization', 'Bearer a'], ['ORIGIN', 'http://x']])).toEqual({
      authorization: 'Bearer a',
      origin: 'http://x',
      absent: null,
    });
    // Node keeps the first Authorization and joins other repeats, as a web Headers object would.
    expect(
      await getHeaders([
        ['authorization', 'Bearer first'],
        ['authorization', 'Bearer second'],
        ['origin', 'http://a'],
        ['origin', 'http://b'],
      ]),
    ).toEqual({ authorization: 'Bearer first', origin: 'http://a, http://b', absent: null });
  });

  it('reads the web request without Node (app.request)', async () => {
    const r = await app.request('/headers', { headers: { authorization: 'Bearer w' } });
    expect(await r.json()).toEqual({ authorization: 'Bearer w', origin: null, absent: null });
  });
});
