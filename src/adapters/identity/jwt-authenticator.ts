/**
 * Agents authenticated by JWTs, and the JWT (RFC 7519) verification with node:crypto: RS256, ES256 and EdDSA against configured
 * public keys or a JWKS file. Refused outright: `alg: none`, every HS* (a public key must never
 * be used as an HMAC secret), unknown algorithms, `crit` headers, keys of the wrong type for the
 * algorithm, RSA keys under 2048 bits. Checked: issuer (exact), audience, exp (required), nbf,
 * iat, maximum lifetime, subject. Failure reasons are for logs and never include the token.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AgentIdentity, Credential } from '../../core/action.js';
import type { Authenticator } from '../../ports/authenticator.js';
import { err, ok, type Result } from '../../core/result.js';

export type JwtAlgorithm = 'RS256' | 'ES256' | 'EdDSA';
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

export interface JwtKey {
  kid?: string;
  key: KeyObject;
}

export interface JwtIssuer {
  issuer: string;
  /** The token's `aud` must contain one of these. */
  audiences: readonly string[];
  algorithms: readonly JwtAlgorithm[];
  keys: readonly JwtKey[];
  /** Refuse tokens valid for longer than this (exp - iat). */
  maxLifetimeSeconds: number;
}

export type JwtClaims = Record<string, unknown> & { iss: string; sub: string; exp: number };

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
export const MAX_TOKEN_LENGTH = 8192;

export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts.every((p) => SEGMENT.test(p));
}

export class JwtVerifier {
  private readonly byIssuer = new Map<string, JwtIssuer>();

  constructor(
    issuers: readonly JwtIssuer[],
    private readonly clockSkewSeconds = 30,
  ) {
    for (const i of issuers) {
      if (this.byIssuer.has(i.issuer)) throw new Error(`issuer ${i.issuer} is configured twice`);
      for (const k of i.keys) assertUsableKey(k.key);
      this.byIssuer.set(i.issuer, i);
    }
  }

  /** `nowMs`: the gateway clock. */
  verify(token: string, nowMs: number): Result<JwtClaims, string> {
    if (token.length > MAX_TOKEN_LENGTH) return err('token too long');
    if (!looksLikeJwt(token)) return err('not a compact JWS');
    const [h, p, s] = token.split('.') as [string, string, string];
    const header = decodeJson(h);
    const claims = decodeJson(p);
    if (header === null || claims === null) return err('header or payload is not a JSON object');
    const alg = header.alg;
    if (typeof alg !== 'string' || !(JWT_ALGORITHMS as readonly string[]).includes(alg))
      return err(`algorithm ${String(alg)} is not accepted`);
    if (header.crit !== undefined) return err('crit header parameters are not supported');
    if (
      header.typ !== undefined &&
      !(typeof header.typ === 'string' && /^(jwt|at\+jwt|application\/(at\+)?jwt)$/i.test(header.typ))
    ) {
      return err('typ is not JWT');
    }
    if (typeof claims.iss !== 'string') return err('no issuer');
    const issuer = this.byIssuer.get(claims.iss);
    if (issuer === undefined) return err('unknown issuer');
    if (!(issuer.algorithms as readonly string[]).includes(alg))
      return err(`algorithm ${alg} is not accepted for this issuer`);
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const candidates = issuer.keys.filter(
      (k) =>
        (kid === undefined || k.kid === undefined || k.kid === kid) && keyFits(k.key, alg as JwtAlgorithm),
    );
    if (candidates.length === 0) return err('no key for this kid and algorithm');
    const signed = Buffer.from(`${h}.${p}`, 'ascii');
    const signature = Buffer.from(s, 'base64url');
    if (!candidates.some((k) => checkSignature(alg as JwtAlgorithm, k.key, signed, signature)))
      return err('bad signature');
    return checkClaims(claims, issuer, nowMs / 1000, this.clockSkewSeconds);
  }
}

function checkClaims(
  c: Record<string, unknown>,
  issuer: JwtIssuer,
  now: number,
  skew: number,
): Result<JwtClaims, string> {
  const aud = c.aud;
  const auds =
    typeof aud === 'string'
      ? [aud]
      : Array.isArray(aud)
        ? aud.filter((a): a is string => typeof a === 'string')
        : [];
  if (!auds.some((a) => issuer.audiences.includes(a))) return err('audience does not match');
  if (!isNumericDate(c.exp)) return err('no expiry');
  if (now >= c.exp + skew) return err('expired');
  if (c.nbf !== undefined && (!isNumericDate(c.nbf) || now < c.nbf - skew)) return err('not yet valid');
  if (c.iat !== undefined && (!isNumericDate(c.iat) || c.iat > now + skew))
    return err('issued in the future');
  const start = isNumericDate(c.iat) ? c.iat : isNumericDate(c.nbf) ? c.nbf : now;
  if (c.exp - start > issuer.maxLifetimeSeconds) return err('lifetime longer than allowed');
  if (typeof c.sub !== 'string' || !SUBJECT.test(c.sub)) return err('missing or malformed subject');
  return ok(c as JwtClaims);
}

