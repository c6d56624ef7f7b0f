/**
 * Query-string parsing for the audit API: strict (unknown or repeated parameters, non-numeric
 * indices and loose timestamps are refused with `invalid_request`), so that a typo never widens
 * what an auditor reads without them noticing.
 */
import type { Context } from 'hono';
import { GatewayError } from '../../../core/errors.js';

export const EVENT_ID = /^evt_[0-9a-f]{32}$/;
const INDEX = /^(0|[1-9][0-9]{0,14})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

export const bad = (detail: string): GatewayError => new GatewayError('invalid_request', detail);
export const notFound = (detail: string): GatewayError => new GatewayError('not_found', detail);

/** The query parameters, each given at most once and all in `allowed`. */
export function readQuery(c: Context, allowed: readonly string[]): Record<string, string> {
  const all = c.req.queries();
  const unknown = Object.keys(all).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw bad(
      `unknown query parameter(s): ${unknown.map((k) => k.slice(0, 64)).join(', ')}` +
        (allowed.length > 0 ? `; this endpoint takes ${allowed.join(', ')}` : '; this endpoint takes none'),
    );
  const out: Record<string, string> = {};
  for (const [k, values] of Object.entries(all)) {
    if (values.length !== 1) throw bad(`${k} is given ${values.length} times`);
    out[k] = values[0]!;
  }
  return out;
}

/** A leaf index or tree size: a non-negative decimal integer without sign or leading zeros. */
export function parseIndex(value: string, name: string): number {
  if (!INDEX.test(value))
    throw bad(`${name} must be a non-negative whole number, not ${JSON.stringify(value.slice(0, 40))}`);
  return Number(value);
}

export function optionalIndex(q: Record<string, string>, name: string): number | undefined {
  const v = q[name];
  return v === undefined ? undefined : parseIndex(v, name);
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** RFC 3339 date-time (with `Z` or an offset) to ms since the epoch; null if it is not one. */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return null;
  const ms = Date.parse(text.toUpperCase());
  return Number.isFinite(ms) ? ms : null;
}

export function optionalTime(q: Record<string, string>, name: string): number | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  const ms = parseRfc3339(v);
  if (ms === null) throw bad(`${name} must be an RFC 3339 time such as 2026-01-31T09:30:00Z`);
  return ms;
}

/** A free-text filter value: 1..max characters, matching `pattern`. */
export function optionalName(
  q: Record<string, string>,
  name: string,
  pattern: RegExp,
  hint: string,
): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (!pattern.test(v)) throw bad(`${name} must be ${hint}`);
  return v;
}
