import type { Context } from 'hono';
import { ERROR_REGISTRY, GatewayError, type ErrorCode } from '../../core/errors.js';

/** RFC 9457 problem details. `type` is a URN naming the stable code; docs/errors/<code>.md explains it. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  [extension: string]: unknown;
}

export function problemOf(
  code: ErrorCode,
  detail: string,
  extra: Record<string, unknown> = {},
): ProblemDetails {
  const entry = ERROR_REGISTRY[code];
  return {
    type: `urn:portcullis:error:${code}`,
    title: entry.title,
    status: entry.status,
    detail,
    code,
    ...extra,
  };
}

export function problemResponse(
  c: Context,
  code: ErrorCode,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const body = problemOf(code, detail, extra);
  return c.body(JSON.stringify(body), body.status as 400, {
    'content-type': 'application/problem+json',
    ...headers,
  });
}

/** Internal errors never leak their message: the client gets the code and the registry title. */
export function problemFromError(c: Context, err: unknown): Response {
  if (err instanceof GatewayError && err.status < 500) return problemResponse(c, err.code, err.detail);
  const code = err instanceof GatewayError ? err.code : 'internal_error';
  return problemResponse(c, code, ERROR_REGISTRY[code].title);
}
