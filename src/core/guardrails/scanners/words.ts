/**
 * Word and phrase lists. Exact matching respects word boundaries; fuzzy matching also catches
 * leetspeak ("h4ck", "p@ssw0rd"), one typo (edit distance 1, adjacent swaps included) and words
 * spelled out with separators ("b.o.m.b", "b o m b"). Text is already NFKC-normalised and
 * confusable-folded; list entries get the same folding, so homoglyphs cannot slip past either.
 */
import { foldConfusables } from '../confusables.js';
import type { RawFinding } from '../types.js';

export interface WordListSpec {
  name: string;
  words: readonly string[];
  fuzzy: boolean;
}

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '+': 't',
};

function leet(s: string): string {
  let out = '';
  for (const ch of s) out += LEET[ch] ?? ch;
  return out;
}

/** NFKC, confusable folding on both cases (lower-casing can create new look-alikes: П -> п -> n). */
function normaliseEntry(s: string): string {
  return foldConfusables(foldConfusables(s.normalize('NFKC')).toLowerCase());
}

interface Token {
  text: string;
  start: number;
  end: number;
  /** Joined from spelled-out single characters ("b o m b"). */
  joined?: boolean;
}

const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex -- the ASCII range itself

const TOKEN = /[\p{L}\p{N}@$!|+*']+/gu;

/** Tokens of the text, plus runs of 3+ single characters joined ("b o m b" -> "bomb"). */
function tokenize(text: string): Token[] {
  const lower = text.toLowerCase();
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(lower); m; m = TOKEN.exec(lower)) {
    const raw = m[0].replace(/^'+|'+$/g, '');
    out.push({
      text: NON_ASCII.test(raw) ? foldConfusables(raw) : raw,
      start: m.index,
      end: m.index + m[0].length,
    });
  }
  const joined: Token[] = [];
  for (let i = 0; i < out.length;) {
    let j = i;
    while (j < out.length && out[j]!.text.length === 1 && (j === i || out[j]!.start - out[j - 1]!.end <= 2))
      j++;
    if (j - i >= 3) {
      joined.push({
        text: out
          .slice(i, j)
          .map((t) => t.text)
          .join(''),
        start: out[i]!.start,
        end: out[j - 1]!.end,
        joined: true,
      });
      i = j;
    } else i++;
  }
  return joined.length > 0 ? [...out, ...joined].sort((a, b) => a.start - b.start) : out;
}

/** Edit distance at most one (insert, delete, substitute, or swap two adjacent characters). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

export interface CompiledWordList {
  name: string;
  scan(text: string): RawFinding[];
}

export function compileWordList(spec: WordListSpec): CompiledWordList {
  // phrase -> token arrays; indexed by first token (exact) and by deletion variants (fuzzy).
  const phrases = spec.words
    .map((w) => normaliseEntry(w).split(/\s+/).filter(Boolean))
    .filter((p) => p.length > 0);
  const exact = new Map<string, string[][]>();
  const fuzzyIndex = new Map<string, string[][]>();
  const addTo = (map: Map<string, string[][]>, key: string, phrase: string[]): void => {
    const list = map.get(key);
    if (list) list.push(phrase);
    else map.set(key, [phrase]);
  };
  for (const p of phrases) {
    addTo(exact, p[0]!, p);
    if (!spec.fuzzy) continue;
    const first = leet(p[0]!);
    addTo(fuzzyIndex, first, p);
    if (first.length >= 4)
      for (let k = 0; k < first.length; k++) addTo(fuzzyIndex, first.slice(0, k) + first.slice(k + 1), p);
  }

  const tokenMatches = (token: string, word: string, fuzzy: boolean): boolean => {
    if (token === word) return true;
    if (!fuzzy) return false;
    const t = leet(token).replace(/\*/g, '');
    const w = leet(word);
    if (t === w) return true;
    return w.length >= 4 && withinOneEdit(t, w);
  };

  return {
    name: spec.name,
    scan(text: string): RawFinding[] {
      const tokens = tokenize(text);
      const out: RawFinding[] = [];
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i]!.text;
        const candidates: Array<{ phrase: string[]; fuzzy: boolean }> = (exact.get(t) ?? []).map(
          (phrase) => ({ phrase, fuzzy: false }),
        );
        if (spec.fuzzy) {
          const f = leet(t).replace(/\*/g, '');
          const keys = [f];
          if (f.length >= 4 && f.length <= 40)
            for (let k = 0; k < f.length; k++) keys.push(f.slice(0, k) + f.slice(k + 1));
          for (const key of keys)
            for (const phrase of fuzzyIndex.get(key) ?? []) candidates.push({ phrase, fuzzy: true });
        }
        for (const { phrase, fuzzy } of candidates) {
          if (i + phrase.length > tokens.length) continue;
          let ok = true;
          for (let k = 0; k < phrase.length && ok; k++)
            ok = tokenMatches(tokens[i + k]!.text, phrase[k]!, spec.fuzzy);
          if (!ok) continue;
          const exactHit =
            !fuzzy && phrase.every((w, k) => tokens[i + k]!.text === w && !tokens[i + k]!.joined);
          out.push({
            type: spec.name,
            start: tokens[i]!.start,
            end: tokens[i + phrase.length - 1]!.end,
            confidence: exactHit ? 1 : 0.8,
            evidence: [exactHit ? 'exact' : 'fuzzy'],
          });
          break;
        }
      }
      return dedupe(out);
    },
  };
}

function dedupe(findings: RawFinding[]): RawFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.start}:${f.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
