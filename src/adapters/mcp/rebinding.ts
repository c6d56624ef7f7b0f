/**
 * DNS-rebinding protection for /mcp (MCP transports: servers MUST validate Origin). When the
 * gateway listens on loopback, only loopback Host names are accepted and a browser Origin must be
 * a loopback origin too. Otherwise Host is checked only against `mcp.http.allowed_hosts` (when
 * set), and an Origin header is accepted only when listed in `mcp.http.allowed_origins`.
 * Requests without Origin (agents, SDK clients, curl) are not browser requests and pass.
 */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface RebindingRules {
  /** Host names (without port) or host:port values accepted; null = any. */
  hosts: ReadonlySet<string> | null;
  loopbackOnly: boolean;
  origins: ReadonlySet<string>;
}

export function rebindingRules(
  bindHost: string,
  http: { allowed_hosts?: string[] | undefined; allowed_origins?: string[] | undefined },
): RebindingRules {
  const loopbackOnly = LOOPBACK_NAMES.has(bindHost) || bindHost.startsWith('127.');
  const hosts =
    http.allowed_hosts !== undefined
      ? new Set(http.allowed_hosts.map((h) => h.toLowerCase()))
      : loopbackOnly
        ? LOOPBACK_NAMES
        : null;
  return {
    hosts,
    loopbackOnly,
    origins: new Set((http.allowed_origins ?? []).map((o) => o.toLowerCase().replace(/\/$/, ''))),
  };
}

function hostname(hostHeader: string): string {
  const h = hostHeader.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

export function hostAllowed(rules: RebindingRules, hostHeader: string | undefined): boolean {
  if (rules.hosts === null) return true;
  if (hostHeader === undefined) return false;
  return rules.hosts.has(hostHeader.toLowerCase()) || rules.hosts.has(hostname(hostHeader));
}

export function originAllowed(rules: RebindingRules, origin: string | undefined): boolean {
  if (origin === undefined) return true;
  const o = origin.toLowerCase().replace(/\/$/, '');
  if (rules.origins.has(o)) return true;
  if (!rules.loopbackOnly) return false;
  try {
    return LOOPBACK_NAMES.has(new URL(o).hostname);
  } catch {
    return false;
  }
}
