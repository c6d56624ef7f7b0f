import { describe, expect, it } from 'vitest';
import { applyRedactions, mergeRedactions, newRedactionContext, type Redaction } from './redact.js';
import { createMemoryVault, createTokenizer, TOKEN_PATTERN } from './tokenize.js';

const KEY = new Uint8Array(32).map((_, i) => i + 1);
const anon = (mode: 'mask' | 'tag' | 'hash' | 'tokenize', keepLast = 0) => ({
  mode,
  maskChar: '*',
  keepLast,
});
const r = (
  start: number,
  end: number,
  type: string,
  mode: 'mask' | 'tag' | 'hash' | 'tokenize',
  confidence = 0.9,
  keepLast = 0,
): Redaction => ({
  start,
  end,
  type,
  confidence,
  anonymize: anon(mode, keepLast),
});

describe('tokenisation', () => {
  const tok = createTokenizer(KEY);

  it('round-trips exactly, including non-ASCII values', () => {
    const vault = createMemoryVault();
    for (const value of ['jane.doe@example.com', 'Zoë Ångström 🙂', '4111 1111 1111 1111']) {
      const t = tok.tokenize(value, 'EMAIL', 'session-1', vault);
      expect(t).toMatch(/^tok_EMAIL_[0-9a-f]{20}$/);
      expect(tok.detokenize(`before ${t} after`, 'session-1', vault)).toBe(`before ${value} after`);
    }
  });

  it('gives the same value the same token within a session and a different one across sessions', () => {
    const vault = createMemoryVault();
    const a1 = tok.tokenize('bob@example.com', 'EMAIL', 's1', vault);
    const a2 = tok.tokenize('bob@example.com', 'EMAIL', 's1', vault);
    const b = tok.tokenize('bob@example.com', 'EMAIL', 's2', vault);
    expect(a1).toBe(a2);
    expect(b).not.toBe(a1);
    expect(vault.size()).toBe(2);
  });

  it('does not restore tokens for another session, another key, or a tampered vault', () => {
    const vault = createMemoryVault();
    const t = tok.tokenize('secret-value', 'X', 's1', vault);
    expect(tok.detokenize(t, 's2', vault)).toBe(t);
    expect(createTokenizer(new Uint8Array(32).fill(9)).detokenize(t, 's1', vault)).toBe(t);
    const entry = vault.get(t)!;
    const raw = Buffer.from(entry.ciphertext, 'base64');
    raw[raw.length - 1]! ^= 1;
    vault.set(t, { ...entry, ciphertext: raw.toString('base64') });
    expect(tok.detokenize(t, 's1', vault)).toBe(t);
  });

  it('keyed hashes depend on the key', () => {
    expect(tok.hash('v')).toBe(createTokenizer(KEY).hash('v'));
    expect(tok.hash('v')).not.toBe(createTokenizer(new Uint8Array(32).fill(3)).hash('v'));
  });

  it('refuses short keys', () => {
    expect(() => createTokenizer(new Uint8Array(8))).toThrow();
  });
});

describe('redaction', () => {
  const ctx = () => newRedactionContext(createTokenizer(KEY), createMemoryVault(), 's');

  it('masks, keeping the last characters when asked', () => {
    const text = 'card 4111 1111 1111 1111 ok';
    expect(applyRedactions(text, [r(5, 24, 'CREDIT_CARD', 'mask', 0.9, 4)], ctx())).toBe(
      'card ***************1111 ok',
    );
    expect(applyRedactions('pin 1234', [r(4, 8, 'PIN', 'mask', 0.9, 4)], ctx())).toBe('pin ****'); // never reveals short values
  });

  it('tags number distinct values consistently across parts of one scan', () => {
    const c = ctx();
    const a = applyRedactions(
      'a@x.io and b@x.io and a@x.io',
      [r(0, 6, 'EMAIL', 'tag'), r(11, 17, 'EMAIL', 'tag'), r(22, 28, 'EMAIL', 'tag')],
      c,
    );
    expect(a).toBe('<EMAIL_1> and <EMAIL_2> and <EMAIL_1>');
    expect(applyRedactions('b@x.io', [r(0, 6, 'EMAIL', 'tag')], c)).toBe('<EMAIL_2>');
  });

  it('hashes and tokenises, and tokens are found again by TOKEN_PATTERN', () => {
    const c = ctx();
    expect(applyRedactions('x bob y', [r(2, 5, 'NAME', 'hash')], c)).toMatch(/^x <NAME:[0-9a-f]{16}> y$/);
    const out = applyRedactions('x bob y', [r(2, 5, 'NAME', 'tokenize')], c);
    expect([...out.matchAll(TOKEN_PATTERN)]).toHaveLength(1);
    expect(c.tokenizer!.detokenize(out, 's', c.vault!)).toBe('x bob y');
  });

  it('merges overlapping spans under the most confident finding', () => {
    const merged = mergeRedactions([
      r(0, 10, 'URL', 'tag', 0.6),
      r(5, 15, 'IP_ADDRESS', 'tag', 0.85),
      r(20, 25, 'EMAIL', 'tag'),
    ]);
    expect(merged.map((m) => [m.start, m.end, m.type])).toEqual([
      [0, 15, 'IP_ADDRESS'],
      [20, 25, 'EMAIL'],
    ]);
  });

  it('fails loudly when tokenisation has no vault', () => {
    expect(() =>
      applyRedactions(
        'bob',
        [r(0, 3, 'NAME', 'tokenize')],
        newRedactionContext(createTokenizer(KEY), undefined, 's'),
      ),
    ).toThrow(/vault/);
  });
});
