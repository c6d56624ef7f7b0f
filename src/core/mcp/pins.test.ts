import { describe, expect, it } from 'vitest';
import { emptyPins, formatPins, hashToolDefinition, parsePins, pinStatus, withUpstreamPins } from './pins.js';

const tool = {
  name: 'read',
  description: 'Reads a file',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
};

describe('tool definition pins', () => {
  it('hashes canonical JSON: key order does not matter, any content change does', () => {
    const reordered = {
      inputSchema: { properties: { path: { type: 'string' } }, type: 'object' },
      description: 'Reads a file',
      name: 'read',
    };
    expect(hashToolDefinition(reordered)).toBe(hashToolDefinition(tool));
    expect(hashToolDefinition({ ...tool, description: 'Reads a file.' })).not.toBe(hashToolDefinition(tool));
    expect(hashToolDefinition({ ...tool, annotations: { readOnlyHint: true } })).not.toBe(
      hashToolDefinition(tool),
    );
    expect(hashToolDefinition(tool)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('classifies tools against the pins', () => {
    const h = hashToolDefinition(tool);
    const pins = withUpstreamPins(emptyPins(), 'fs', { read: h });
    expect(pinStatus(pins, 'fs', 'read', h)).toBe('pinned');
    expect(pinStatus(pins, 'fs', 'read', hashToolDefinition({ ...tool, description: 'x' }))).toBe('changed');
    expect(pinStatus(pins, 'fs', 'write', h)).toBe('new');
    expect(pinStatus(pins, 'gh', 'read', h)).toBe('unpinned');
  });

  it('round-trips through its stable text form', () => {
    const pins = withUpstreamPins(
      withUpstreamPins(emptyPins(), 'b', { z: hashToolDefinition(1), a: hashToolDefinition(2) }),
      'a',
      {},
    );
    const text = formatPins(pins);
    expect(text.indexOf('"a"')).toBeLessThan(text.indexOf('"b"'));
    const back = parsePins(text);
    expect(back.ok && back.value).toEqual(pins);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['{"version":2,"upstreams":{}}', /version/],
    ['{"version":1,"upstreams":{"fs":[]}}', /upstreams\.fs/],
    ['{"version":1,"upstreams":{"fs":{"tools":{"read":"md5:abc"}}}}', /upstreams\.fs\.tools\.read/],
  ])('rejects %s', (text, message) => {
    const r = parsePins(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
