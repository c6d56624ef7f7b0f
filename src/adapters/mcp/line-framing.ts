/**
 * Newline-delimited JSON-RPC framing for stdio (both directions), with a size limit per message.
 * A line that is not JSON, or JSON that is not a JSON-RPC message, is reported, never thrown:
 * garbage from a peer must not take the gateway down.
 */
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export type LineEvent =
  | { kind: 'message'; message: JSONRPCMessage }
  | { kind: 'parse_error'; detail: string }
  | { kind: 'invalid_message'; detail: string; id: string | number | null }
  | { kind: 'too_large'; bytes: number };

/** Splits a byte stream into lines; a line longer than maxBytes is dropped whole and reported. */
export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Inside an oversized line: drop bytes until the next newline. */
  private skipping = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer, emit: (event: LineEvent) => void): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.skipping) {
        const piece = chunk.subarray(start, end);
        if (this.size + piece.length > this.maxBytes) {
          emit({ kind: 'too_large', bytes: this.size + piece.length });
          this.chunks = [];
          this.size = 0;
          this.skipping = true;
        } else if (piece.length > 0) {
          this.chunks.push(piece);
          this.size += piece.length;
        }
      }
      if (nl === -1) break;
      if (!this.skipping) this.flushLine(emit);
      this.skipping = false;
      start = nl + 1;
    }
  }

  private flushLine(emit: (event: LineEvent) => void): void {
    const line = Buffer.concat(this.chunks, this.size).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (line.trim() === '') return;
    emit(decodeLine(line));
  }
}

export function decodeLine(line: string): LineEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return { kind: 'parse_error', detail: (e as Error).message };
  }
  const parsed = JSONRPCMessageSchema.safeParse(raw);
  if (parsed.success) return { kind: 'message', message: parsed.data };
  const id = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : null;
  return {
    kind: 'invalid_message',
    detail: 'not a JSON-RPC 2.0 request, notification or response',
    id: typeof id === 'string' || typeof id === 'number' ? id : null,
  };
}

export function encodeMessage(message: JSONRPCMessage): string {
  return `${JSON.stringify(message)}\n`;
}
