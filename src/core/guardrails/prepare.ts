/**
 * Turns one part's original text into the views the scanners read: the normalised text itself,
 * text hidden in tag characters, and every block-encoded span that decodes to text (recursively,
 * up to `maxDepth`, and within a budget of decoded characters). Each view keeps its offset map to
 * the original, so every finding lands on the original text.
 */
import { decodedView, findEncodedSpans, unescapeInline, type Encoding } from './decode.js';
import { normaliseView, type NormaliseOptions, type NormaliseStats } from './normalise.js';
import { indexText } from './text-index.js';
import { identityView, type TextView } from './text-view.js';

export interface PrepareOptions extends NormaliseOptions {
  encodings: ReadonlySet<Encoding>;
  maxDepth: number;
  maxDecodedChars: number;
}

export interface PrepareStats extends NormaliseStats {
  /** Inline escapes decoded in place (percent, HTML, \u). */
  inlineEncodings: Encoding[];
  /** Block-encoded spans decoded into views of their own. */
  decodedSpans: number;
  /** The decode budget or depth limit stopped decoding somewhere. */
  truncated: boolean;
}

export interface PreparedText {
  original: string;
  /** views[0] is the normalised text; the rest are hidden or decoded spans. */
  views: TextView[];
  stats: PrepareStats;
}

function addStats(into: PrepareStats, s: NormaliseStats): void {
  into.invisible += s.invisible;
  into.bidi += s.bidi;
  into.tags += s.tags;
  into.mixedScript += s.mixedScript;
  into.confusables += s.confusables;
}

/** Inline unescaping (at most two nested layers, e.g. %2541) then Unicode normalisation. */
function normaliseFull(view: TextView, opts: PrepareOptions, stats: PrepareStats): TextView[] {
  let v = view;
  if (opts.encodings.has('percent') || opts.encodings.has('html') || opts.encodings.has('unicode_escape')) {
    for (let pass = 0; pass < 2; pass++) {
      const r = unescapeInline(v);
      if (!r) break;
      v = r.view;
      for (const e of r.encodings) if (!stats.inlineEncodings.includes(e)) stats.inlineEncodings.push(e);
    }
  }
  const n = normaliseView(v, opts);
  addStats(stats, n.stats);
  return n.hidden ? [n.view, normaliseView(n.hidden, opts).view] : [n.view];
}

export function prepareText(text: string, opts: PrepareOptions): PreparedText {
  const stats: PrepareStats = {
    invisible: 0,
    bidi: 0,
    tags: 0,
    mixedScript: 0,
    confusables: 0,
    inlineEncodings: [],
    decodedSpans: 0,
    truncated: false,
  };
  const views = normaliseFull(identityView(text), opts, stats);
  const queue = [...views];
  let budget = opts.maxDecodedChars;
  const blockEncodings = opts.encodings;
  while (queue.length > 0) {
    const v = queue.shift()!;
    const spans = findEncodedSpans(v, blockEncodings, (v.index ??= indexText(v.text)));
    if (spans.length > 0 && v.depth >= opts.maxDepth) {
      stats.truncated = true;
      continue;
    }
    for (const span of spans) {
      if (span.text.length > budget) {
        stats.truncated = true;
        continue;
      }
      budget -= span.text.length;
      stats.decodedSpans++;
      for (const dv of normaliseFull(decodedView(v, span), opts, stats)) {
        views.push(dv);
        queue.push(dv);
      }
    }
  }
  return { original: text, views, stats };
}
