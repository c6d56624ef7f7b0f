/**
 * Tool poisoning: the injection detector applied to MCP tool definitions. Descriptions and schema
 * texts are data the model reads, so they are judged in the 'data' context, plus signals specific
 * to poisoned tools: hidden-instruction tags, reads of local secrets, instructions about other
 * tools. `scanToolDefinition` walks every string of a definition (descriptions, property
 * descriptions, defaults, enums), since all of them reach the model.
 */
import { ENCODINGS, INJECTION_THRESHOLDS } from './config.js';
import { prepareText, type PrepareOptions } from './prepare.js';
import { combine, scoreInjection, type InjectionHit } from './scanners/injection/index.js';
import type { Strength } from './types.js';

const TOOL_SIGNALS: Array<{ name: string; weight: number; re: RegExp }> = [
  {
    name: 'hidden_instruction_tag',
    weight: 0.7,
    re: /<\s*\/?\s*(?:important|system|instructions?|secret|hidden|note)\s*>|<!--/i,
  },
  {
    name: 'sensitive_file_access',
    weight: 0.7,
    re: /~\/\.ssh|\bid_(?:rsa|ed25519|ecdsa)\b|\/etc\/(?:passwd|shadow)|\.aws\/credentials|\bmcp\.json\b|(?:^|[\s/"'])\.env\b|\bprivate key\b|\bkeychain\b|\bcookies?\.(?:txt|sqlite)\b/i,
  },
  {
    name: 'cross_tool_instruction',
    weight: 0.55,
    re: /\b(?:before|after|instead of|whenever|when)\s+(?:using|calling|invoking|running)\s+(?:this|any|other|the\s+[\w-]+)\s+tools?\b|\b(?:all|any|every) (?:other )?tools? (?:must|should)\b/i,
  },
  {
    name: 'pass_contents_as_argument',
    weight: 0.6,
    re: /\b(?:read|cat|open|load)\b[^.\n]{0,60}\b(?:and|then)\s+(?:pass|send|include|put|add)\b[^.\n]{0,40}\b(?:as|in|into)\b[^.\n]{0,30}\b(?:argument|parameter|param|field|sidenote|note)\b/i,
  },
];

const OPTS: PrepareOptions = {
  nfkc: true,
  confusables: true,
  stripInvisible: true,
  foldDiacritics: true,
  encodings: new Set(ENCODINGS),
  maxDepth: 3,
  maxDecodedChars: 200_000,
};

export interface ToolScanSignal {
  name: string;
  weight: number;
  /** JSON path in the definition (scanToolDefinition) or '' for a bare description. */
  path: string;
}

export interface ToolDescriptionScan {
  score: number;
  threshold: number;
  detected: boolean;
  signals: ToolScanSignal[];
}

type PathHit = InjectionHit & { path: string };

/** Hits of one string; `slot` keeps view numbers of different strings apart for overlap merging. */
function hitsFor(text: string, path: string, slot: number): PathHit[] {
  const prepared = prepareText(text, OPTS);
  const hits: PathHit[] = scoreInjection(prepared.views, prepared.stats, 'data').hits.map((h) => ({
    ...h,
    view: h.view < 0 ? h.view : slot * 1000 + h.view,
    path,
  }));
  for (const s of TOOL_SIGNALS) {
    for (const v of prepared.views) {
      const m = s.re.exec(v.text);
      if (m) {
        hits.push({
          name: s.name,
          weight: s.weight,
          view: slot * 1000,
          start: m.index,
          end: m.index + m[0].length,
          path,
        });
        break;
      }
    }
  }
  return hits;
}

function report(hits: PathHit[], strength: Strength): ToolDescriptionScan {
  const threshold = INJECTION_THRESHOLDS[strength];
  const score = combine(hits);
  const seen = new Set<string>();
  const signals: ToolScanSignal[] = [];
  for (const h of [...hits].sort((a, b) => b.weight - a.weight)) {
    const key = `${h.name}|${h.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    signals.push({ name: h.name, weight: h.weight, path: h.path });
  }
  return { score, threshold, detected: score >= threshold, signals };
}

/** Scores one tool description for poisoning. */
export function scanToolDescription(
  description: string,
  opts: { strength?: Strength } = {},
): ToolDescriptionScan {
  return report(hitsFor(description, '', 0), opts.strength ?? 'MEDIUM');
}

/** Scores every string of a tool definition (name, description, input schema...) together. */
export function scanToolDefinition(
  definition: unknown,
  opts: { strength?: Strength } = {},
): ToolDescriptionScan {
  const hits: PathHit[] = [];
  let slot = 0;
  const stack: Array<[unknown, string, number]> = [[definition, '', 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') hits.push(...hitsFor(v, path, slot++));
    else if (Array.isArray(v) && depth < 64) v.forEach((x, i) => stack.push([x, `${path}[${i}]`, depth + 1]));
    else if (v !== null && typeof v === 'object' && depth < 64) {
      for (const [k, x] of Object.entries(v)) stack.push([x, path === '' ? k : `${path}.${k}`, depth + 1]);
    }
  }
  return report(hits, opts.strength ?? 'MEDIUM');
}
