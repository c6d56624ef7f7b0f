import { describe, expect, it } from 'vitest';
import { isUpstreamName, qualifiedNameProblem, qualifyName, splitQualifiedName } from './names.js';

describe('tool namespacing', () => {
  it('qualifies and splits at the first dot', () => {
    expect(qualifyName('github', 'create_issue')).toBe('github.create_issue');
    expect(splitQualifiedName('github.create_issue')).toEqual({ upstream: 'github', name: 'create_issue' });
    expect(splitQualifiedName('fs.a.b')).toEqual({ upstream: 'fs', name: 'a.b' });
  });

  it('cannot collide: an upstream name has no dot, so each qualified name has one owner', () => {
    expect(isUpstreamName('a.b')).toBe(false);
    const names = new Set<string>();
    for (const [u, t] of [
      ['a', 'b.c'],
      ['ab', 'c'],
      ['a', 'bc'],
    ] as const)
      names.add(qualifyName(u, t));
    expect(names.size).toBe(3);
  });

  it.each(['', 'nodot', '.x', 'x.', 'UP.x', '1up.x', 'a b.x'])('rejects %j', (q) => {
    expect(splitQualifiedName(q)).toBeNull();
  });

  it('flags names clients may reject', () => {
    expect(qualifiedNameProblem('fs.read_file')).toBeNull();
    expect(qualifiedNameProblem(`fs.${'x'.repeat(130)}`)).toMatch(/longer/);
    expect(qualifiedNameProblem('fs.read file')).toMatch(/characters/);
    expect(qualifiedNameProblem('fs.reаd')).toMatch(/characters/); // Cyrillic a
  });
});
