import type { Requirement } from './types.js';

/**
 * Is every requirement met by distinct people? Each requirement is `count` seats; a person may
 * take one seat in total, in a requirement where they hold one of its roles. This is a
 * bipartite matching (augmenting paths), so one person never counts twice even when they hold
 * roles for several requirements.
 */
export function quorumMet(
  requirements: readonly Requirement[],
  approvers: ReadonlyArray<{ by: string; roles: readonly string[] }>,
): boolean {
  return seatsFilled(requirements, approvers) === requirements.reduce((n, r) => n + r.count, 0);
}

/** How many seats the approvers can fill at most. */
export function seatsFilled(
  requirements: readonly Requirement[],
  approvers: ReadonlyArray<{ by: string; roles: readonly string[] }>,
): number {
  const seats: Requirement[] = requirements.flatMap((r) => Array.from({ length: r.count }, () => r));
  const people = dedupe(approvers);
  const seatOf = new Map<number, number>(); // seat index -> person index
  const fits = (p: number, s: number): boolean =>
    seats[s]!.roles.some((role) => people[p]!.roles.includes(role));

  const augment = (p: number, visited: Set<number>): boolean => {
    for (let s = 0; s < seats.length; s++) {
      if (visited.has(s) || !fits(p, s)) continue;
      visited.add(s);
      const holder = seatOf.get(s);
      if (holder === undefined || augment(holder, visited)) {
        seatOf.set(s, p);
        return true;
      }
    }
    return false;
  };
  let filled = 0;
  for (let p = 0; p < people.length; p++) if (augment(p, new Set())) filled++;
  return filled;
}

function dedupe(
  approvers: ReadonlyArray<{ by: string; roles: readonly string[] }>,
): Array<{ by: string; roles: readonly string[] }> {
  const seen = new Set<string>();
  return approvers.filter((a) => (seen.has(a.by) ? false : (seen.add(a.by), true)));
}
