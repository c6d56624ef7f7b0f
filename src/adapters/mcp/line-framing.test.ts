import { describe, expect, it } from 'vitest';
import { LineReader, type LineEvent } from './line-framing.js';

function feed(max: number, ...chunks: string[]): LineEvent[] {
  const reader = new LineReader(max);
  const out: LineEvent[] = [];
  for (const c of chunks) reader.push(Buffer.from(c), (e) => out.push(e));
  return out;
}

describe('stdio line framing', () => {
  it('reassembles messages split across chunks and strips CR', () => {
    const events = feed(
      1000,
      '{"jsonrpc":"2.0","id":1,"met',
      'hod":"ping"}\r\n{"jsonrpc":"2.0","method":"x"}\n',
    );
    expect(events).toEqual([
      { kind: 'message', message: { jsonrpc: '2.0', id: 1, method: 'ping' } },
      { kind: 'message', message: { jsonrpc: '2.0', method: 'x' } },
    ]);
  });

  it('reports garbage and non-JSON-RPC without stopping', () => {
    const events = feed(1000, 'not json\n{"id":7,"hello":1}\n\n{"jsonrpc":"2.0","id":2,"result":{}}\n');
    expect(events.map((e) => e.kind)).toEqual(['parse_error', 'invalid_message', 'message']);
    expect(events[1]).toMatchObject({ kind: 'invalid_message', id: 7 });
  });

  it('drops an oversized line whole, then carries on', () => {
    const events = feed(
      40,
      `{"jsonrpc":"2.0","id":1,"result":"${'x'.repeat(30)}`,
      `${'y'.repeat(50)}"}\n{"jsonrpc":"2.0","id":2,"result":{}}\n`,
    );
    expect(events.map((e) => e.kind)).toEqual(['too_large', 'message']);
    expect(events[1]).toMatchObject({ message: { id: 2 } });
  });
});
