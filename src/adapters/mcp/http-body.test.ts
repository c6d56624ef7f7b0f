import { describe, expect, it } from 'vitest';
import { isInitialize, validateRpcBody } from './http-body.js';
import { hostAllowed, originAllowed, rebindingRules } from './rebinding.js';

async function errorOf(
  text: string,
): Promise<{ status: number; body: { error: { code: number }; id: unknown } }> {
  const r = validateRpcBody(text);
  if (r.ok) throw new Error('expected an error');
  return {
    status: r.response.status,
    body: (await r.response.json()) as { error: { code: number }; id: unknown },
  };
}

describe('/mcp body checks', () => {
  it('answers -32700 for text that is not JSON and -32600 for JSON that is not JSON-RPC', async () => {
    expect(await errorOf('{oops')).toMatchObject({
      status: 400,
      body: { error: { code: -32700 }, id: null },
    });
    expect(await errorOf('{"id":3,"method":1}')).toMatchObject({
      status: 400,
      body: { error: { code: -32600 }, id: 3 },
    });
    expect(await errorOf('[]')).toMatchObject({ body: { error: { code: -32600 } } });
    expect(validateRpcBody('{"jsonrpc":"2.0","id":1,"method":"ping"}').ok).toBe(true);
  });

  it('finds initialize requests, also in a batch', () => {
    expect(isInitialize({ jsonrpc: '2.0', id: 1, method: 'initialize' })).toBe(true);
    expect(isInitialize([{ method: 'ping' }, { method: 'initialize' }])).toBe(true);
    expect(isInitialize({ method: 'tools/list' })).toBe(false);
  });
});

describe('DNS rebinding rules', () => {
  it('on loopback, accepts only loopback hosts and origins', () => {
    const r = rebindingRules('127.0.0.1', {});
    expect(hostAllowed(r, '127.0.0.1:8787')).toBe(true);
    expect(hostAllowed(r, 'localhost')).toBe(true);
    expect(hostAllowed(r, '[::1]:80')).toBe(true);
    expect(hostAllowed(r, 'evil.example.com')).toBe(false);
    expect(hostAllowed(r, undefined)).toBe(false);
    expect(originAllowed(r, undefined)).toBe(true);
    expect(originAllowed(r, 'http://localhost:3000')).toBe(true);
    expect(originAllowed(r, 'http://evil.example.com')).toBe(false);
    expect(originAllowed(r, 'null')).toBe(false);
  });

  it('elsewhere, checks hosts only when configured and accepts only listed origins', () => {
    const open = rebindingRules('0.0.0.0', {});
    expect(hostAllowed(open, 'gw.internal:8787')).toBe(true);
    expect(originAllowed(open, 'http://localhost:3000')).toBe(false);
    const r = rebindingRules('0.0.0.0', {
      allowed_hosts: ['gw.example.com'],
      allowed_origins: ['https://app.example.com/'],
    });
    expect(hostAllowed(r, 'gw.example.com:443')).toBe(true);
    expect(hostAllowed(r, 'other.example.com')).toBe(false);
    expect(originAllowed(r, 'https://app.example.com')).toBe(true);
    expect(originAllowed(r, 'https://evil.example.com')).toBe(false);
  });
});

describe('JSON-RPC shape check', () => {
  it('accepts requests, notifications and responses, nothing else', async () => {
    const { looksLikeJsonRpc } = await import('./http-body.js');
    expect(looksLikeJsonRpc({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBe(true);
    expect(looksLikeJsonRpc({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(true);
    expect(looksLikeJsonRpc({ jsonrpc: '2.0', id: 'a', result: {} })).toBe(true);
    expect(looksLikeJsonRpc({ jsonrpc: '2.0', id: 2, error: { code: 1, message: 'x' } })).toBe(true);
    for (const bad of [
      null,
      1,
      'x',
      [],
      { id: 1, method: 'ping' },
      { jsonrpc: '1.0', method: 'x' },
      { jsonrpc: '2.0', id: {}, method: 'x' },
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', method: 5 },
    ]) {
      expect(looksLikeJsonRpc(bad)).toBe(false);
    }
  });
});
