/**
 * Validators on the validator.js test cases: whole-string checks built from our validators for the
 * validator.js blocks they correspond to.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { emailValid } from '../../src/core/guardrails/scanners/pii/contact.js';
import { scanPii } from '../../src/core/guardrails/scanners/pii/index.js';
import { scanSecrets } from '../../src/core/guardrails/scanners/secrets/index.js';
import {
  abaValid,
  base58CheckValid,
  bech32AddressValid,
  cardValid,
  ibanValid,
  ipv4Valid,
  ipv6Valid,
  macValid,
} from '../../src/core/guardrails/validators.js';
import { readJson } from './corpora.js';

export interface ValidatorScore {
  validator: string;
  cases: number;
  correct: number;
  accuracy: number;
  note: string;
}

/** Whole-string checks built from our validators, for the validator.js blocks they correspond to. */
const VALIDATORS: Record<
  string,
  { note: string; check: (s: string, args: unknown[]) => boolean | undefined }
> = {
  isCreditCard: {
    note: 'IIN range + length + Luhn (validators.cardValid)',
    check: (s, a) => (a.length === 0 ? /^[\d -]+$/.test(s) && cardValid(s.replace(/[ -]/g, '')) : undefined),
  },
  isIBAN: {
    note: 'country length + mod 97 (validators.ibanValid)',
    check: (s, a) =>
      a.length === 0 ? /^[A-Za-z0-9 ]+$/.test(s) && ibanValid(s.replace(/ /g, '')) : undefined,
  },
  isEmail: {
    note: 'local part and domain rules (contact.emailValid)',
    check: (s, a) => {
      if (a.length > 0) return undefined;
      const at = s.lastIndexOf('@');
      return at > 0 && emailValid(s.slice(0, at), s.slice(at + 1));
    },
  },
  isIP: {
    note: 'validators.ipv4Valid / ipv6Valid',
    check: (s, a) => {
      const arg = a[0];
      const version = typeof arg === 'object' && arg !== null ? (arg as { version?: unknown }).version : arg;
      const v =
        version === undefined || version === null
          ? 'any'
          : typeof version === 'number' || typeof version === 'string'
            ? String(version)
            : '?';
      if (v === 'any') return ipv4Valid(s) || ipv6Valid(s);
      if (v === '4') return ipv4Valid(s);
      if (v === '6') return ipv6Valid(s);
      return undefined;
    },
  },
  isMACAddress: {
    note: 'validators.macValid (separator and length options applied)',
    check: (s, a) => {
      const o = (a[0] ?? {}) as { eui?: string; no_separators?: boolean };
      if (!macValid(s)) return false;
      const hex = s.replace(/[:.-]/g, '').length;
      if (o.no_separators === true && hex !== s.length) return false;
      if (o.no_separators !== true && hex === s.length) return false;
      if (o.eui === '48') return hex === 12;
      if (o.eui === '64') return hex === 16;
      return hex === 12 || hex === 16;
    },
  },
  isBtcAddress: {
    note: 'base58check / bech32(m) checksums',
    check: (s) => base58CheckValid(s) || bech32AddressValid(s),
  },
  isEthereumAddress: {
    note: '0x + 40 hex (no EIP-55 checksum)',
    check: (s) => /^0x[0-9a-fA-F]{40}$/.test(s),
  },
  isAbaRouting: { note: 'validators.abaValid', check: (s) => abaValid(s) },
  isJWT: {
    note: 'the secrets scanner finds a JWT covering the string',
    check: (s) => scanSecrets(s).some((f) => f.type === 'JWT' && f.start === 0 && f.end === s.length),
  },
  isURL: {
    note: 'the PII scanner finds a URL covering the string (bare domains at confidence 0.4)',
    check: (s, a) =>
      a.length > 0
        ? undefined
        : scanPii(s, {
            entities: new Set(['URL']),
            minConfidence: 0.3,
            checksums: true,
            phoneRegions: [],
          }).some((f) => f.start === 0 && f.end === s.length),
  },
  isMobilePhone: {
    note: "libphonenumber-js isValid for the locale's region (validator.js uses its own mobile patterns)",
    check: (s, a) => {
      const region = typeof a[0] === 'string' ? /-([A-Z]{2})$/.exec(a[0])?.[1] : undefined;
      if (!region) return undefined;
      return parsePhoneNumberFromString(s, region as CountryCode)?.isValid() ?? false;
    },
  },
};

export function evalValidators(): ValidatorScore[] {
  const blocks = readJson<Array<{ validator: string; args: unknown[]; valid: string[]; invalid: string[] }>>(
    'validatorjs-cases/validator_cases.json',
  );
  const out = new Map<string, ValidatorScore>();
  for (const b of blocks) {
    const v = VALIDATORS[b.validator];
    if (!v) continue;
    const score = out.get(b.validator) ?? {
      validator: b.validator,
      cases: 0,
      correct: 0,
      accuracy: 0,
      note: v.note,
    };
    for (const [list, expected] of [
      [b.valid, true],
      [b.invalid, false],
    ] as const) {
      for (const s of list) {
        const got = v.check(s, b.args);
        if (got === undefined) continue;
        score.cases++;
        if (got === expected) score.correct++;
      }
    }
    out.set(b.validator, score);
  }
  return [...out.values()].map((s) => ({ ...s, accuracy: s.cases === 0 ? 1 : s.correct / s.cases }));
}
