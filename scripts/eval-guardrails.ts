/**
 * `npm run eval:guardrails`: measures the guardrails against the third-party corpora in
 * ../shared/corpora and writes docs/guardrails-eval.md. The same functions back
 * test/guardrails-eval.test.ts, which keeps the scores from regressing. The parts live in
 * scripts/eval-guardrails/:
 *
 *  - injection.ts: prompt injection on injection-dev.jsonl per source (recall on attacks,
 *    false-positive rate on benign) at LOW / MEDIUM / HIGH, plus the source corpora;
 *  - pii.ts: presidio-synthetic per entity (with and without checksum gating), presidio recognizer
 *    test tables;
 *  - validators.ts: validator.js cases for the validators;
 *  - secrets.ts: detect-secrets test cases and gitleaks rule examples;
 *  - report.ts: the whole run and the markdown report.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CORPORA, ROOT } from './eval-guardrails/corpora.js';
import { renderReport, runEvaluation } from './eval-guardrails/report.js';
import { secretMisses } from './eval-guardrails/secrets.js';

export { CORPORA, ROOT, parseCsv, pct } from './eval-guardrails/corpora.js';
export {
  evalInjection,
  injectionScore,
  type InjectionEval,
  type SourceRate,
} from './eval-guardrails/injection.js';
export { evalRecognizers, evalSynthetic, type PrfRow, type RecognizerScore } from './eval-guardrails/pii.js';
export {
  evalSecrets,
  excludedReason,
  secretMisses,
  type SecretSourceScore,
} from './eval-guardrails/secrets.js';
export { evalValidators, type ValidatorScore } from './eval-guardrails/validators.js';
export { renderReport, runEvaluation, type EvalReport } from './eval-guardrails/report.js';

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!existsSync(CORPORA)) {
    console.error(`corpora not found at ${CORPORA}`);
    process.exit(2);
  }
  const report = runEvaluation();
  const md = renderReport(report, secretMisses());
  writeFileSync(join(ROOT, 'docs', 'guardrails-eval.md'), md);
  console.log(md.split('\n').slice(0, 40).join('\n'));
  console.log(`\nwrote docs/guardrails-eval.md`);
}
