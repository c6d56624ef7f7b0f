/**
 * Reading a request body within a byte limit, for every route that takes one (/v1/decide, the
 * control APIs, /mcp). The declared length is checked first, then the bytes are counted as they
 * arrive, so an oversized body is refused without buffering it.
 *
 * Under @hono/node-server the Node request is read directly: asking Hono's lightweight Request
 * for its body makes the adapter build a full web Request with a ReadableStream and an
 * AbortSignal, which costs more per request than a policy decision. Elsewhere (app.request() in
 * tests, other runtimes) the web stream is read.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** The Node request under @hono/node-server; undefined elsewhere. */
function incomingOf(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming !== undefined && typeof incoming.on === 'function' ? incoming : undefined;
}

/**
 * A request header (`name` in lower case). Under @hono/node-server it is read from the Node
 * request: asking Hono makes the adapter build a web Headers object, validating every header of
 * the request, on the first header read. Repeated headers are joined with ", " as Headers does,
 * except those Node keeps once (Host, Authorization, Content-Type, Content-Length among them),
 * where the first counts.
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = incomingOf(c);
  if (incoming === undefined) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The body, or null when it is larger than maxBytes. */
export async function readBodyBytes(c: Context, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(headerOf(c, 'content-length') ?? '0');
  if (declared > maxBytes) return null;
  const incoming = incomingOf(c);
  if (incoming !== undefined) return readIncoming(incoming, maxBytes);
  return readWebBody(c.req.raw.body, maxBytes);
}

function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      // Stop reading; Node discards the rest once the answer (413) has been sent.
      incoming.pause();
      resolve(null);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the request was closed before its body arrived'));
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('close', onClose);
  });
}

/** A web body stream, or null when it is larger than maxBytes. */
export async function readWebBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Buffer | null> {
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
