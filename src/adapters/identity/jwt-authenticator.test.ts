import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator, hashApiKey } from './api-key-authenticator.js';
import {
  JwtAuthenticator,
  JwtVerifier,
  keysFromJwks,
  publicKeyFromPem,
  type JwtAlgorithm,
  type JwtIssuer,
} from './jwt-authenticator.js';

const NOW = Date.UTC(2026, 0, 1);
const sec = NOW / 1000;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

const b64 = (x: unknown): string =>
  Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

function token(
  claims: Record<string, unknown>,
  alg: JwtAlgorithm = 'EdDSA',
  key: KeyObject = ed.privateKey,
  header: Record<string, unknown> = {},
): string {
  const input = `${b64({ alg, typ: 'JWT', ...header })}.${b64(claims)}`;
  const data = Buffer.from(input);
  const sig =
    alg === 'RS256'
      ? sign('sha256', data, key)
      : alg === 'ES256'
        ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
        : sign(null, data, key);
  return `${input}.${sig.toString('base64url')}`;
}

const good = {
  iss: 'https://idp.example',
  aud: 'portcullis',
  sub: 'pay-bot',
  iat: sec - 60,
  exp: sec + 600,
  roles: ['payments-agent'],
  scope: 'payments:execute payments:read',
};
const issuer: JwtIssuer = {
  issuer: 'https://idp.example',
  audiences: ['portcullis'],
  algorithms: ['RS256', 'ES256', 'EdDSA'],
  keys: [{ key: rsa.publicKey }, { key: ec.publicKey }, { kid: 'ed-1', key: ed.publicKey }],
  maxLifetimeSeconds: 86_400,
};
const verifier = new JwtVerifier([issuer], 30);
const check = (t: string): string => {
  const r = verifier.verify(t, NOW);
  return r.ok ? 'ok' : r.error;
};

describe('JwtVerifier', () => {
  it('accepts valid RS256, ES256 and EdDSA tokens', () => {
    expect(check(token(good, 'RS256', rsa.privateKey))).toBe('ok');
    expect(check(token(good, 'ES256', ec.privateKey))).toBe('ok');
    expect(check(token(good, 'EdDSA', ed.privateKey, { kid: 'ed-1' }))).toBe('ok');
  });

  it('rejects expired tokens (beyond the clock skew) and tokens not yet valid', () => {
    expect(check(token({ ...good, exp: sec - 31 }))).toBe('expired');
    expect(check(token({ ...good, exp: sec - 29 }))).toBe('ok');
    expect(check(token({ ...good, nbf: sec + 120 }))).toBe('not yet valid');
    expect(check(token({ ...good, iat: sec + 120 }))).toBe('issued in the future');
    const { exp: _, ...noExp } = good;
    expect(check(token(noExp))).toBe('no expiry');
    expect(check(token({ ...good, exp: sec + 2 * 86_400 }))).toBe('lifetime longer than allowed');
  });

  it('rejects a wrong issuer or audience', () => {
    expect(check(token({ ...good, iss: 'https://evil.example' }))).toBe('unknown issuer');
    expect(check(token({ ...good, aud: 'someone-else' }))).toBe('audience does not match');
    expect(check(token({ ...good, aud: ['x', 'portcullis'] }))).toBe('ok');
  });

  it('rejects a token signed with another key, or naming another kid', () => {
    expect(check(token(good, 'EdDSA', stranger.privateKey))).toBe('bad signature');
    expect(check(token(good, 'EdDSA', ed.privateKey, { kid: 'other' }))).toBe(
      'no key for this kid and algorithm',
    );
  });

  it('rejects alg none and HS256 signed with the public key as a secret', () => {
    expect(check(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`)).toBe('not a compact JWS');
    expect(check(`${b64({ alg: 'none' })}.${b64(good)}.AAAA`)).toBe('algorithm none is not accepted');
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(good)}`;
    const pem = ed.publicKey.export({ type: 'spki', format: 'pem' });
    const mac = createHmac('sha256', pem).update(input).digest('base64url');
    expect(check(`${input}.${mac}`)).toBe('algorithm HS256 is not accepted');
  });

  it('rejects a tampered payload or signature', () => {
    const t = token(good);
    const [h, , s] = t.split('.');
    expect(check(`${h}.${b64({ ...good, sub: 'admin-bot' })}.${s}`)).toBe('bad signature');
    expect(check(`${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`)).toBe('bad signature');
    expect(check(`${h}.bm90IGpzb24.${s}`)).toBe('header or payload is not a JSON object');
    expect(check(token(good, 'EdDSA', ed.privateKey, { crit: ['exp'] }))).toBe(
      'crit header parameters are not supported',
    );
  });

  it('refuses weak, private or symmetric keys in configuration', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => new JwtVerifier([{ ...issuer, keys: [{ key: weak.publicKey }] }])).toThrow(/2048/);
    expect(() => publicKeyFromPem(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toThrow(
      /private/,
    );
    const jwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig' };
    const keys = keysFromJwks(JSON.stringify({ keys: [jwk] }));
    expect(keys).toHaveLength(1);
    expect(keys[0]!.kid).toBe('ec-1');
    expect(() => keysFromJwks(JSON.stringify({ keys: [ec.privateKey.export({ format: 'jwk' })] }))).toThrow(
      /private/,
    );
    expect(() => keysFromJwks(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }))).toThrow(
      /symmetric/,
    );
  });

  it('verifies against keys loaded from a JWKS document', () => {
    const v = new JwtVerifier([
      {
        ...issuer,
        keys: keysFromJwks(
          JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r1' }] }),
        ),
      },
    ]);
    expect(v.verify(token(good, 'RS256', rsa.privateKey, { kid: 'r1' }), NOW).ok).toBe(true);
    expect(v.verify(token(good, 'ES256', ec.privateKey), NOW).ok).toBe(false);
  });
});