function isNumericDate(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function keyFits(key: KeyObject, alg: JwtAlgorithm): boolean {
  switch (alg) {
    case 'RS256':
      return key.asymmetricKeyType === 'rsa';
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448';
  }
}

function checkSignature(alg: JwtAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    switch (alg) {
      case 'RS256':
        return verify('sha256', data, key, signature);
      case 'ES256':
        return (
          signature.length === 64 && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
        );
      case 'EdDSA':
        return verify(null, data, key, signature);
    }
  } catch {
    return false;
  }
}

function assertUsableKey(key: KeyObject): void {
  if (key.type !== 'public') throw new Error('JWT verification keys must be public keys');
  const t = key.asymmetricKeyType;
  if (t === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    throw new Error('RSA keys must have at least 2048 bits');
  if (t !== 'rsa' && t !== 'ec' && t !== 'ed25519' && t !== 'ed448')
    throw new Error(`unsupported key type ${String(t)}`);
}

/** A PEM public key (SPKI or PKCS#1). Private keys are refused: only the public half belongs here. */
export function publicKeyFromPem(pem: string, kid?: string): JwtKey {
  if (/PRIVATE KEY/.test(pem)) throw new Error('a private key was given where a public key belongs');
  const key = createPublicKey(pem);
  return kid === undefined ? { key } : { kid, key };
}

/** Keys of a JWKS document (RFC 7517). Symmetric and private keys are refused. */
export function keysFromJwks(text: string): JwtKey[] {
  const doc = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(doc.keys)) throw new Error('a JWKS document has a "keys" list');
  return doc.keys.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw new Error(`keys[${i}] is not an object`);
    const jwk = raw as Record<string, unknown>;
    if (jwk.kty === 'oct') throw new Error(`keys[${i}] is a symmetric key; HMAC algorithms are not accepted`);
    if ('d' in jwk) throw new Error(`keys[${i}] holds a private key`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw new Error(`keys[${i}] is not a signing key`);
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return typeof jwk.kid === 'string' ? { kid: jwk.kid, key } : { key };
  });
}

export interface JwtIdentityMapping {
  /** Claim holding the roles (a list of strings); default `roles`. */
  rolesClaim: string;
  /** Claim holding the permissions (a list, or a space-separated string like `scope`). */
  permissionsClaim: string;
  /** When set, only these subjects are accepted. */
  subjects?: readonly string[];
}

/** Strings of a claim: a list of strings, or a space-separated string (OAuth `scope`). */
export function claimStrings(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return [];
}

/**
 * Agent credentials: a bearer value shaped like a JWT is verified as one; anything else (or a
 * JWT that fails) goes to the API-key authenticator. The agent's id is the token's `sub`.
 */
export class JwtAuthenticator implements Authenticator {
  readonly name: string;

  constructor(
    private readonly verifier: JwtVerifier,
    private readonly mapping: JwtIdentityMapping,
    private readonly now: () => number,
    private readonly apiKeys: Authenticator | null,
    private readonly onReject?: (reason: string) => void,
  ) {
    this.name = apiKeys === null ? 'jwt' : `jwt+${apiKeys.name}`;
  }

  async authenticate(credential: Credential): Promise<AgentIdentity | null> {
    if (credential.type === 'none') return null;
    const token = credential.type === 'api_key' ? credential.key : credential.token;
    if (looksLikeJwt(token)) {
      const r = this.verifier.verify(token, this.now());
      if (r.ok && (this.mapping.subjects === undefined || this.mapping.subjects.includes(r.value.sub))) {
        const c = r.value;
        return {
          id: c.sub,
          roles: claimStrings(c[this.mapping.rolesClaim]),
          permissions: claimStrings(c[this.mapping.permissionsClaim]),
          attributes: { jwt_issuer: c.iss },
        };
      }
      this.onReject?.(r.ok ? 'subject not allowed' : r.error);
    }
    return this.apiKeys === null ? null : this.apiKeys.authenticate(credential);
  }
}
