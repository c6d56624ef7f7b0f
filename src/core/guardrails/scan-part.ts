/**
 * Runs every scanner over one part: prepare the views once, run each enabled scanner on every
 * view, map spans back to the original text, and record coverage. A scanner that throws or
 * overruns its budget is recorded as failed; its findings are discarded (never a silent pass).
 */
import type { GuardrailsConfig } from './config.js';
import type { CompiledDetectors } from './detectors.js';
import { SCANNER_ORDER } from './detectors.js';
import { prepareText, type PrepareOptions, type PreparedText } from './prepare.js';
import { scoreInjection, type InjectionContext, type InjectionHit } from './scanners/injection/index.js';
import { indexText, type TextIndex } from './text-index.js';
import { toOriginal, type TextView } from './text-view.js';
import type { RawFinding, ScanCoverage, ScannerName } from './types.js';

export interface Clock {
  now(): number;
  /** Absolute time (same scale as now) after which scanning must stop; Infinity for none. */
  deadline: number;
}

export interface PartFinding extends RawFinding {
  detector: ScannerName;
  via?: string[];
}

export interface PartScan {
  findings: PartFinding[];
  coverage: ScanCoverage[];
  injection:
    { score: number; hits: Array<InjectionHit & { origStart: number; origEnd: number }> } | undefined;
}

class DeadlineExceeded extends Error {}

// Helpers at module level rather than closures made per part: a closure per call is cheap in
// compiled output but not under every loader (esbuild's keepNames names each one at creation).
const noDeadline = (): void => {};

function deadlineCheck(clock: Clock): () => void {
  return () => {
    if (clock.now() > clock.deadline) throw new DeadlineExceeded();
  };
}

function failed(coverage: ScanCoverage[], part: string, scanner: string, reason: string): void {
  coverage.push({ scanner, part, status: 'failed', reason });
}

/** A view's index for the scanners: built while preparing, or on first use. */
export function viewIndex(view: TextView): TextIndex {
  return (view.index ??= indexText(view.text));
}

function enabled(config: GuardrailsConfig, s: ScannerName): boolean {
  switch (s) {
    case 'pii':
      return config.pii.enabled && config.pii.entities.length > 0;
    case 'secrets':
      return config.secrets.enabled;
    case 'injection':
      return config.injection.enabled;
    case 'topics':
      return config.topics.length > 0;
    case 'words':
      return config.words.length > 0;
    case 'custom':
      return config.custom.length > 0;
  }
}

/**
 * Same type on the same original span seen in several views: keep the most confident (the first
 * of equals), in order of span, equal spans in order of first appearance.
 */
function dedupe(findings: PartFinding[]): PartFinding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || a.end - b.end); // stable
  const out: PartFinding[] = [];
  let group = 0; // index in `out` where the current span's findings begin
  for (const f of sorted) {
    const g = out[group];
    if (!g || g.start !== f.start || g.end !== f.end) group = out.length;
    let same = -1;
    for (let i = group; i < out.length; i++)
      if (out[i]!.detector === f.detector && out[i]!.type === f.type) same = i;
    if (same < 0) out.push(f);
    else if (f.confidence > out[same]!.confidence) out[same] = f;
  }
  return out;
}

