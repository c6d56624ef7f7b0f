/**
 * People (operators) and their roles. Built-in roles each carry exactly the rights their name
 * says:
 *   admin          kill switch, posture, gateway status
 *   policy-author  policy changes (policy APIs)
 *   approver       read approvals, approve or deny them
 *   auditor        read approvals, the ledger and gateway status; change nothing
 * Operators may hold further roles that policies name in approval requirements (`treasury`,
 * `security-oncall`); those grant no API rights on their own.
 * Operators authenticate with their own API keys (only SHA-256 hashes are held, compared in
 * constant time) or with JWTs from an operator issuer (never an agent issuer).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Voter } from '../../core/approvals/types.js';
import { hashApiKey } from './api-key-authenticator.js';
import { claimStrings, looksLikeJwt, type JwtVerifier } from './jwt-authenticator.js';
import { headerOf } from '../http/read-body.js';

export const OPERATOR_ROLES = ['admin', 'policy-author', 'approver', 'auditor'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface Operator {
  id: string;
  roles: string[];
  /** Other names of the person (e-mail, directory id): separation of duties compares them. */
  aliases: string[];
  via: 'api_key' | 'jwt';
}

export interface OperatorKeyEntry {
  id: string;
  roles: string[];
  aliases: string[];
  keyHash: Buffer;
  disabled: boolean;
}

export interface OperatorJwt {
  verifier: JwtVerifier;
  rolesClaim: string;
  /** Claim listing the person's other names (default none). */
  aliasesClaim?: string;
}

export class OperatorAuthenticator {
  private readonly byHash = new Map<string, OperatorKeyEntry>();

  constructor(
    entries: readonly OperatorKeyEntry[],
    private readonly jwt: OperatorJwt | null = null,
    private readonly now: () => number = Date.now,
  ) {
    const ids = new Set<string>();
    for (const e of entries) {
      if (ids.has(e.id)) throw new Error(`operator ${e.id} is configured twice`);
      ids.add(e.id);
      const h = e.keyHash.toString('hex');
      if (this.byHash.has(h))
        throw new Error(`operators ${this.byHash.get(h)!.id} and ${e.id} share one API key`);
      this.byHash.set(h, e);
    }
  }

  /** Key hashes in use (the composition root checks that no agent shares one). */
  keyHashes(): string[] {
    return [...this.byHash.keys()];
  }

  authenticate(token: string): Operator | null {
    if (token.length === 0 || token.length > 8192) return null;
    if (this.jwt !== null && looksLikeJwt(token)) {
      const r = this.jwt.verifier.verify(token, this.now());
      if (!r.ok) return null;
      const aliases = this.jwt.aliasesClaim === undefined ? [] : claimStrings(r.value[this.jwt.aliasesClaim]);
      return { id: r.value.sub, roles: claimStrings(r.value[this.jwt.rolesClaim]), aliases, via: 'jwt' };
    }
    const digest = hashApiKey(token);
    const e = this.byHash.get(digest.toString('hex'));
    if (e === undefined || e.disabled || !timingSafeEqual(e.keyHash, digest)) return null;
    return { id: e.id, roles: [...e.roles], aliases: [...e.aliases], via: 'api_key' };
  }
}

export function hasAnyRole(op: Operator, roles: readonly string[]): boolean {
  return op.roles.some((r) => roles.includes(r));
}

export function voterOf(op: Operator): Voter {
  return { id: op.id, roles: op.roles, aliases: op.aliases };
}

export function bearerToken(c: Context): string | null {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headerOf(c, 'authorization') ?? '');
  return m === null ? null : m[1]!;
}

export type OperatorEnv = { Variables: { operator: Operator } };

export interface RoleRefusal {
  status: 401 | 403;
  operator: Operator | null;
  path: string;
  method: string;
}

/**
 * Hono middleware: the request needs an operator credential holding one of `roles`. On success
 * the operator is in `c.get('operator')`; otherwise `refuse` answers (401 or 403).
 */
export function requireRole(
  auth: OperatorAuthenticator,
  roles: readonly OperatorRole[],
  refuse: (c: Context, refusal: RoleRefusal) => Promise<Response> | Response,
): MiddlewareHandler<OperatorEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    const op = token === null ? null : auth.authenticate(token);
    if (op === null)
      return refuse(c, { status: 401, operator: null, path: c.req.path, method: c.req.method });
    if (!hasAnyRole(op, roles))
      return refuse(c, { status: 403, operator: op, path: c.req.path, method: c.req.method });
    c.set('operator', op);
    await next();
  };
}
