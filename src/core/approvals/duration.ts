/**
 * Durations as policy and config write them: shorthand (`30m`, `4h`, `1h30m`, `2d`, `45s`) or
 * ISO 8601 (`PT4H`, `P1D`, `P1W`). ISO years and months are refused: their length in
 * milliseconds is not fixed.
 */
const SHORTHAND = /^(?:\d+[dhms])+$/;
const SHORT_PART = /(\d+)([dhms])/g;
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** Milliseconds of a duration string, or null when it is not one (or is zero or absurdly long). */
export function parseDurationMs(text: string): number | null {
  let ms = 0;
  if (SHORTHAND.test(text)) {
    for (const m of text.matchAll(SHORT_PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  } else {
    const m = ISO.exec(text);
    if (m === null || text === 'P' || text.endsWith('T')) return null;
    const [w, d, h, min, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [
      number,
      number,
      number,
      number,
      number,
    ];
    ms = (w * 7 + d) * UNIT_MS.d! + h * UNIT_MS.h! + min * UNIT_MS.m! + s * UNIT_MS.s!;
  }
  // Ten years is the longest duration anything here needs.
  return ms > 0 && ms <= 10 * 366 * UNIT_MS.d! ? ms : null;
}
