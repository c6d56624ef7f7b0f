/**
 * Reversible tokenisation of sensitive values. A token is deterministic within a session
 * (HMAC(key, session, type, value)), so the same value always gets the same token there and a
 * different one in another session. The vault, kept by the caller, maps token -> AES-256-GCM
 * ciphertext of the value bound to its session; `detokenize` restores values for an authorised
 * reader of that session. Keys are derived from the injected key with HKDF; the IV is derived
 * from the value (synthetic IV), so the core needs no randomness and equal values encrypt equally
 * (which the token already reveals, and nothing more).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

export interface VaultEntry {
  session: string;
  /** base64(iv | tag | ciphertext) */
  ciphertext: string;
}

/** Storage for token -> ciphertext; the caller decides where it lives and who may read it. */
export interface TokenVault {
  get(token: string): VaultEntry | undefined;
  set(token: string, entry: VaultEntry): void;
}

export function createMemoryVault(): TokenVault & { size(): number } {
  const map = new Map<string, VaultEntry>();
  return { get: (t) => map.get(t), set: (t, e) => void map.set(t, e), size: () => map.size };
}

export const TOKEN_PATTERN = /\btok_([A-Z][A-Z0-9_]{0,40})_([0-9a-f]{20})\b/g;

function derive(key: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.from('portcullis-guardrails'), Buffer.from(info), 32));
}

/** Unambiguous concatenation of fields for MAC input. */
function fields(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((p) => {
      const b = Buffer.from(p, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return [len, b];
    }),
  );
}

export interface Tokenizer {
  /** Token for `value` of entity `type` in `session`, stored in the vault. */
  tokenize(value: string, type: string, session: string, vault: TokenVault): string;
  /** Replaces every token of `session` found in `text` by its original value. */
  detokenize(text: string, session: string, vault: TokenVault): string;
  /** Keyed hash of a value (hex), for hash-mode anonymisation and finding evidence. */
  hash(value: string, type?: string): string;
}

export function createTokenizer(key: Uint8Array): Tokenizer {
  if (key.length < 16) throw new Error('guardrails key must be at least 16 bytes');
  const macKey = derive(key, 'token-mac');
  const encKey = derive(key, 'token-enc');
  const ivKey = derive(key, 'token-iv');
  const hashKey = derive(key, 'value-hash');

  return {
    tokenize(value, type, session, vault) {
      const safeType =
        type
          .toUpperCase()
          .replace(/[^A-Z0-9_]/g, '_')
          .slice(0, 40) || 'VALUE';
      const digest = createHmac('sha256', macKey)
        .update(fields(session, safeType, value))
        .digest('hex');
      const token = `tok_${safeType}_${digest.slice(0, 20)}`;
      if (!vault.get(token)) {
        const iv = createHmac('sha256', ivKey).update(fields(session, value)).digest().subarray(0, 12);
        const cipher = createCipheriv('aes-256-gcm', encKey, iv);
        cipher.setAAD(fields(session, token));
        const ct = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
        vault.set(token, {
          session,
          ciphertext: Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64'),
        });
      }
      return token;
    },

    detokenize(text, session, vault) {
      return text.replace(TOKEN_PATTERN, (token) => {
        const entry = vault.get(token);
        if (!entry || entry.session !== session) return token;
        const raw = Buffer.from(entry.ciphertext, 'base64');
        const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
        decipher.setAAD(fields(session, token));
        decipher.setAuthTag(raw.subarray(12, 28));
        try {
          return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        } catch {
          return token; // tampered or foreign entry: leave the token in place
        }
      });
    },

    hash(value, type = '') {
      return createHmac('sha256', hashKey).update(fields(type, value)).digest('hex');
    },
  };
}
