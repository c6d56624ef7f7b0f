/**
 * The fetch the Streamable HTTP client transport uses to reach upstreams, built on node:http with
 * keep-alive agents instead of the global fetch: one write per request (headers and body
 * together) and no stream machinery for JSON answers, which measurably lowers the gateway's cost
 * per call. It also enforces the gateway's rules for upstream traffic: a response larger than
 * maxBytes is cut off with `mcp_result_too_large` (declared or while streaming), and redirects
 * are not followed (credentials must not follow them; the SDK sees the 3xx as a failure).
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { GatewayError } from '../../core/errors.js';

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

const NO_BODY = new Set([101, 103, 204, 205, 304]);

function headerObject(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function responseHeaders(res: IncomingMessage): Headers {
  const h = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  return h;
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError('mcp_result_too_large', `upstream response exceeds ${maxBytes} bytes`);
}

/** A streamed body (SSE) as a web stream, failing once more than maxBytes have arrived. */
function streamBody(res: IncomingMessage, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (e: Error) => {
        if (finished) return;
        finished = true;
        controller.error(e);
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (finished) return;
        seen += chunk.length;
        if (seen > maxBytes) fail(tooLarge(maxBytes));
        else controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      });
      res.once('end', () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      res.once('error', fail);
    },
    cancel() {
      finished = true;
      res.destroy();
    },
  });
}

export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Receives the request as soon as it exists (to destroy it, a cheaper abort than a signal). */
  onRequest?: (req: ClientRequest) => void;
}

/** What nodeFetch offers besides fetch itself: the raw request on the same kept-alive sockets. */
export interface NodeFetch extends FetchLike {
  /**
   * Sends one request and resolves with the response head, its body still unread. A response
   * declaring more than maxBytes is refused here; read the body with `readCapped`.
   */
  send(url: URL, request: RawRequest): Promise<IncomingMessage>;
  readonly maxBytes: number;
  close(): void;
}

/** Reads a response body as text, failing with mcp_result_too_large past maxBytes. */
export function readCapped(res: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    res.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) {
        res.destroy();
        reject(tooLarge(maxBytes));
      } else chunks.push(chunk);
    });
    let ended = false;
    res.once('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks, seen).toString('utf8'));
    });
    res.once('error', reject);
    // Destroyed (aborted, reset) before the end: 'error' is not always emitted.
    res.once('close', () => {
      if (!ended) reject(new Error('the response was cut off'));
    });
  });
}

/**
 * Where a request goes, as node:http options: derived once per URL object (the direct path sends
 * every call to the same one), instead of node:http converting the URL on every request.
 */
const targets = new WeakMap<URL, RequestOptions>();
function targetOf(url: URL): RequestOptions {
  let target = targets.get(url);
  if (target === undefined) {
    target = urlToHttpOptions(url);
    targets.set(url, target);
  }
  return target;
}

/**
 * How long a kept-alive upstream socket may sit unused before the gateway closes it: below the
 * 5 s after which Node servers (the default keepAliveTimeout; many MCP servers are Node) close
 * idle connections themselves. Otherwise a call can be written to a socket in the same moment as
 * the server closes it, and fail with ECONNRESET (seen under bench load). Such a call is not
 * retried: a tools/call is not idempotent, and a reset does not prove the upstream never acted.
 * The timeout closes free sockets only; a call in progress is bounded by its own per-call timeout.
 */
export const IDLE_SOCKET_MS = 4_000;

export interface NodeFetchOptions {
  /** Close kept-alive sockets unused for this long (default IDLE_SOCKET_MS). */
  idleSocketMs?: number;
}

export function nodeFetch(maxBytes: number, options: NodeFetchOptions = {}): NodeFetch {
  const timeout = options.idleSocketMs ?? IDLE_SOCKET_MS;
  const agents = {
    http: new HttpAgent({ keepAlive: true, timeout }),
    https: new HttpsAgent({ keepAlive: true, timeout }),
  };
  const send = (url: URL, request: RawRequest): Promise<IncomingMessage> => {
    const secure = url.protocol === 'https:';
    const transmit = secure ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = transmit(
        {
          ...targetOf(url),
          method: request.method,
          headers: request.headers,
          agent: secure ? agents.https : agents.http,
          ...(request.signal ? { signal: request.signal } : {}),
        },
        (res) => {
          const declared = Number(res.headers['content-length'] ?? '0');
          if (declared > maxBytes) {
            res.destroy();
            reject(tooLarge(maxBytes));
            return;
          }
          resolve(res);
        },
      );
      req.once('error', reject);
      request.onRequest?.(req);
      req.end(request.body);
    });
  };
  const fetchImpl = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string')
      throw new TypeError('nodeFetch sends string bodies only');
    const method = init?.method ?? 'GET';
    const res = await send(typeof url === 'string' ? new URL(url) : url, {
      method,
      headers: headerObject(init),
      ...(body ? { body } : {}),
      ...(init?.signal ? { signal: init.signal } : {}),
    });
    const status = res.statusCode ?? 502;
    const headers = responseHeaders(res);
    if (NO_BODY.has(status) || method === 'HEAD') {
      res.resume();
      return new Response(null, { status, headers });
    }
    if ((res.headers['content-type'] ?? '').includes('text/event-stream'))
      return new Response(streamBody(res, maxBytes), { status, headers });
    return new Response(await readCapped(res, maxBytes), { status, headers });
  };
  return Object.assign(fetchImpl, {
    send,
    maxBytes,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}
