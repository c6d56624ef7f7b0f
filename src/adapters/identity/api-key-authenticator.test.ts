import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator, hashApiKey } from './api-key-authenticator.js';

const identity = { id: 'bot', roles: [], permissions: [], attributes: {} };

describe('ApiKeyAuthenticator', () => {
  const auth = new ApiKeyAuthenticator([
    { identity, keyHash: hashApiKey('pcs_right'), disabled: false },
    { identity: { ...identity, id: 'off' }, keyHash: hashApiKey('pcs_disabled'), disabled: true },
  ]);

  it('resolves a known key to its agent', async () => {
    expect(await auth.authenticate({ type: 'api_key', key: 'pcs_right' })).toEqual(identity);
  });

  it('rejects unknown, disabled, empty, oversized and absent credentials', async () => {
    for (const key of ['pcs_wrong', 'pcs_disabled', '', 'x'.repeat(5000), 'pcs_right ']) {
      expect(await auth.authenticate({ type: 'api_key', key })).toBeNull();
    }
    expect(await auth.authenticate({ type: 'none' })).toBeNull();
  });

  it('holds only hashes', () => {
    expect(JSON.stringify([...Object.values(auth)])).not.toContain('pcs_right');
  });
});
