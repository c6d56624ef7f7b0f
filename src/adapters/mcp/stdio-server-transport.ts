/**
 * Server side of the stdio transport (`portcullis mcp`): JSON-RPC over stdin/stdout. Unlike the
 * SDK's transport, a line that is not JSON is answered with -32700 and a JSON message that is not
 * JSON-RPC with -32600, as JSON-RPC 2.0 requires; oversized lines are dropped and answered too.
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { encodeMessage, LineReader, type LineEvent } from './line-framing.js';

export class StdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private started = false;
  private closed = false;
  private readonly reader: LineReader;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    maxMessageBytes: number,
  ) {
    this.reader = new LineReader(maxMessageBytes);
  }

  start(): Promise<void> {
    if (this.started) return Promise.reject(new Error('stdio transport already started'));
    this.started = true;
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.onInputError);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    return new Promise((resolve, reject) => {
      this.output.write(encodeMessage(message), (e) => (e ? reject(e) : resolve()));
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onInputError);
    this.onclose?.();
    return Promise.resolve();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    this.reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, this.onLine);
  };

  private readonly onEnd = (): void => {
    void this.close();
  };

  private readonly onInputError = (e: Error): void => {
    this.onerror?.(e);
  };

  private readonly onLine = (event: LineEvent): void => {
    switch (event.kind) {
      case 'message':
        this.onmessage?.(event.message);
        return;
      case 'parse_error':
        this.reply(null, -32700, 'Parse error: the line is not valid JSON');
        return;
      case 'invalid_message':
        this.reply(event.id, -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
        return;
      case 'too_large':
        this.reply(null, -32600, `Invalid Request: message larger than the limit (${event.bytes}+ bytes)`);
        return;
    }
  };

  private reply(id: string | number | null, code: number, message: string): void {
    if (this.closed) return;
    this.output.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);
  }
}
