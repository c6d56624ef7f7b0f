/**
 * Baseline for bench/http: a bare Hono handler on the same server stack that parses the same
 * JSON body and returns a JSON answer of similar size, with no gateway work at all.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

const app = new Hono();
app.post('/v1/decide', async (c) => {
  const body = await c.req.json<Record<string, unknown>>();
  return c.json({ version: 1, id: 'dec_0', outcome: 'allow', echo: body }, 200);
});
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
server.once('listening', () => {
  process.stderr.write(`bare listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
