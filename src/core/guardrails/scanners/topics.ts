/**
 * Denied topics: a topic is a name, a definition and example phrases. A text (or each window of
 * a long text) is scored by lexical similarity, with no model:
 *   - coverage of the best-matching example: the share of its content words present;
 *   - weighted topic vocabulary present (name words 3, example words 2, definition words 1),
 *     saturating at a fixed mass.
 * score = 0.6 * coverage + 0.4 * vocabulary; the topic is detected at `threshold` (default 0.5).
 */
import { foldConfusables } from '../confusables.js';
import type { RawFinding } from '../types.js';

export interface TopicSpec {
  name: string;
  definition: string;
  examples: readonly string[];
  threshold: number;
}

const STOP = new Set(
  (
    'a an the and or but if then else of to in on at by for with about against between into through during before ' +
    'after above below from up down out off over under again further once here there when where why how all any both ' +
    'each few more most other some such no nor not only own same so than too very can will just should now is are was ' +
    'were be been being have has had do does did i me my we our you your he him his she her it its they them their ' +
    'what which who whom this that these those am would could may might must shall also get got like want need please ' +
    'tell give make know think one two'
  ).split(' '),
);

/** Light stemmer: enough to let "investing"/"investment"/"invest" meet. */
export function stem(word: string): string {
  let w = word;
  for (const suf of [
    'ations',
    'ation',
    'ments',
    'ment',
    'ings',
    'ing',
    'ness',
    'ies',
    'ied',
    'ers',
    'er',
    'ed',
    'ly',
    'es',
    's',
  ]) {
    if (w.length - suf.length >= 3 && w.endsWith(suf)) {
      w = w.slice(0, -suf.length);
      if (suf === 'ies' || suf === 'ied') w += 'y';
      break;
    }
  }
  return w;
}

interface Tok {
  stem: string;
  start: number;
  end: number;
}

function contentTokens(text: string): Tok[] {
  const out: Tok[] = [];
  const re = /[\p{L}\p{N}]+/gu;
  const lower = foldConfusables(text).toLowerCase();
  for (let m = re.exec(lower); m; m = re.exec(lower)) {
    if (m[0].length < 2 || STOP.has(m[0])) continue;
    out.push({ stem: stem(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

export interface CompiledTopic {
  name: string;
  scan(text: string): RawFinding[];
}

const WINDOW = 48;
const VOCAB_MASS = 6;

export function compileTopic(spec: TopicSpec): CompiledTopic {
  const weights = new Map<string, number>();
  const bump = (text: string, w: number): void => {
    for (const t of contentTokens(text)) weights.set(t.stem, Math.max(weights.get(t.stem) ?? 0, w));
  };
  bump(spec.definition, 1);
  for (const e of spec.examples) bump(e, 2);
  bump(spec.name, 3);
  const examples = spec.examples
    .map((e) => new Set(contentTokens(e).map((t) => t.stem)))
    .filter((s) => s.size > 0);

  const scoreWindow = (stems: Set<string>): number => {
    let coverage = 0;
    for (const ex of examples) {
      let hit = 0;
      for (const s of ex) if (stems.has(s)) hit++;
      coverage = Math.max(coverage, hit / ex.size);
    }
    let mass = 0;
    for (const s of stems) mass += weights.get(s) ?? 0;
    return 0.6 * coverage + 0.4 * Math.min(1, mass / VOCAB_MASS);
  };

  return {
    name: spec.name,
    scan(text: string): RawFinding[] {
      const toks = contentTokens(text);
      if (toks.length === 0) return [];
      let best = { score: 0, start: 0, end: 0 };
      const stride = WINDOW / 2;
      for (let s = 0; s === 0 || s + stride < toks.length; s += stride) {
        const win = toks.slice(s, s + WINDOW);
        const score = scoreWindow(new Set(win.map((t) => t.stem)));
        if (score > best.score) best = { score, start: win[0]!.start, end: win[win.length - 1]!.end };
      }
      if (best.score < spec.threshold) return [];
      const confidence = Math.round(best.score * 100) / 100;
      return [
        { type: spec.name, start: best.start, end: best.end, confidence, evidence: ['lexical-similarity'] },
      ];
    },
  };
}
