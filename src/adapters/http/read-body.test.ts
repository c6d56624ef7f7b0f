import { request } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBodyBytes } from './read-body.js';

const LIMIT = 8;
const app = new Hono();
app.post('/echo', async (c) => {
  const body = await readBodyBytes(c, LIMIT);
  return body === null ? c.text('too large', 413) : c.text(`got ${body.length}: ${body.toString()}`);
});

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
