/**
 * The floor for bench/mcp: a reverse proxy that does nothing but pass bytes through, built from
 * the same parts any Node gateway uses (node:http server, keep-alive node:http client). It
 * authenticates nothing, parses nothing and records nothing, so what it adds to a call is what
 * one more HTTP hop costs on this machine; what Portcullis adds beyond it is the governance.
 *
 * POST and DELETE answers are read whole and sent with a content-length (one write each way, the
 * cheapest a proxy can do); GET (the SDK's standalone SSE stream) is streamed. Started by
 * bench/mcp/index.ts as `node --import tsx bench/mcp/floor-proxy.ts <upstream url>`; prints
 * "floor proxy listening on <url>" on stderr.
 */
import http from 'node:http';

const target = new URL(process.argv[2] ?? '');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host'];

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

function readAll(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

const server = http.createServer((req, res) => {
  const fail = () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  };
  readAll(req).then((body) => {
    const headers = forwardable(req.headers);
    headers.host = target.host;
    if (req.method !== 'GET') headers['content-length'] = String(body.length);
    const up = http.request(
      { agent, host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers },
      (answer) => {
        if (req.method === 'GET') {
          res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
          answer.pipe(res);
          return;
        }
        readAll(answer).then((bytes) => {
          const h = forwardable(answer.headers);
          h['content-length'] = String(bytes.length);
          res.writeHead(answer.statusCode ?? 502, h);
          res.end(bytes);
        }, fail);
      },
    );
    up.on('error', fail);
    if (req.method === 'GET') res.on('close', () => up.destroy()); // the client left its stream
    up.end(body);
  }, fail);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stderr.write(`floor proxy listening on http://127.0.0.1:${port}/mcp\n`);
});
process.on('SIGTERM', () => process.exit(0));
