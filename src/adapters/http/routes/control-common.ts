/** Shared pieces of the approval and admin routes: body reading, refusals, ledger records. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { GatewayError, toGatewayError } from '../../../core/errors.js';
import type { JsonObject } from '../../../core/json.js';
import type { RecordControlEvent } from '../../../ports/approval-store.js';
import type { RoleRefusal } from '../../identity/operators.js';
import { problemResponse } from '../problem.js';
import { readJsonBody } from '../read-json.js';

/** Bodies of these APIs are small: a reason, a comment. */
export const CONTROL_BODY_LIMITS = { maxBytes: 16 * 1024, maxDepth: 8 };

/** Reads and validates a JSON body; no body at all counts as `{}`. Throws GatewayError (400/413/415). */
export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const hasBody = c.req.raw.body !== null && c.req.header('content-length') !== '0';
  const raw = hasBody ? await readJsonBody(c, CONTROL_BODY_LIMITS) : {};
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 10).map((i) => ({
      path: i.path.map(String).join('.') || '(root)',
      message:
        i.code === 'unrecognized_keys'
          ? `unknown field(s): ${(i as { keys: string[] }).keys.join(', ')}`
          : i.message,
    }));
    throw new GatewayError('invalid_request', 'body does not match the schema', {
      extra: { errors: issues },
    });
  }
  return r.data;
}

/** readBody, recording a refused body (malformed, oversized, wrong fields) before answering. */
export async function readBodyRecorded<T>(
  c: Context,
  schema: z.ZodType<T>,
  onRefused: (code: string) => Promise<void> | void,
): Promise<T> {
  try {
    return await readBody(c, schema);
  } catch (e) {
    await onRefused(toGatewayError(e).code);
    throw e;
  }
}

export function invalid(c: Context, detail: string): Response {
  return problemResponse(c, 'invalid_request', detail);
}

/** Answers a refused credential and records the attempt in the ledger. */
export function refusalHandler(record: RecordControlEvent, type: 'approval' | 'admin_action') {
  return async (c: Context, r: RoleRefusal): Promise<Response> => {
    await record({
      type,
      details: {
        kind: 'api_call',
        method: r.method,
        path: r.path,
        operator: r.operator?.id ?? null,
        result: r.status === 401 ? 'unauthenticated' : 'forbidden',
      },
    });
    if (r.status === 401) {
      return problemResponse(
        c,
        'unauthenticated',
        'an operator credential is required',
        {},
        { 'www-authenticate': 'Bearer realm="portcullis"' },
      );
    }
    return problemResponse(c, 'forbidden', 'this operation needs another role');
  };
}

export function apiCall(
  method: string,
  path: string,
  operator: string | null,
  result: string,
  extra: JsonObject = {},
): JsonObject {
  return { kind: 'api_call', method, path, operator, result, ...extra };
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
