/**
 * Validation of `limits:` entries as written in a policy file (after YAML → JSON). The policy
 * parser (src/core/policy/limits.ts) calls `checkLimitSpec` on each entry and maps every issue's
 * path back to a file position; `validateLimitSpec` gives the same issues as plain messages.
 */
import { z } from 'zod';
import { parseDurationMs } from '../approvals/duration.js';
import { GLOB_HINT, GLOB_PATTERN } from '../policy/glob.js';
import { err, ok, type Result } from '../result.js';
import { DEFAULT_ROLLING_BUCKETS, type LimitSpec } from './types.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const glob = z.string().max(256).regex(GLOB_PATTERN, GLOB_HINT);
const cel = z.string().min(1).max(4096);
const positive = z.number().finite().positive().max(1e15);

const base = {
  id: z.string().regex(ID, 'an id (letters, digits, . _ -, at most 128)'),
  description: z.string().max(4096).optional(),
  target: z
    .strictObject({ kinds: z.array(glob).default([]), tools: z.array(glob).default([]) })
    .default({ kinds: [], tools: [] }),
  key: cel.optional(),
};

const duration = z
  .string()
  .refine((s) => parseDurationMs(s) !== null, 'a duration like 60s, 1h, 24h, 7d or PT24H');

const limitSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...base,
    kind: z.literal('token_bucket'),
    capacity: positive,
    refill_per_second: z.number().finite().min(0).max(1e12),
  }),
  z
    .strictObject({
      ...base,
      kind: z.literal('rolling_sum'),
      window: duration.optional(),
      window_ms: z
        .number()
        .int()
        .positive()
        .max(10 * 366 * 86_400_000)
        .optional(),
      max: positive,
      amount: cel.optional(),
      buckets: z.number().int().min(1).max(1000).default(DEFAULT_ROLLING_BUCKETS),
    })
    .refine(
      (l) => (l.window === undefined) !== (l.window_ms === undefined),
      'set exactly one of window or window_ms',
    ),
]);

/** The keys an entry of each kind may have, and those of `target`. */
export const LIMIT_SPEC_KEYS: Readonly<{
  token_bucket: readonly string[];
  rolling_sum: readonly string[];
  target: readonly string[];
}> = {
  token_bucket: Object.keys(limitSchema.options[0].shape),
  rolling_sum: Object.keys(limitSchema.options[1].shape),
  target: ['kinds', 'tools'],
};

/** One problem with a `limits:` entry. */
export interface LimitSpecIssue {
  /** Where, inside the entry: keys and list indexes; empty for the entry itself. */
  path: ReadonlyArray<string | number>;
  /**
   * unknown_keys: the map at `path` has `keys` it may not have. type: the value (or a missing
   * one) is not of type `expected`. one_of: the value is not one of `options`. format: the value
   * is not what `message` describes (`a duration like ...`). other: anything else.
   */
  kind: 'unknown_keys' | 'type' | 'one_of' | 'format' | 'other';
  message: string;
  keys?: string[];
  expected?: string;
  options?: string[];
}

/** One `limits:` entry → LimitSpec, or messages like `capacity: Too small`. */
export function validateLimitSpec(raw: unknown): Result<LimitSpec, string[]> {
  const r = checkLimitSpec(raw);
  if (r.ok) return ok(r.value);
  return err(r.error.map((i) => `${i.path.length === 0 ? '(limit)' : i.path.join('.')}: ${i.message}`));
}

/** One `limits:` entry → LimitSpec, or every issue with its path inside the entry. */
export function checkLimitSpec(raw: unknown): Result<LimitSpec, LimitSpecIssue[]> {
  const r = limitSchema.safeParse(raw);
  if (!r.success) return err(r.error.issues.map(toIssue));
  const v = r.data;
  const common = {
    id: v.id,
    target: v.target,
    ...(v.description === undefined ? {} : { description: v.description }),
    ...(v.key === undefined ? {} : { key: v.key }),
  };
  if (v.kind === 'token_bucket') {
    return ok({
      ...common,
      kind: 'token_bucket',
      capacity: v.capacity,
      refill_per_second: v.refill_per_second,
    });
  }
  return ok({
    ...common,
    kind: 'rolling_sum',
    window_ms: v.window_ms ?? parseDurationMs(v.window!)!,
    max: v.max,
    buckets: v.buckets,
    ...(v.amount === undefined ? {} : { amount: v.amount }),
  });
}

function toIssue(i: z.core.$ZodIssue): LimitSpecIssue {
  const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
  const base = { path, message: i.message };
  if (i.code === 'unrecognized_keys') return { ...base, kind: 'unknown_keys', keys: [...i.keys] };
  if (i.code === 'invalid_type') return { ...base, kind: 'type', expected: i.expected };
  if (i.code === 'invalid_union' && 'options' in i && Array.isArray(i.options))
    return { ...base, kind: 'one_of', options: i.options.map(String) };
  if (i.code === 'invalid_format' || (i.code === 'custom' && path.length > 0))
    return { ...base, kind: 'format' };
  return { ...base, kind: 'other' };
}
