import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { McpHost } from './host.js';
import { guardPromptResult, guardResourceResult, guardToolResult } from './output-guard.js';

/** A host whose output guard masks e-mail addresses and blocks the word BLOCK. */
function host(
  seen: Array<{ part: string; text: string }>,
  rewrite = (t: string) => t.replace(/\S+@\S+\.\w+/g, '[EMAIL]'),
): McpHost {
  return {
    guardOutput: (parts: Array<{ part: string; text: string }>) => {
      seen.push(...parts);
      const blocked = parts.some((p) => p.text.includes('BLOCK'));
      return Promise.resolve({
        parts: parts.map((p) => rewrite(p.text)),
        findings: { pii: parts.length },
        blocked,
        reasons: blocked ? ['secret found'] : [],
      });
    },
  } as unknown as McpHost;
}

describe('output guard over MCP results', () => {
  it('scans every text part of a tool result and writes the redactions back', async () => {
    const seen: Array<{ part: string; text: string }> = [];
    const result: CallToolResult = {
      content: [
        { type: 'text', text: 'mail ann@example.com' },
        { type: 'image', data: 'AAAA', mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'file:///a', text: 'bob@example.org wrote' } },
      ],
      structuredContent: { owner: 'cy@example.net', n: 1, tags: [3, 'dee@example.com'] },
    };
    const g = await guardToolResult(host(seen), result);
    expect(seen.map((p) => p.part)).toEqual([
      'content[0].text',
      'content[2].resource.text',
      'structuredContent.owner',
      'structuredContent.tags[1]',
    ]);
    expect(g.blocked).toBeNull();
    expect(g.findings).toEqual({ pii: 4 });
    expect(g.value.content[0]).toEqual({ type: 'text', text: 'mail [EMAIL]' });
    expect(g.value.content[1]).toEqual({ type: 'image', data: 'AAAA', mimeType: 'image/png' });
    expect(g.value.content[2]).toMatchObject({ resource: { text: '[EMAIL] wrote' } });
    expect(g.value.structuredContent).toEqual({ owner: '[EMAIL]', n: 1, tags: [3, '[EMAIL]'] });
  });

  it('withholds a blocked result, also when the block is deep in structured content', async () => {
    const blocked = await guardToolResult(host([]), { content: [{ type: 'text', text: 'BLOCK me' }] });
    expect(blocked.blocked).toBe('secret found');
    const deep = await guardToolResult(host([]), { content: [], structuredContent: { a: { b: ['BLOCK'] } } });
    expect(deep.blocked).toBe('secret found');
  });

  it('fails closed when the guard answers fewer parts than it was given', async () => {
    const short = {
      guardOutput: () => Promise.resolve({ parts: [], findings: {}, blocked: false, reasons: [] }),
    } as unknown as McpHost;
    const g = await guardToolResult(short, { content: [{ type: 'text', text: 'x' }] });
    expect(g.blocked).toMatch(/fewer parts/);
  });

  it('scans resource contents and prompt messages', async () => {
    const seen: Array<{ part: string; text: string }> = [];
    const res: ReadResourceResult = {
      contents: [
        { uri: 'a', text: 'x@y.io' },
        { uri: 'b', blob: 'AAAA' },
      ],
    };
    expect((await guardResourceResult(host(seen), res)).value.contents[0]).toEqual({
      uri: 'a',
      text: '[EMAIL]',
    });
    const prompt: GetPromptResult = {
      description: 'for z@q.io',
      messages: [{ role: 'user', content: { type: 'text', text: 'hi w@e.io' } }],
    };
    const g = await guardPromptResult(host(seen), prompt);
    expect(g.value.description).toBe('for [EMAIL]');
    expect(g.value.messages[0]!.content).toEqual({ type: 'text', text: 'hi [EMAIL]' });
    expect(seen.map((p) => p.part)).toEqual(['contents[0].text', 'description', 'messages[0].content.text']);
  });

  it('does not call the guard when there is no text', async () => {
    const seen: Array<{ part: string; text: string }> = [];
    const g = await guardToolResult(host(seen), {
      content: [{ type: 'image', data: 'AA', mimeType: 'image/png' }],
    });
    expect([g.blocked, seen.length]).toEqual([null, 0]);
  });
});
