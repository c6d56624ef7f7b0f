import { round6 } from './token-bucket.js';
import type { CounterState, RollingSumParams } from './types.js';

/**
 * A rolling window kept as slices: `[slice index, sum]` pairs in ascending index order. Slice i
 * covers [i*w, (i+1)*w) with w = window_ms / buckets. At time t (current slice c) the window
 * counts slices c-buckets .. c, which covers all of [t - window_ms, t]: the count can only be
 * too high (by at most one slice), never too low, so the limit is never exceeded.
 */
export interface RollingState {
  slices: Array<[number, number]>;
}

export function sliceMs(p: RollingSumParams): number {
  return p.window_ms / p.buckets;
}

export function sliceIndex(p: RollingSumParams, at: number): number {
  return Math.floor(at / sliceMs(p));
}

/** Slices still inside the window at `now`. */
export function liveSlices(
  state: RollingState | null,
  p: RollingSumParams,
  now: number,
): Array<[number, number]> {
  if (state === null) return [];
  const oldest = sliceIndex(p, now) - p.buckets;
  return state.slices.filter(([i, sum]) => i >= oldest && sum > 0);
}

/** Adds `cost` to the window if the sum stays within `max`; reports the window either way. */
export function addToWindow(
  state: RollingState | null,
  cost: number,
  p: RollingSumParams,
  now: number,
): { state: RollingState; result: CounterState } {
  const slices = liveSlices(state, p, now);
  const total = slices.reduce((s, [, sum]) => s + sum, 0);
  const admitted = total + cost <= p.max;
  if (admitted && cost > 0) {
    const c = sliceIndex(p, now);
    const last = slices[slices.length - 1];
    if (last !== undefined && last[0] === c) slices[slices.length - 1] = [c, last[1] + cost];
    else slices.push([c, cost]);
  }
  return { state: { slices }, result: windowReport(slices, cost, admitted, p, now) };
}

/** Removes `cost` from the slice it was added to at `at` (the action was not carried out). */
export function removeFromWindow(
  state: RollingState | null,
  cost: number,
  p: RollingSumParams,
  at: number,
  now: number,
): RollingState {
  const target = sliceIndex(p, at);
  const slices = liveSlices(state, p, now)
    .map(([i, sum]): [number, number] => (i === target ? [i, Math.max(0, sum - cost)] : [i, sum]))
    .filter(([, sum]) => sum > 0);
  return { slices };
}

/** When slice `i` leaves the window. */
function dropTime(p: RollingSumParams, i: number): number {
  return (i + p.buckets + 1) * sliceMs(p);
}

export function windowReport(
  slices: Array<[number, number]>,
  cost: number,
  admitted: boolean,
  p: RollingSumParams,
  now: number,
): CounterState {
  const used = slices.reduce((s, [, sum]) => s + sum, 0);
  const newest = slices[slices.length - 1];
  let retry: number | null = admitted ? 0 : null;
  if (!admitted && cost <= p.max) {
    // Oldest slices leave first; find the first moment the cost fits.
    let left = used;
    for (const [i, sum] of slices) {
      left -= sum;
      if (left + cost <= p.max) {
        retry = Math.max(1, Math.ceil(dropTime(p, i) - now));
        break;
      }
    }
  }
  return {
    admitted,
    used: round6(used),
    limit: p.max,
    remaining: round6(Math.max(0, p.max - used)),
    reset_ms: newest === undefined ? 0 : Math.max(0, Math.ceil(dropTime(p, newest[0]) - now)),
    retry_after_ms: retry,
  };
}
