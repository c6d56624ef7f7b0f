/**
 * Maps whatever an upstream call threw to one GatewayError code, and says whether the connection
 * itself is broken (so the upstream must be reconnected) or only this call failed.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { GatewayError, type ErrorCode as GatewayCode } from '../../core/errors.js';

export interface UpstreamFailure {
  code: GatewayCode;
  message: string;
  /** The transport failed (not a JSON-RPC error answer): reconnect before the next call. */
  connectionBroken: boolean;
}

function isZodError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'ZodError' || e.name === '$ZodError');
}

export function classifyUpstreamError(e: unknown, upstream: string): UpstreamFailure {
  if (e instanceof GatewayError) return { code: e.code, message: e.detail, connectionBroken: false };
  if (e instanceof McpError) {
    if (e.code === Number(ErrorCode.RequestTimeout)) {
      return {
        code: 'mcp_upstream_timeout',
        message: `upstream ${upstream} did not answer in time`,
        connectionBroken: false,
      };
    }
    if (e.code === Number(ErrorCode.ConnectionClosed)) {
      return {
        code: 'mcp_upstream_unavailable',
        message: `upstream ${upstream} went away while the call was in flight; it is being restarted`,
        connectionBroken: true,
      };
    }
    // An error answer from the upstream (invalid params, internal error...): this call only.
    return {
      code: 'mcp_upstream_error',
      message: `upstream ${upstream} answered with an error: ${e.message.slice(0, 500)}`,
      connectionBroken: false,
    };
  }
  if (isZodError(e)) {
    return {
      code: 'mcp_upstream_error',
      message: `upstream ${upstream} answered with a malformed result`,
      connectionBroken: false,
    };
  }
  if (e instanceof Error && e.name === 'AbortError') {
    return { code: 'mcp_upstream_error', message: 'the call was cancelled', connectionBroken: false };
  }
  // fetch failures, HTTP status errors (404: session gone), writes to a dead process.
  const detail = e instanceof Error ? e.message.slice(0, 300) : String(e);
  return {
    code: 'mcp_upstream_unavailable',
    message: `upstream ${upstream} cannot be reached: ${detail}`,
    connectionBroken: true,
  };
}
