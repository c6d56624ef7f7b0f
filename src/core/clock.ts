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

/** A clock that stands still (for tests); its monotonic time advances 1 µs per reading. */
export function fixedClock(ms: number): Clock {
  let tick = 0n;
  return { now: () => ms, monotonicNs: () => (tick += 1000n) };
}
