/**
 * Checksums and structural rules of identifiers (facts from the issuing standards). Every function
 * takes the bare identifier (no separators unless stated) and answers whether it can be real.
 */
import { createHash } from 'node:crypto';

export function digitsOnly(s: string): string {
  return s.replace(/\D/g, '');
}

/** Luhn mod-10 (ISO/IEC 7812). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Card networks by IIN prefix range and allowed lengths. */
const CARD_RANGES: Array<{ name: string; from: number; to: number; prefixLen: number; lengths: number[] }> = [
  { name: 'visa', from: 4, to: 4, prefixLen: 1, lengths: [13, 16, 19] },
  { name: 'mastercard', from: 51, to: 55, prefixLen: 2, lengths: [16] },
  { name: 'mastercard', from: 2221, to: 2720, prefixLen: 4, lengths: [16] },
  { name: 'amex', from: 34, to: 34, prefixLen: 2, lengths: [15] },
  { name: 'amex', from: 37, to: 37, prefixLen: 2, lengths: [15] },
  { name: 'discover', from: 6011, to: 6011, prefixLen: 4, lengths: [16, 17, 18, 19] },
  { name: 'discover', from: 644, to: 649, prefixLen: 3, lengths: [16, 17, 18, 19] },
  { name: 'discover', from: 65, to: 65, prefixLen: 2, lengths: [16, 17, 18, 19] },
  { name: 'diners', from: 300, to: 305, prefixLen: 3, lengths: [14, 15, 16, 17, 18, 19] },
  { name: 'diners', from: 3095, to: 3095, prefixLen: 4, lengths: [14, 15, 16, 17, 18, 19] },
  { name: 'diners', from: 36, to: 36, prefixLen: 2, lengths: [14, 15, 16, 17, 18, 19] },
  { name: 'diners', from: 38, to: 39, prefixLen: 2, lengths: [14, 15, 16, 17, 18, 19] },
  { name: 'jcb', from: 3528, to: 3589, prefixLen: 4, lengths: [15, 16, 17, 18, 19] },
  { name: 'jcb', from: 1800, to: 1800, prefixLen: 4, lengths: [15] },
  { name: 'jcb', from: 2131, to: 2131, prefixLen: 4, lengths: [15] },
  { name: 'unionpay', from: 62, to: 62, prefixLen: 2, lengths: [16, 17, 18, 19] },
  { name: 'unionpay', from: 81, to: 81, prefixLen: 2, lengths: [16, 17, 18, 19] },
  { name: 'mir', from: 2200, to: 2204, prefixLen: 4, lengths: [16, 17, 18, 19] },
  { name: 'maestro', from: 50, to: 50, prefixLen: 2, lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
  { name: 'maestro', from: 56, to: 69, prefixLen: 2, lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
  { name: 'maestro', from: 604, to: 604, prefixLen: 4, lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
  { name: 'rupay', from: 60, to: 60, prefixLen: 2, lengths: [16] },
  { name: 'rupay', from: 508, to: 508, prefixLen: 3, lengths: [16] },
  { name: 'troy', from: 9792, to: 9792, prefixLen: 4, lengths: [16] },
  { name: 'uatp', from: 1, to: 1, prefixLen: 1, lengths: [15] },
];

/** The card network whose IIN range and length fit, or undefined. */
export function cardNetwork(digits: string): string | undefined {
  for (const r of CARD_RANGES) {
    if (!r.lengths.includes(digits.length)) continue;
    const p = Number(digits.slice(0, r.prefixLen));
    if (p >= r.from && p <= r.to) return r.name;
  }
  return undefined;
}

export function cardValid(digits: string, checksum = true): boolean {
  return cardNetwork(digits) !== undefined && (!checksum || luhnValid(digits));
}

/** IBAN length per country (ISO 13616 registry, plus the common partial-IBAN countries). */
const IBAN_LENGTHS: Record<string, number> = Object.fromEntries(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 ' +
    'EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 ' +
    'IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 ' +
    'NL18 NO15 OM23 PK24 PL28 PS29 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 ' +
    'TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30 DZ26 AO25 BJ28 BF28 CM27 CV25 CF27 TD27 KM27 CG27 CI28 GQ27 ' +
    'GA27 GW25 IR26 MG27 ML28 MA28 MZ25 NE28 SN28 TG28'
  )
    .split(' ')
    .map((e) => [e.slice(0, 2), Number(e.slice(2))]),
);

export function ibanLength(country: string): number | undefined {
  return IBAN_LENGTHS[country.toUpperCase()];
}

/** ISO 7064 mod 97-10 over the rearranged IBAN, computed in chunks (no bigints). */
export function ibanMod97(iban: string): boolean {
  const s = (iban.slice(4) + iban.slice(0, 4)).toUpperCase();
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** A compact IBAN (no spaces): known country, exact length, check digits, mod 97. */
export function ibanValid(compact: string, checksum = true): boolean {
  const iban = compact.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  if (ibanLength(iban.slice(0, 2)) !== iban.length) return false;
  return !checksum || ibanMod97(iban);
}

const SSN_NEVER_ISSUED = new Set(['078051120', '219099999', '123456789']);

/** US SSN: area 001-899 except 666, group 01-99, serial 0001-9999, minus known advertising numbers. */
export function ssnValid(d: string): boolean {
  if (!/^\d{9}$/.test(d) || SSN_NEVER_ISSUED.has(d)) return false;
  const area = Number(d.slice(0, 3));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return false;
  return !/^(\d)\1{8}$/.test(d);
}

/** US ITIN: 9xx, group 50-65, 70-88, 90-92 or 94-99. */
export function itinValid(d: string): boolean {
  if (!/^9\d{8}$/.test(d)) return false;
  const g = Number(d.slice(3, 5));
  return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
}

/** ABA routing number: Federal Reserve prefix and the 3-7-1 weighted checksum. */
export function abaValid(d: string): boolean {
  if (!/^\d{9}$/.test(d)) return false;
  const p = Number(d.slice(0, 2));
  if (!((p >= 0 && p <= 12) || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p === 80)) return false;
  const n = [...d].map(Number);
  const sum = 3 * (n[0]! + n[3]! + n[6]!) + 7 * (n[1]! + n[4]! + n[7]!) + (n[2]! + n[5]! + n[8]!);
  return sum % 10 === 0 && !/^0+$/.test(d);
}

/** UK NHS number: 10 digits, mod 11 with weights 10..2. */
export function nhsValid(d: string): boolean {
  if (!/^\d{10}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (d.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === d.charCodeAt(9) - 48;
}

/** UK National Insurance number (compact, upper case). */
export function ninoValid(s: string): boolean {
  const m = /^([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])$/.exec(s.toUpperCase());
  if (!m) return false;
  return !['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(m[1]! + m[2]!);
}

/** US NPI: 10 digits starting 1 or 2, Luhn over the "80840" health-industry prefix. */
export function npiValid(d: string): boolean {
  return /^[12]\d{9}$/.test(d) && luhnValid('80840' + d);
}

/** US Medicare Beneficiary Identifier (compact, upper case): C A AN N A AN N A A N N. */
export function mbiValid(s: string): boolean {
  const A = '[AC-HJKMNP-RT-Y]';
  return new RegExp(`^[1-9]${A}[0-9AC-HJKMNP-RT-Y]\\d${A}[0-9AC-HJKMNP-RT-Y]\\d${A}${A}\\d\\d$`).test(
    s.toUpperCase(),
  );
}

const VIN_VALUES: Record<string, number> = Object.fromEntries(
  [...'ABCDEFGHJKLMNPRSTUVWXYZ'].map((c, i) => [
    c,
    [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9][i]!,
  ]),
);
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** ISO 3779 VIN with the North American check digit (position 9). */
export function vinCheckDigitValid(vin: string): boolean {
  const v = vin.toUpperCase();
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = v[i]!;
    sum += (c >= '0' && c <= '9' ? Number(c) : VIN_VALUES[c]!) * VIN_WEIGHTS[i]!;
  }
  const check = sum % 11;
  return v[8] === (check === 10 ? 'X' : String(check));
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58Check (Bitcoin P2PKH/P2SH, main and test net): 25 bytes, double-SHA-256 checksum. */
export function base58CheckValid(s: string): boolean {
  const bytes: number[] = [0];
  for (const ch of s) {
    let carry = B58.indexOf(ch);
    if (carry < 0) return false;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const ch of s) {
    if (ch !== '1') break;
    bytes.push(0);
  }
  const raw = Uint8Array.from(bytes.reverse());
  if (raw.length !== 25 || ![0x00, 0x05, 0x6f, 0xc4].includes(raw[0]!)) return false;
  const h = createHash('sha256')
    .update(createHash('sha256').update(raw.subarray(0, 21)).digest())
    .digest();
  return h.subarray(0, 4).equals(Buffer.from(raw.subarray(21)));
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Polymod(values: number[]): number {
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk >>> 0;
}

/** BIP-173 / BIP-350 segwit address (bc1 / tb1): bech32 for v0, bech32m for v1+. */
export function bech32AddressValid(addr: string): boolean {
  const s = addr.toLowerCase();
  if (s !== addr && addr.toUpperCase() !== addr) return false;
  const sep = s.lastIndexOf('1');
  const hrp = s.slice(0, sep);
  if ((hrp !== 'bc' && hrp !== 'tb') || s.length > 90 || s.length - sep - 1 < 7) return false;
  const data: number[] = [];
  for (const ch of s.slice(sep + 1)) {
    const v = BECH32.indexOf(ch);
    if (v < 0) return false;
    data.push(v);
  }
  const expanded = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
  ];
  const pm = bech32Polymod([...expanded, ...data]);
  const version = data[0]!;
  return version === 0 ? pm === 1 : version <= 16 && pm === 0x2bc830a3;
}

export function ipv4Valid(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 in full, compressed or IPv4-embedded form. */
export function ipv6Valid(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  let groups = 0;
  let body = s;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!ipv4Valid(tail)) return false;
    body = s.slice(0, lastColon + 1) + '0';
    groups++;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const hex = /^[0-9A-Fa-f]{1,4}$/;
  for (const half of halves) {
    if (half === '') continue;
    for (const g of half.split(':')) {
      if (!hex.test(g)) return false;
      groups++;
    }
  }
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

/** MAC (EUI-48/EUI-64) with ':' or '-' separators, Cisco dotted form, or bare 12 hex digits. */
export function macValid(s: string): boolean {
  return (
    /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?:(?:\1[0-9A-Fa-f]{2}){2})?$/.test(s) ||
    /^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/.test(s) ||
    /^[0-9A-Fa-f]{12}$/.test(s)
  );
}

/** IMEI: 15 digits with Luhn. */
export function imeiValid(d: string): boolean {
  return /^\d{15}$/.test(d) && luhnValid(d);
}
