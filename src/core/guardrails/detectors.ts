/**
 * The detectors of a compiled configuration, as uniform functions over one view of a part. The
 * engine runs them in a fixed order with coverage, time budgets and failure handling around them.
 */
import type { GuardrailsConfig } from './config.js';
import { GatewayError } from '../errors.js';
import { compileSafePattern, PatternError, type SafePattern } from './safe-regex.js';
import { scanPii } from './scanners/pii/index.js';
import { scanSecrets } from './scanners/secrets/index.js';
import { compileTopic, type CompiledTopic } from './scanners/topics.js';
import { compileWordList, type CompiledWordList } from './scanners/words.js';
import type { TextIndex } from './text-index.js';
import type { RawFinding, ScannerName } from './types.js';

/** Finds in one view's text; `tick` may throw to abort on a deadline; `index` is the view's index. */
export type ViewDetector = (text: string, tick: () => void, index: TextIndex) => RawFinding[];

export interface CompiledDetectors {
  pii: ViewDetector;
  secrets: ViewDetector;
  topics: ViewDetector;
  words: ViewDetector;
  custom: ViewDetector;
  topicList: CompiledTopic[];
  wordLists: CompiledWordList[];
  patterns: Array<{ name: string; pattern: SafePattern }>;
}

/** Order in which scanners run on each part (and appear in coverage). */
export const SCANNER_ORDER: readonly ScannerName[] = [
  'pii',
  'secrets',
  'injection',
  'topics',
  'words',
  'custom',
];

export function compileDetectors(config: GuardrailsConfig): CompiledDetectors {
  const pii = config.pii;
  const piiOptions = {
    entities: new Set<string>(pii.entities),
    minConfidence: pii.minConfidence,
    checksums: pii.checksums,
    phoneRegions: pii.phoneRegions,
  };
  const patterns = config.custom.map((c, i) => {
    try {
      return { name: c.name, pattern: compileSafePattern(c.pattern, c.flags) };
    } catch (e) {
      if (!(e instanceof PatternError)) throw e;
      throw new GatewayError(
        'guardrail_pattern_rejected',
        `custom pattern "${c.name}": ${e.message} (at character ${e.position})`,
        {
          location: { path: `guardrails.custom[${i}].pattern` },
          cause: e,
        },
      );
    }
  });
  const topicList = config.topics.map((t) => compileTopic(t));
  const wordLists = config.words.map((w) => compileWordList(w));
  return {
    pii: (text, _tick, index) => scanPii(text, piiOptions, index),
    secrets: (text, _tick, index) => scanSecrets(text, config.secrets.minConfidence, index),
    topics: (text) => topicList.flatMap((t) => t.scan(text)),
    words: (text) => wordLists.flatMap((w) => w.scan(text)),
    custom: (text, tick) =>
      patterns.flatMap(({ name, pattern }) =>
        pattern
          .findAll(text, tick)
          .filter((m) => m.end > m.start)
          .map((m) => ({ type: name, start: m.start, end: m.end, confidence: 1, evidence: ['pattern'] })),
      ),
    topicList,
    wordLists,
    patterns,
  };
}
