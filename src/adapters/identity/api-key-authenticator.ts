import { hash, timingSafeEqual } from 'node:crypto';
import type { AgentIdentity, Credential } from '../../core/action.js';
import type { Authenticator } from '../../ports/authenticator.js';

export interface ApiKeyEntry {
  identity: AgentIdentity;
  /** SHA-256 of the key (32 bytes). */
  keyHash: Buffer;
  disabled: boolean;
}

export function hashApiKey(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

/**
 * Agents present an API key as a bearer token. Only SHA-256 hashes of keys are held. The lookup
 * goes by hash (a map over digests reveals nothing about the key), then the digests are compared
 * with timingSafeEqual. Keys must be high-entropy (`portcullis keys new` makes 256-bit keys), so
 * an unsalted hash is the right tool, as for other bearer tokens.
 */
export class ApiKeyAuthenticator implements Authenticator {
  readonly name = 'api-key';
  private readonly byHash = new Map<string, ApiKeyEntry>();

  constructor(entries: ApiKeyEntry[]) {
    for (const e of entries) this.byHash.set(e.keyHash.toString('hex'), e);
  }

  /** SHA-256 hex of every configured key (to refuse an operator that shares an agent's key). */
  keyHashes(): string[] {
    return [...this.byHash.keys()];
  }

  authenticate(credential: Credential): Promise<AgentIdentity | null> {
    if (credential.type === 'none') return Promise.resolve(null);
    const presented = credential.type === 'api_key' ? credential.key : credential.token;
    if (presented.length === 0 || presented.length > 4096) return Promise.resolve(null);
    const digest = hashApiKey(presented);
    const entry = this.byHash.get(digest.toString('hex'));
    if (!entry || entry.disabled || !timingSafeEqual(entry.keyHash, digest)) return Promise.resolve(null);
    return Promise.resolve(entry.identity);
  }
}
