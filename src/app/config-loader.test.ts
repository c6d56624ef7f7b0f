import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../core/errors.js';
import { parseConfigText, readSecret } from './config-loader.js';

const minimal = 'version: 1\npolicies:\n  paths: [policies]\n';

function configError(text: string): GatewayError {
  try {
    parseConfigText(text, '/cfg/portcullis.yaml');
  } catch (e) {
    if (e instanceof GatewayError) return e;
  }
  throw new Error('expected a config error');
}

describe('config loader', () => {
  it('fills safe defaults: loopback, durable ledger, limits', () => {
    const { config, baseDir } = parseConfigText(minimal, '/cfg/portcullis.yaml');
    expect(baseDir).toBe('/cfg');
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8787,
      body_limit_bytes: 1048576,
      max_json_depth: 32,
      batch_max: 100,
    });
    expect(config.audit.durability).toBe('durable');
  });

  it('names file, line and column of a wrong type', () => {
    const e = configError(`${minimal}server:\n  port: 99999\n`);
    expect(e.code).toBe('config_invalid');
    expect(e.detail).toContain('/cfg/portcullis.yaml:5:9: server.port');
  });

  it('rejects unknown keys, naming them', () => {
    const e = configError(`${minimal}sever:\n  port: 1\n`);
    expect(e.detail).toContain('sever');
  });

  it('rejects YAML syntax errors with a position', () => {
    expect(configError('version: [1\n').detail).toMatch(/portcullis\.yaml:\d+:\d+/);
  });

  it('refuses alias bombs', () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x,x]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    ].join('\n');
    expect(() => parseConfigText(bomb, '/cfg/x.yaml')).toThrow(/alias/i);
  });

  it('requires exactly one key source per agent', () => {
    const e = configError(`${minimal}agents:\n  - id: a\n    roles: []\n`);
    expect(e.detail).toContain('exactly one of api_key_sha256 or api_key');
  });

  it('reads secrets from env and from 0600 files only', () => {
    expect(readSecret({ env: 'K' }, '/', { K: 'v' })).toBe('v');
    expect(() => readSecret({ env: 'K' }, '/', {})).toThrow(/not set/);
    const dir = mkdtempSync(join(tmpdir(), 'pc-secret-'));
    writeFileSync(join(dir, 'k'), 'secret\n', { mode: 0o600 });
    expect(readSecret({ file: 'k' }, dir)).toBe('secret');
    chmodSync(join(dir, 'k'), 0o644);
    expect(() => readSecret({ file: 'k' }, dir)).toThrow(/chmod 600/);
  });
});
