import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from './api-key-authenticator.js';
import { JwtVerifier } from './jwt-authenticator.js';
import { OperatorAuthenticator, hasAnyRole, voterOf } from './operators.js';

const NOW = Date.UTC(2026, 0, 1);
const people = generateKeyPairSync('ed25519');
const machines = generateKeyPairSync('ed25519');
const b64 = (x: unknown): string => Buffer.from(JSON.stringify(x)).toString('base64url');
const jwt = (claims: object, key = people.privateKey): string => {
  const input = `${b64({ alg: 'EdDSA', typ: 'JWT' })}.${b64({ aud: 'portcullis-admin', iat: NOW / 1000, exp: NOW / 1000 + 600, ...claims })}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
};

const entry = (id: string, roles: string[], disabled = false) => ({
  id,
  roles,
  aliases: [`${id}@bank.example`],
  keyHash: hashApiKey(`key-${id}`),
  disabled,
});
const verifier = new JwtVerifier([
  {
    issuer: 'https://sso.bank.example',
    audiences: ['portcullis-admin'],
    algorithms: ['EdDSA'],
    keys: [{ key: people.publicKey }],
    maxLifetimeSeconds: 3600,
  },
]);
const auth = new OperatorAuthenticator(
  [entry('alice', ['approver', 'treasury']), entry('olga', ['admin'], true)],
  { verifier, rolesClaim: 'groups', aliasesClaim: 'email' },
  () => NOW,
);

describe('OperatorAuthenticator', () => {
  it('authenticates people by their own API keys; disabled people are refused', () => {
    expect(auth.authenticate('key-alice')).toEqual({
      id: 'alice',
      roles: ['approver', 'treasury'],
      aliases: ['alice@bank.example'],
      via: 'api_key',
    });
    expect(auth.authenticate('key-olga')).toBeNull();
    expect(auth.authenticate('key-mallory')).toBeNull();
    expect(auth.authenticate('')).toBeNull();
  });

  it('authenticates people by JWTs from the operator issuer, roles and aliases from claims', () => {
    const op = auth.authenticate(
      jwt({ iss: 'https://sso.bank.example', sub: 'bob', groups: ['approver'], email: 'bob@bank.example' }),
    );
    expect(op).toEqual({ id: 'bob', roles: ['approver'], aliases: ['bob@bank.example'], via: 'jwt' });
    expect(voterOf(op!)).toEqual({ id: 'bob', roles: ['approver'], aliases: ['bob@bank.example'] });
    expect(hasAnyRole(op!, ['admin', 'auditor'])).toBe(false);
  });

  it('refuses tokens from other issuers or keys (an agent token is not a person)', () => {
    expect(
      auth.authenticate(jwt({ iss: 'https://agents.bank.example', sub: 'pay-bot', groups: ['admin'] })),
    ).toBeNull();
    expect(
      auth.authenticate(
        jwt({ iss: 'https://sso.bank.example', sub: 'mallory', groups: ['admin'] }, machines.privateKey),
      ),
    ).toBeNull();
  });

  it('refuses two operators sharing one key or one id', () => {
    const twin = { ...entry('bob', ['auditor']), keyHash: hashApiKey('key-alice') };
    expect(() => new OperatorAuthenticator([entry('alice', ['admin']), twin])).toThrow(/share one API key/);
    expect(
      () =>
        new OperatorAuthenticator([
          entry('alice', ['admin']),
          { ...entry('alice', ['auditor']), keyHash: hashApiKey('x') },
        ]),
    ).toThrow(/twice/);
  });
});