export function scanPart(
  part: string,
  text: string,
  config: GuardrailsConfig,
  detectors: CompiledDetectors,
  prepOpts: PrepareOptions,
  context: InjectionContext,
  clock: Clock | undefined,
): PartScan {
  const coverage: ScanCoverage[] = [];
  const findings: PartFinding[] = [];
  let injection: PartScan['injection'];

  if (text.length > config.limits.maxPartChars) {
    for (const s of SCANNER_ORDER) {
      if (enabled(config, s))
        failed(
          coverage,
          part,
          s,
          `part is ${text.length} characters, above limits.maxPartChars (${config.limits.maxPartChars})`,
        );
    }
    return { findings, coverage, injection };
  }

  const tick = clock ? deadlineCheck(clock) : noDeadline;

  let prepared: PreparedText;
  try {
    prepared = prepareText(text, prepOpts);
    coverage.push({ scanner: 'normalise', part, status: 'ran' });
    if (prepared.stats.truncated) {
      const reason = `decoding stopped at a limit (maxDepth ${prepOpts.maxDepth}, maxDecodedChars ${prepOpts.maxDecodedChars})`;
      if (config.normalise.decode.onLimit === 'fail')
        coverage[coverage.length - 1] = { scanner: 'normalise', part, status: 'failed', reason };
      else coverage[coverage.length - 1]!.reason = reason;
    }
  } catch (e) {
    failed(coverage, part, 'normalise', `normalisation threw: ${(e as Error).name}`);
    for (const s of SCANNER_ORDER) if (enabled(config, s)) failed(coverage, part, s, 'normalisation failed');
    return { findings, coverage, injection };
  }


  for (const scanner of SCANNER_ORDER) {
    if (!enabled(config, scanner)) {
      coverage.push({ scanner, part, status: 'skipped', reason: 'disabled by configuration' });
      continue;
    }
    if (text.length === 0) {
      coverage.push({ scanner, part, status: 'skipped', reason: 'empty text' });
      continue;
    }
    const started = clock?.now();
    try {
      tick();
      if (scanner === 'injection') {
        const s = scoreInjection(prepared.views, prepared.stats, context);
        injection = {
          score: s.score,
          hits: s.hits.map((h) => {
            const view = prepared.views[h.view];
            const o =
              view && h.end > h.start ? toOriginal(view, h.start, h.end) : { start: 0, end: text.length };
            return {
              name: h.name,
              weight: h.weight,
              view: h.view,
              start: h.start,
              end: h.end,
              origStart: o.start,
              origEnd: o.end,
            };
          }),
        };
      } else {
        const detect = detectors[scanner];
        for (let vi = 0; vi < prepared.views.length; vi++) {
          const view = prepared.views[vi]!;
          const via = view.via.length > 0 ? view.via : undefined;
          for (const f of detect(view.text, tick, viewIndex(view))) {
            const o = toOriginal(view, f.start, f.end);
            // Built field by field (not spread): same keys in the same order, a fraction of the cost.
            const pf: PartFinding = {
              type: f.type,
              start: o.start,
              end: o.end,
              confidence: f.confidence,
              evidence: f.evidence,
              detector: scanner,
            };
            if (via) pf.via = via;
            findings.push(pf);
          }
          tick();
        }
      }
      const elapsed = started === undefined ? 0 : clock!.now() - started;
      if (elapsed > config.limits.scannerBudgetMs) {
        failed(
          coverage,
          part,
          scanner,
          `took ${elapsed} ms, above limits.scannerBudgetMs (${config.limits.scannerBudgetMs})`,
        );
        discard(findings, scanner);
        if (scanner === 'injection') injection = undefined;
      } else {
        coverage.push({
          scanner,
          part,
          status: 'ran',
          ...(prepared.views.length > 1
            ? { reason: `${prepared.views.length} views (decoded or hidden text)` }
            : {}),
        });
      }
    } catch (e) {
      failed(
        coverage,
        part,
        scanner,
        e instanceof DeadlineExceeded
          ? 'scan deadline exceeded'
          : `scanner threw: ${(e as Error).name}: ${(e as Error).message}`.slice(0, 200),
      );
      discard(findings, scanner);
      if (scanner === 'injection') injection = undefined;
    }
  }
  // The views die with this call: their indexes' arrays go to the next scan's indexes.
  for (const v of prepared.views) v.index?.grams.release();
  return { findings: dedupe(findings), coverage, injection };
}

function discard(findings: PartFinding[], scanner: ScannerName): void {
  for (let i = findings.length - 1; i >= 0; i--) if (findings[i]!.detector === scanner) findings.splice(i, 1);
}