describe('JwtAuthenticator', () => {
  const apiKeys = new ApiKeyAuthenticator([
    {
      identity: { id: 'key-bot', roles: [], permissions: [], attributes: {} },
      keyHash: hashApiKey('pcs_key_bot'),
      disabled: false,
    },
  ]);
  const rejected: string[] = [];
  const auth = new JwtAuthenticator(
    verifier,
    { rolesClaim: 'roles', permissionsClaim: 'scope' },
    () => NOW,
    apiKeys,
    (r) => rejected.push(r),
  );

  it('maps a valid token to the agent identity; other bearer values go to API keys', async () => {
    expect(await auth.authenticate({ type: 'api_key', key: token(good) })).toEqual({
      id: 'pay-bot',
      roles: ['payments-agent'],
      permissions: ['payments:execute', 'payments:read'],
      attributes: { jwt_issuer: 'https://idp.example' },
    });
    expect((await auth.authenticate({ type: 'api_key', key: 'pcs_key_bot' }))?.id).toBe('key-bot');
    expect(await auth.authenticate({ type: 'none' })).toBeNull();
  });

  it('answers null for a bad token and says why (without the token)', async () => {
    const bad = token({ ...good, exp: sec - 3600 });
    expect(await auth.authenticate({ type: 'api_key', key: bad })).toBeNull();
    expect(rejected.at(-1)).toBe('expired');
  });

  it('enforces the subject allow-list', async () => {
    const only = new JwtAuthenticator(
      verifier,
      { rolesClaim: 'roles', permissionsClaim: 'scope', subjects: ['other-bot'] },
      () => NOW,
      null,
    );
    expect(await only.authenticate({ type: 'bearer', token: token(good) })).toBeNull();
    expect(
      (await only.authenticate({ type: 'bearer', token: token({ ...good, sub: 'other-bot' }) }))?.id,
    ).toBe('other-bot');
  });
});
