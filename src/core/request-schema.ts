import { z } from 'zod';
import type { DecideRequestV1 } from './action.js';

/**
 * Wire schema of a decision request (POST /v1/decide and the SDK). Strict: unknown fields are
 * rejected so that a typo (`contxt`) never silently drops facts that policy depends on.
 */
const name = z.string().min(1).max(256);

export const actionSchema = z.strictObject({
  kind: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[a-z][a-z0-9_.\-/]*$/, 'lower-case letters, digits and . _ - /'),
  tool: name.optional(),
  server: name.optional(),
  args: z.record(z.string(), z.json()).default({}),
  prompt: z
    .string()
    .max(1024 * 1024)
    .optional(),
});

export const contextSchema = z.strictObject({
  environment: name.optional(),
  region: name.optional(),
  purpose: name.optional(),
  data_classification: name.optional(),
  lineage: z.array(name).max(1000).optional(),
  confidence: z.number().min(0).max(1).optional(),
  session_id: name.optional(),
  attributes: z.record(z.string(), z.json()).optional(),
});

export const impactSchema = z.strictObject({
  amount: z.number().finite().optional(),
  currency: z.string().length(3).optional(),
  records: z.number().int().min(0).optional(),
  cost_usd: z.number().finite().min(0).optional(),
});

export const decideRequestSchema = z.strictObject({
  action: actionSchema,
  context: contextSchema.optional(),
  on_behalf_of: name.optional(),
  impact: impactSchema.optional(),
  explain: z.boolean().optional(),
});

export interface SchemaIssue {
  path: string;
  message: string;
}

export function parseDecideRequest(
  value: unknown,
): { ok: true; value: DecideRequestV1 } | { ok: false; issues: SchemaIssue[] } {
  const r = decideRequestSchema.safeParse(value);
  if (r.success) return { ok: true, value: r.data as DecideRequestV1 };
  return {
    ok: false,
    issues: r.error.issues.slice(0, 20).map((i) => ({
      path: i.path.map(String).join('.') || '(root)',
      message:
        i.code === 'unrecognized_keys'
          ? `unknown field(s): ${(i as { keys: string[] }).keys.join(', ')}`
          : i.message,
    })),
  };
}
