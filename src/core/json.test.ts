import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, jsonTextDepthExceeds } from './json.js';

describe('JSON depth limits', () => {
  const nested = (n: number): string => '['.repeat(n) + ']'.repeat(n);

  it('counts depth on text, ignoring brackets inside strings', () => {
    expect(jsonTextDepthExceeds(nested(32), 32)).toBe(false);
    expect(jsonTextDepthExceeds(nested(33), 32)).toBe(true);
    expect(jsonTextDepthExceeds(`{"a":"${'['.repeat(100)}"}`, 2)).toBe(false);
    expect(jsonTextDepthExceeds(`{"a":"\\"[[[["}`, 1)).toBe(false);
  });

  it('counts depth on values without recursion', () => {
    expect(jsonDepthExceeds(JSON.parse(nested(10)), 10)).toBe(false);
    expect(jsonDepthExceeds(JSON.parse(nested(11)), 10)).toBe(true);
    expect(jsonDepthExceeds(JSON.parse(nested(100_000)), 64)).toBe(true);
  });
});
