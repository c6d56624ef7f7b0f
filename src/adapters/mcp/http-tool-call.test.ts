import { describe, expect, it } from 'vitest';
import { cancelledRequestId, plainToolCall } from './http-tool-call.js';

const headers = (extra: Record<string, string> = {}) =>
  new Headers({
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': '2025-06-18',
    ...extra,
  });
const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'a.b', arguments: {} } };

describe('plainToolCall: which requests the direct path answers', () => {
  it('takes a single tools/call with the headers the SDK transport accepts', () => {
    expect(plainToolCall(call, headers())).toEqual({ id: 3, params: call.params });
    expect(
      plainToolCall({ ...call, id: 'x' }, headers({ 'content-type': 'Application/JSON; charset=utf-8' })),
    ).not.toBeNull();
    // Without the version header the SDK assumes its default version: so do we.
    const h = headers();
    h.delete('mcp-protocol-version');
    expect(plainToolCall(call, h)).not.toBeNull();
  });

  it.each([
    ['a batch', [call], headers()],
    ['another method', { ...call, method: 'tools/list' }, headers()],
    ['a notification', { jsonrpc: '2.0', method: 'tools/call', params: {} }, headers()],
    ['a progress token', { ...call, params: { ...call.params, _meta: { progressToken: 1 } } }, headers()],
    ['an Accept without SSE', call, headers({ accept: 'application/json' })],
    ['another content type', call, headers({ 'content-type': 'text/plain' })],
    ['an unsupported protocol version', call, headers({ 'mcp-protocol-version': '1999-01-01' })],
  ])('leaves %s to the SDK transport', (_name, body, h) => {
    expect(plainToolCall(body, h)).toBeNull();
  });
});

describe('cancelledRequestId', () => {
  it('reads the request id of notifications/cancelled only', () => {
    expect(
      cancelledRequestId({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4 } }),
    ).toBe(4);
    expect(
      cancelledRequestId({ jsonrpc: '2.0', method: 'notifications/progress', params: { requestId: 4 } }),
    ).toBeUndefined();
    expect(
      cancelledRequestId([{ method: 'notifications/cancelled', params: { requestId: 4 } }]),
    ).toBeUndefined();
  });
});
