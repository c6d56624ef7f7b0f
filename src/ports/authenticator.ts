import type { AgentIdentity, Credential } from '../core/action.js';

/** Resolves a credential to an agent identity, or null when unknown or revoked. */
export interface Authenticator {
  readonly name: string;
  authenticate(credential: Credential): Promise<AgentIdentity | null>;
}
