/**
 * Namespacing of upstream names. Every tool and prompt an upstream offers appears downstream as
 * `<upstream>.<name>`. Upstream names may not contain a dot, so the first dot always separates
 * the two halves and two upstreams can never produce the same qualified name.
 */

/** Upstream names: lower-case letters, digits, `_` and `-`; no dot (it is the separator). */
export const UPSTREAM_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** The longest tool name the MCP specification (2025-11-25) recommends clients accept. */
export const MAX_QUALIFIED_NAME_LENGTH = 128;

/** Characters the MCP specification allows in tool names. */
const TOOL_NAME_CHARS = /^[A-Za-z0-9_.-]+$/;

export function isUpstreamName(name: string): boolean {
  return UPSTREAM_NAME_PATTERN.test(name);
}

export function qualifyName(upstream: string, name: string): string {
  return `${upstream}.${name}`;
}

export interface QualifiedName {
  upstream: string;
  name: string;
}

/** Splits `<upstream>.<name>` at the first dot; null when there is no dot or a half is empty. */
export function splitQualifiedName(qualified: string): QualifiedName | null {
  const dot = qualified.indexOf('.');
  if (dot <= 0 || dot === qualified.length - 1) return null;
  const upstream = qualified.slice(0, dot);
  if (!isUpstreamName(upstream)) return null;
  return { upstream, name: qualified.slice(dot + 1) };
}

/**
 * Why a qualified name cannot be offered downstream, or null when it can. Names with characters
 * outside the specification's set or longer than 128 characters are held back: clients may
 * reject them, and odd characters are a way to impersonate another tool in a listing.
 */
export function qualifiedNameProblem(qualified: string): string | null {
  if (qualified.length > MAX_QUALIFIED_NAME_LENGTH)
    return `longer than ${MAX_QUALIFIED_NAME_LENGTH} characters`;
  if (!TOOL_NAME_CHARS.test(qualified)) return 'contains characters outside A-Z a-z 0-9 _ - .';
  return null;
}
