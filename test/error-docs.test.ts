import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_REGISTRY } from '../src/core/errors.js';

describe('error registry', () => {
  const codes = Object.keys(ERROR_REGISTRY);

  it('has a docs page for every code, naming the code', () => {
    const missing = codes.filter((c) => !existsSync(`docs/errors/${c}.md`));
    expect(missing).toEqual([]);
    for (const c of codes) expect(readFileSync(`docs/errors/${c}.md`, 'utf8')).toContain(`\`${c}\``);
  });

  it('uses snake_case codes and HTTP statuses', () => {
    for (const [code, entry] of Object.entries(ERROR_REGISTRY)) {
      expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
    }
  });
});
