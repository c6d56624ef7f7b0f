import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlEvent } from '../ports/approval-store.js';
import { hashApiKey } from '../adapters/identity/api-key-authenticator.js';
import { createAccessControls, type AccessDeps } from './config-access.js';
import { readSecret, resolvePath, validateConfig } from './config-loader.js';
import { sequenceIds, systemClock } from './create-gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'pc-access-'));
const base = { version: 1, policies: { paths: ['policies'] } };
const records: ControlEvent[] = [];
const deps = (over: Partial<AccessDeps> = {}): AccessDeps => ({
  baseDir: dir,
  clock: systemClock,
  ids: sequenceIds(1),
  record: (e) => void records.push(e),
  readSecret: (r) => readSecret(r, dir, {}),
  resolvePath: (p) => resolvePath(dir, p),
  ...over,
});
const alice = { id: 'alice', roles: ['approver'], api_key_sha256: hashApiKey('key-alice').toString('hex') };

describe('config sections for approvals, identities and limits', () => {
  it('defaults to a SQLite approval store, memory counters and nothing frozen', () => {
    const c = validateConfig(base);
    expect(c.approvals).toMatchObject({
      store: 'sqlite',
      path: 'data/approvals.db',
      default_expiry: '1h',
      max_wait_seconds: 60,
    });
    expect(c.limits).toEqual({ store: 'memory', key_prefix: 'portcullis:' });
    expect(c.kill_switch).toEqual({ all: false, agents: [], tools: [] });
    expect(c.operators).toEqual([]);
  });

  it('refuses what cannot work', () => {
    const bad: unknown[] = [
      { operators: [{ id: 'bob', roles: ['approver'] }] },
      { operators: [{ ...alice, roles: [] }] },
      { operators: [{ ...alice, roles: ['Admin!'] }] },
      { limits: { store: 'redis' } },
      { approvals: { default_expiry: 'soon' } },
      { approvals: { webhook: { url: 'ftp://hooks.example/x' } } },
      { jwt: { agents: { issuers: [{ issuer: 'https://idp', audience: 'p' }] } } },
      {
        jwt: {
          agents: {
            issuers: [{ issuer: 'https://idp', audience: 'p', jwks_file: 'x', algorithms: ['HS256'] }],
          },
        },
      },
      { kill_switch: { posture: 'panic' } },
    ];
    for (const b of bad)
      expect(() => validateConfig({ ...base, ...(b as object) }), JSON.stringify(b)).toThrow(
        /config_invalid/,
      );
  });

  it('builds the ports and routes from the config', async () => {
    const c = validateConfig({
      ...base,
      operators: [alice],
      approvals: { store: 'memory' },
      kill_switch: { agents: ['bad-bot'], posture: 'elevated' },
    });
    const access = await createAccessControls(c, deps());
    expect(access.operators.authenticate('key-alice')?.roles).toEqual(['approver']);
    expect(access.killSwitch.frozenReason('bad-bot', undefined)).toMatch(/frozen in configuration/);
    expect(access.killSwitch.posture).toBe('elevated');
    expect(access.ready()).toEqual({ approvals: true, counters: true });
    const res = await access
      .approvalRoutes(null)
      .request('/v1/approvals', { headers: { authorization: 'Bearer key-alice' } });
    expect(res.status).toBe(200);
    expect(records.at(-1)).toMatchObject({
      type: 'approval',
      details: { kind: 'api_call', operator: 'alice', result: 'ok' },
    });
    await access.close();
  });

  it('refuses an operator key that is also an agent key, and unreadable JWT keys', async () => {
    const c = validateConfig({ ...base, operators: [alice], approvals: { store: 'memory' } });
    await expect(createAccessControls(c, deps({ agentKeyHashes: [alice.api_key_sha256] }))).rejects.toThrow(
      /share one API key/,
    );
    writeFileSync(join(dir, 'bad.pem'), 'not a key');
    const jwt = validateConfig({
      ...base,
      approvals: { store: 'memory' },
      jwt: {
        agents: { issuers: [{ issuer: 'https://idp', audience: 'p', public_keys: [{ file: 'bad.pem' }] }] },
      },
    });
    await expect(createAccessControls(jwt, deps())).rejects.toMatchObject({ code: 'config_invalid' });
  });
});
