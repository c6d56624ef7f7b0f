import { describe, expect, it } from 'vitest';
import { compileTopic, stem } from './topics.js';
import { compileWordList, withinOneEdit } from './words.js';

describe('word and phrase lists', () => {
  const list = compileWordList({
    name: 'banned',
    words: ['bomb', 'credit card dump', 'Паспорт'],
    fuzzy: true,
  });
  const hits = (text: string) => list.scan(text).map((f) => `${text.slice(f.start, f.end)}|${f.evidence[0]}`);

  it('matches exact words and phrases on word boundaries only', () => {
    expect(hits('how to make a bomb')).toEqual(['bomb|exact']);
    expect(hits('selling a credit card dump today')).toEqual(['credit card dump|exact']);
    expect(hits('a bombastic speech about bombay')).toEqual([]);
  });

  it('catches leetspeak, one typo, and spelled-out words', () => {
    expect(hits('b0mb')).toEqual(['b0mb|fuzzy']);
    expect(hits('bommb')).toEqual(['bommb|fuzzy']);
    expect(hits('b.o.m.b and b o m b')).toEqual(['b.o.m.b|fuzzy', 'b o m b|fuzzy']);
    expect(hits('credit c4rd dump')).toEqual(['credit c4rd dump|fuzzy']);
  });

  it('folds homoglyphs in list entries and text tokens the same way, in either case', () => {
    expect(list.scan('ПАСПОРТ').length).toBe(1);
    expect(list.scan('пacпopт').length).toBe(1); // mixed Cyrillic and Latin
    const latin = compileWordList({ name: 'x', words: ['bomb'], fuzzy: false });
    expect(latin.scan('b\u043Emb').length).toBe(1); // Cyrillic o in a Latin word
  });

  it('exact-only lists do not fuzz', () => {
    const exact = compileWordList({ name: 'x', words: ['bomb'], fuzzy: false });
    expect(exact.scan('b0mb bommb')).toEqual([]);
  });

  it('edit distance at most one, with swaps', () => {
    expect(withinOneEdit('bomb', 'bmob')).toBe(true);
    expect(withinOneEdit('bomb', 'bomb')).toBe(true);
    expect(withinOneEdit('bomb', 'bo')).toBe(false);
    expect(withinOneEdit('bomb', 'tomn')).toBe(false);
  });
});

describe('denied topics', () => {
  const topic = compileTopic({
    name: 'investment advice',
    definition: 'Recommendations about which stocks, bonds, funds or crypto assets to buy or sell.',
    examples: [
      'Should I buy Tesla stock?',
      'Which crypto will go up next week?',
      'Is now a good time to sell my index funds?',
    ],
    threshold: 0.5,
  });

  it('scores texts close to the definition and examples', () => {
    const f = topic.scan('Should I buy Apple stock before the earnings call?');
    expect(f).toHaveLength(1);
    expect(f[0]!.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it('leaves unrelated texts alone', () => {
    expect(topic.scan('Please book a meeting room for Tuesday and order lunch.')).toEqual([]);
  });

  it('scores windows of long texts', () => {
    const filler = 'The office move is planned for spring and the new desks arrive next week. '.repeat(30);
    const f = topic.scan(`${filler} Honestly, which crypto should I buy to go up next week? ${filler}`);
    expect(f).toHaveLength(1);
  });

  it('stems common endings', () => {
    expect(stem('investing')).toBe('invest');
    expect(stem('stocks')).toBe('stock');
    expect(stem('companies')).toBe('company');
  });
});
