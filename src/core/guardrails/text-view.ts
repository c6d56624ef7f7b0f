/**
 * A TextView is a transformed copy of a part's text (normalised, or decoded) together with the map
 * back to offsets in the ORIGINAL text. Every view character i covers the original range
 * [startOf(i), endOf(i)). Scanners work on views; the engine maps their spans back with `toOriginal`.
 */
import type { TextIndex } from './text-index.js';

export type OffsetMap =
  | { kind: 'identity'; base: number }
  | { kind: 'constant'; start: number; end: number }
  | { kind: 'table'; starts: Int32Array; ends: Int32Array };

export interface TextView {
  text: string;
  map: OffsetMap;
  /** Encodings peeled off to reach this view, outermost first ([] for the part itself). */
  via: string[];
  depth: number;
  /** The view's index for the scanners, built once when first needed (see text-index.ts). */
  index?: TextIndex;
}

export function identityView(text: string, base = 0): TextView {
  return { text, map: { kind: 'identity', base }, via: [], depth: 0 };
}

export function startOf(map: OffsetMap, i: number): number {
  switch (map.kind) {
    case 'identity':
      return map.base + i;
    case 'constant':
      return map.start;
    case 'table':
      return map.starts[i]!;
  }
}

export function endOf(map: OffsetMap, i: number): number {
  switch (map.kind) {
    case 'identity':
      return map.base + i + 1;
    case 'constant':
      return map.end;
    case 'table':
      return map.ends[i]!;
  }
}

/** Maps the view span [start, end) to the smallest original span that covers it. */
export function toOriginal(view: TextView, start: number, end: number): { start: number; end: number } {
  const n = view.text.length;
  if (n === 0) return { start: startOf(view.map, 0), end: startOf(view.map, 0) };
  const s = Math.min(Math.max(start, 0), n - 1);
  const e = Math.min(Math.max(end, s + 1), n);
  if (view.map.kind === 'identity') return { start: view.map.base + s, end: view.map.base + e };
  if (view.map.kind === 'constant') return { start: view.map.start, end: view.map.end };
  // Characters may be reordered only within one source unit, so scan the span for min/max.
  let lo = Infinity;
  let hi = -Infinity;
  const { starts, ends } = view.map;
  // Spans are short in practice; bound the walk for safety on very long spans.
  if (e - s <= 4096) {
    for (let i = s; i < e; i++) {
      if (starts[i]! < lo) lo = starts[i]!;
      if (ends[i]! > hi) hi = ends[i]!;
    }
  } else {
    lo = Math.min(starts[s]!, starts[e - 1]!);
    hi = Math.max(ends[s]!, ends[e - 1]!);
  }
  return { start: lo, end: hi };
}

/**
 * Builds a new view from a previous one: every pushed piece of output text records which range of
 * the previous view it came from, and the builder translates that to original offsets at once, so
 * chained transformations compose without keeping intermediate maps.
 */
export class ViewBuilder {
  private parts: string[] = [];
  private starts: Int32Array;
  private ends: Int32Array;
  private len = 0;

  constructor(
    private readonly prev: OffsetMap,
    sizeHint: number,
  ) {
    const cap = Math.max(16, sizeHint);
    this.starts = new Int32Array(cap);
    this.ends = new Int32Array(cap);
  }

  /** Appends `out`, produced from previous-view characters [srcStart, srcEnd). */
  push(out: string, srcStart: number, srcEnd: number): void {
    const n = out.length;
    if (n === 0) return;
    this.ensure(n);
    const s = startOf(this.prev, srcStart);
    const e = endOf(this.prev, Math.max(srcStart, srcEnd - 1));
    for (let k = 0; k < n; k++) {
      this.starts[this.len + k] = s;
      this.ends[this.len + k] = e;
    }
    this.parts.push(out);
    this.len += n;
  }

  /** Appends previous-view characters [srcStart, srcEnd) unchanged, one to one. */
  copy(src: string, srcStart: number, srcEnd: number): void {
    if (srcEnd > srcStart) this.pushAligned(src.slice(srcStart, srcEnd), srcStart);
  }

  /** Appends `out` where out[k] came from previous-view character srcStart + k. */
  pushAligned(out: string, srcStart: number): void {
    const n = out.length;
    if (n === 0) return;
    this.ensure(n);
    for (let k = 0; k < n; k++) {
      this.starts[this.len + k] = startOf(this.prev, srcStart + k);
      this.ends[this.len + k] = endOf(this.prev, srcStart + k);
    }
    this.parts.push(out);
    this.len += n;
  }

  /** Widens the last character's original range to cover dropped previous-view chars up to srcEnd. */
  extendLast(srcEnd: number): void {
    if (this.len === 0) return;
    const e = endOf(this.prev, srcEnd - 1);
    if (e > this.ends[this.len - 1]!) this.ends[this.len - 1] = e;
  }

  finish(via: string[], depth: number): TextView {
    return {
      text: this.parts.join(''),
      map: {
        kind: 'table',
        starts: this.starts.subarray(0, this.len),
        ends: this.ends.subarray(0, this.len),
      },
      via,
      depth,
    };
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.starts.length) return;
    let cap = this.starts.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const s = new Int32Array(cap);
    const e = new Int32Array(cap);
    s.set(this.starts.subarray(0, this.len));
    e.set(this.ends.subarray(0, this.len));
    this.starts = s;
    this.ends = e;
  }
}
