/** Core code never reads the clock or randomness directly; these are injected (DESIGN.md section 2). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Monotonic high-resolution time in nanoseconds, for timings only. */
  monotonicNs(): bigint;
}

export interface IdGen {
  /** Next value of a per-instance monotonically increasing sequence. */
  nextSequence(): number;
  /** Random identifier (for secrets and nonces, never for decision ids). */
  randomId(bytes?: number): string;
}

export function fixedClock(ms: number): Clock {
  let t = ms;
  return { now: () => t, monotonicNs: () => BigInt(t++) * 1_000_000n };
}
