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
  // approvals, limits (issue 6)
  approval_closed: { status: 409, title: 'The approval is no longer pending' },
  duplicate_vote: { status: 409, title: 'This person has already voted on the approval' },
  separation_of_duties: { status: 403, title: 'This person may not decide this approval' },
  rate_limited: { status: 429, title: 'A rate limit or budget is exhausted' },
  rate_limit_store_unavailable: { status: 503, title: 'The rate-limit counter store is unavailable' },
  // audit ledger (issue 3)
  audit_event_invalid: { status: 500, title: 'An audit event could not be encoded for the ledger' },
  audit_key_invalid: { status: 500, title: 'The ledger signing key is missing, unreadable or unsafe' },
  audit_witness_unavailable: { status: 502, title: 'The checkpoint witness did not accept a checkpoint' },
  outcome_already_reported: { status: 409, title: 'The outcome of this decision is already in the ledger' },
  internal_error: { status: 500, title: 'Internal error' },
  guardrails_disabled: { status: 409, title: 'Guardrails are turned off in the configuration' },
  // guardrails
  guardrail_config_invalid: { status: 422, title: 'Guardrails configuration is invalid' },
  guardrail_pattern_rejected: { status: 422, title: 'A custom guardrail pattern was rejected' },
  // MCP gateway (docs/mcp.md)
  mcp_upstream_unavailable: { status: 503, title: 'The MCP upstream is not connected' },
  mcp_upstream_timeout: { status: 504, title: 'The MCP upstream did not answer in time' },
  mcp_upstream_error: { status: 502, title: 'The MCP upstream answered with an error or garbage' },
  mcp_unknown_tool: { status: 404, title: 'No such tool or prompt' },
  mcp_resource_not_found: { status: 404, title: 'No upstream offers this resource' },
  mcp_invalid_arguments: { status: 400, title: "Arguments do not match the tool's input schema" },
  mcp_arguments_too_large: { status: 413, title: 'Tool arguments are larger than the configured limit' },
  mcp_result_too_large: { status: 502, title: 'The upstream result is larger than the configured limit' },
  mcp_output_blocked: { status: 403, title: 'An output guardrail blocked the upstream result' },
  mcp_tool_definition_changed: { status: 409, title: 'The tool definition differs from its pin' },
  mcp_tool_suspicious: { status: 409, title: 'The tool definition looks poisoned' },
  mcp_tool_name_invalid: { status: 409, title: 'The tool name cannot be offered downstream' },
  mcp_pins_invalid: { status: 500, title: 'The MCP pins file is invalid' },
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
