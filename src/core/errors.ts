/**
 * The one error registry. Every failure that is not an expected outcome is a GatewayError with a
 * stable snake_case code from this table. Codes are never renamed or reused; each has a page in
 * docs/errors/<code>.md (a test keeps the two in step).
 */
export const ERROR_REGISTRY = {
  // request shape (HTTP 4xx)
  invalid_json: { status: 400, title: 'Request body is not valid JSON' },
  invalid_request: { status: 400, title: 'Request does not match the schema' },
  nesting_too_deep: { status: 400, title: 'Request nesting is deeper than the configured limit' },
  payload_too_large: { status: 413, title: 'Request body is larger than the configured limit' },
  unsupported_media_type: { status: 415, title: 'Request body must be application/json' },
  not_found: { status: 404, title: 'No such resource' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  // identity
  unauthenticated: { status: 401, title: 'Missing or invalid credential' },
  forbidden: { status: 403, title: 'The credential lacks the role for this operation' },
  // policy
  policy_parse_error: { status: 422, title: 'Policy file could not be parsed' },
  policy_compile_error: { status: 422, title: 'Policy condition could not be compiled' },
  policy_eval_error: { status: 500, title: 'Policy condition failed while evaluating' },
  policy_not_loaded: { status: 503, title: 'No policy set is active' },
  // configuration
  config_invalid: { status: 500, title: 'Configuration is invalid' },
  config_not_found: { status: 500, title: 'Configuration file not found' },
  // pipeline and stores
  guardrail_failed: { status: 500, title: 'A guardrail scanner failed' },
  audit_store_unavailable: { status: 503, title: 'The audit ledger cannot write' },
  approval_store_unavailable: { status: 503, title: 'The approval store is unavailable' },
  internal_error: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_REGISTRY;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_REGISTRY, value);
}

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  rule?: string;
  path?: string;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly location: ErrorLocation | undefined;
  readonly extra: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { location?: ErrorLocation; cause?: unknown; extra?: Record<string, unknown> } = {},
  ) {
    super(`${code}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERROR_REGISTRY[code].status;
    this.detail = detail;
    this.location = options.location;
    this.extra = options.extra;
  }
}

/** Wraps anything thrown into a GatewayError without leaking its message into wire output. */
export function toGatewayError(err: unknown, fallback: ErrorCode = 'internal_error'): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError(fallback, ERROR_REGISTRY[fallback].title, { cause: err });
}

/** "file:line:column" for messages; parts that are unknown are left out. */
export function formatLocation(loc: ErrorLocation | undefined): string {
  if (!loc) return '';
  const pos = [loc.file, loc.line, loc.column].filter((p) => p !== undefined).join(':');
  const rule = loc.rule === undefined ? '' : ` (rule ${loc.rule})`;
  return `${pos}${rule}`;
}
