import { describe, expect, it } from 'vitest';
import { createGuardrails, createMemoryVault } from '../../core/guardrails/index.js';
import { GuardrailsGuard, reasonsOf } from './guardrails-guard.js';

const guard = (maxPartChars: number) =>
  new GuardrailsGuard({
    guardrails: createGuardrails({ limits: { maxPartChars } }),
    vault: createMemoryVault(),
    deadlineMs: 1000,
  });

describe('reasons a guard gives', () => {
  it('name each failed scanner, the part and why it failed', () => {
    const r = guard(10).scanOutput([{ part: 'content[0].text', text: 'x'.repeat(50) }], 's');
    expect(r.failed).toBe(true);
    const reasons = reasonsOf(r);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons).toContain(
      'scanner pii failed on content[0].text: part is 50 characters, above limits.maxPartChars (10)',
    );
  });

  it('are empty for a clean scan', () => {
    expect(reasonsOf(guard(1000).scanOutput([{ part: 'p', text: 'the weather is fine' }], 's'))).toEqual([]);
  });
});
