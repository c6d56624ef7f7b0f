/** Email addresses, phone numbers (with libphonenumber-js) and URLs. */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { matchesAt, probeOf } from '../../text-index.js';
import { boundaryBefore, nearContext, push, type PiiInput, type Recognizer } from './context.js';
import { windowDigits, windowSeps, windowSpan, type NumberRun } from './number-runs.js';

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** Characters of a local part as written in running text: alphanumerics and . _ % + - */
const isLocalChar = (c: number): boolean =>
  isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isDomainChar = (c: number): boolean => isAlnum(c) || c === 46 || c === 45;
const LOCAL_FULL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{2,59})$/;

/** Validates the parts of an address already cut out of the text. */
export function emailValid(local: string, domain: string): boolean {
  if (local.length === 0 || local.length > 64 || domain.length > 253 || !LOCAL_FULL.test(local)) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return TLD.test(labels[labels.length - 1]!);
}

/** Expands around each '@' within RFC 5321 length limits: linear in the text. */
export const recognizeEmail: Recognizer = (input, out) => {
  const text = input.text;
  let at = text.indexOf('@');
  let lastEnd = 0;
  while (at >= 0) {
    let s = at;
    while (s > lastEnd && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && !isAlnum(text.charCodeAt(s))) s++; // no leading punctuation
    let e = at + 1;
    while (e < text.length && e - at <= 253 && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--; // sentence dot
    if (s < at && e > at + 3 && emailValid(text.slice(s, at), text.slice(at + 1, e))) {
      push(out, 'EMAIL', s, e, 0.95, ['rfc5321-shape']);
      lastEnd = e;
    }
    at = text.indexOf('@', at + 1);
  }
};

const PHONE_CONTEXT =
  /\b(?:phone|phones|telephone|tel|mobile|mob|cell|cellphone|fax|call|calls|calling|dial|contact|number|numbers|whats ?app|sms|text|texts|messages?|reach|ring|landline|desk|office|home|work|hotline|voicemail|ext|extension|answering|line|ph|tlf|telefon|téléphone)\b|☎|📞/;

const EXTENSION = /^\s?(?:x|ext\.?|extension)\s?\d{1,6}/i;

/** The number written by digits[from, from + len). */
function digitsValue(digits: string, from: number, len: number): number {
  return Number(digits.slice(from, from + len));
}

function isDateLike(lens: number[], seps: string[], digits: string): boolean {
  if (lens.length !== 3 || seps.some((s) => s === ' ')) return false;
  const [a, b, c] = lens as [number, number, number];
  if (a === 4 && b <= 2 && c <= 2) {
    const m = digitsValue(digits, a, b);
    const d = digitsValue(digits, a + b, c);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
  }
  if (a <= 2 && b <= 2 && (c === 4 || c === 2)) {
    const x = digitsValue(digits, 0, a);
    const y = digitsValue(digits, a, b);
    return x >= 1 && y >= 1 && ((x <= 12 && y <= 31) || (y <= 12 && x <= 31));
  }
  return false;
}

type LibVerdict = { valid: boolean; possible: boolean; region?: string };

function libPhoneVerdict(raw: string, regions: readonly string[]): LibVerdict {
  if (raw.startsWith('+')) {
    const p = parsePhoneNumberFromString(raw);
    return {
      valid: p?.isValid() ?? false,
      possible: p?.isPossible() ?? false,
      ...(p?.country ? { region: p.country } : {}),
    };
  }
  for (const r of regions) {
    const p = parsePhoneNumberFromString(raw, r as CountryCode);
    if (p?.isValid()) return { valid: true, possible: true, region: r };
  }
  return { valid: false, possible: false };
}

/**
 * libphonenumber's verdicts, remembered: one parse costs tens of microseconds (it compiles the
 * metadata's patterns on every call), and the same numbers recur across the messages of a
 * conversation. A pure function of its arguments, so the memo never changes an answer; bounded.
 */
const libMemo = new Map<string, LibVerdict>();
const LIB_MEMO_MAX = 4096;

function libPhoneConfidence(raw: string, regions: readonly string[]): LibVerdict {
  const key = raw.startsWith('+') ? raw : `${regions.join(',')}|${raw}`;
  let v = libMemo.get(key);
  if (v === undefined) {
    v = libPhoneVerdict(raw, regions);
    if (libMemo.size >= LIB_MEMO_MAX) libMemo.clear();
    libMemo.set(key, v);
  }
  return v;
}

interface PhoneCandidate {
  e: number;
  conf: number;
  end: number;
  evidence: string[];
  raw: string;
  digits: string;
  intl: boolean;
}

/** Phone numbers have at most this many digit groups ("+46 (0)8 928 571 38" has six). */
const MAX_PHONE_GROUPS = 6;

/** Structure-only score of groups [from, to] as a phone number (no library call). */
function scorePhone(
  input: PiiInput,
  run: NumberRun,
  from: number,
  to: number,
  ctx: boolean,
): PhoneCandidate | undefined {
  const digits = windowDigits(input.text, run, from, to);
  const d = digits.length;
  if (d < 7 || d > 15) return undefined;
  const lens = run.groups.slice(from, to + 1).map((g) => g.end - g.start);
  const seps = windowSeps(run, from, to);
  const span = windowSpan(run, from, to);
  const intl = (from === 0 && run.plus) || /^(?:00|011)[1-9]/.test(digits);
  if (!intl && isDateLike(lens, seps, digits)) return undefined;
  if (!intl && seps.length === 3 && seps.every((s) => s === '.') && lens.every((l) => l <= 3))
    return undefined; // IPv4
  const ext = EXTENSION.exec(input.text.slice(span.end, span.end + 16));
  const end = ext ? span.end + ext[0].length : span.end;
  const evidence: string[] = [];
  const parens = run.groups.slice(from, to + 1).some((g) => g.paren);
  let conf = lens.length > 1 ? 0.35 : 0.2;
  if (parens) conf += 0.15;
  if (ext) conf += 0.1;
  if (ctx) {
    conf += 0.4;
    evidence.push('context');
  }
  return { e: to, conf, end, evidence, raw: input.text.slice(span.start, span.end), digits, intl };
}

/** Adds libphonenumber's verdict to the best structural candidate (one library call per run). */
function confirmPhone(c: PhoneCandidate, regions: readonly string[]): void {
  if (!c.intl && c.conf >= 0.6) return;
  const lib = libPhoneConfidence(
    c.intl && !c.raw.startsWith('+') ? '+' + c.digits.replace(/^(?:00|011)/, '') : c.raw,
    regions,
  );
  if (lib.valid) {
    c.conf += c.intl ? 0.5 : 0.25;
    c.evidence.push(`libphonenumber:${lib.region ?? 'valid'}`);
  } else if (c.intl && lib.possible) {
    c.conf += 0.25;
    c.evidence.push('libphonenumber:possible');
  }
}

/** Phone numbers: per run, the best-structured window of digit groups (7..15 digits). */
export const recognizePhone: Recognizer = (input, out) => {
  for (const run of input.runs) {
    if (run.digits < 7 || run.embedded) continue;
    if (input.claimed.some((f) => run.start < f.end && f.start < run.end)) continue;
    const G = run.groups.length;
    const ctx = nearContext(input, run.start, run.end, PHONE_CONTEXT, 40, 12);
    let s = 0;
    while (s < G) {
      let best: PhoneCandidate | undefined;
      let digits = 0;
      for (let e = s; e < G && e - s < MAX_PHONE_GROUPS; e++) {
        digits += run.groups[e]!.end - run.groups[e]!.start;
        if (digits > 15) break;
        if (digits < 7) continue;
        const seps = windowSeps(run, s, e).filter((x) => x !== '');
        if (seps.length > 1 && new Set(seps).size > 2) continue;
        const r = scorePhone(input, run, s, e, ctx);
        if (r && (!best || r.conf >= best.conf)) best = r;
      }
      if (best) confirmPhone(best, input.phoneRegions);
      if (best && best.conf >= 0.3) {
        const span = windowSpan(run, s, best.e);
        push(
          out,
          'PHONE',
          span.start,
          best.end,
          best.conf,
          best.evidence.length ? best.evidence : ['format'],
        );
        s = best.e + 1;
      } else s++;
    }
  }
};

const URL =
  /\b(?:(?:https?|ftp|ftps|sftp|wss?|file|ssh|git|s3|gs|postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqps?|jdbc:[a-z]+):\/\/[^\s<>"'`]{1,2048}|www\.[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}(?:[/?#:][^\s<>"'`]{0,2048})?)/g;
const TLDS = 'com|org|net|edu|gov|mil|int|io|ai|co|us|uk|de|fr|il|in|info|biz|app|dev|site|online|tech|me';
/** A dot and a known top-level domain, then the end of the host name. */
const TLD_END = new RegExp(String.raw`\.(?:${TLDS})(?:\.[a-z]{2})?(?![\w@-]|\.[A-Za-z0-9])`, 'g');
const HOST =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,4}$/;
const isHostChar = (c: number): boolean => isAlnum(c) || c === 45 || c === 46;

const TLD_END_AT = new RegExp(TLD_END.source, 'y');
/** The letters top-level domains in TLDS start with, by code. */
const TLD_FIRST = new Uint8Array(128);
for (const tld of TLDS.split('|')) TLD_FIRST[tld.charCodeAt(0)] = 1;

/**
 * Where TLD_END can match: at a '.' before a letter a listed top-level domain starts with, found
 * with indexOf (ascending); the pattern is tried only there.
 */
function tldStarts(text: string): number[] {
  const out: number[] = [];
  for (let p = text.indexOf('.'); p >= 0; p = text.indexOf('.', p + 1)) {
    const c = text.charCodeAt(p + 1);
    if (c < 128 && TLD_FIRST[c] === 1) out.push(p);
  }
  return out;
}

/** Bare domains ("example.com"): found from the top-level domain backwards. */
function bareDomains(text: string, taken: Array<[number, number]>, out: Parameters<Recognizer>[1]): void {
  for (const m of matchesAt(TLD_END_AT, text, tldStarts(text))) {
    const end = m.index + m[0].length;
    let start = m.index;
    while (start > 0 && m.index - start < 320 && isHostChar(text.charCodeAt(start - 1))) start--;
    while (start < m.index && !isAlnum(text.charCodeAt(start))) start++;
    if (start === m.index || !boundaryBefore(text, start, '@./-') || !HOST.test(text.slice(start, m.index)))
      continue;
    if (taken.some(([a, b]) => start < b && end > a)) continue;
    push(out, 'URL', start, end, 0.4, ['domain-shape']);
  }
}

function trimUrlEnd(s: string): string {
  let e = s.length;
  while (e > 0 && /[.,;:!?)\]}]/.test(s[e - 1]!)) e--;
  return s.slice(0, e);
}

const URL_PROBE = probeOf(URL);
const URL_AT = new RegExp(URL.source, 'y');

const isSchemeChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 58;
const isWordCode = (c: number): boolean => isAlnum(c) || c === 95;

/**
 * Where a URL can start: a scheme (lower-case letters, digits, '+' and ':') right before a "://",
 * at a word boundary, or "www." at a word boundary. Found with indexOf; URL is tried only there.
 */
function urlStarts(text: string): number[] {
  const starts: number[] = [];
  for (let c = text.indexOf('://'); c >= 0; c = text.indexOf('://', c + 3)) {
    let q = c;
    while (q > 0 && isSchemeChar(text.charCodeAt(q - 1))) q--;
    for (let p = q; p < c; p++) {
      const ch = text.charCodeAt(p);
      if (ch >= 97 && ch <= 122 && (p === 0 || !isWordCode(text.charCodeAt(p - 1)))) starts.push(p);
    }
  }
  const www: number[] = [];
  for (let p = text.indexOf('www.'); p >= 0; p = text.indexOf('www.', p + 1))
    if (p === 0 || !isWordCode(text.charCodeAt(p - 1))) www.push(p);
  if (www.length === 0) return starts;
  return starts.length === 0 ? www : [...starts, ...www].sort((a, b) => a - b);
}

export const recognizeUrl: Recognizer = (input, out) => {
  const text = input.text;
  const spans: Array<[number, number]> = [];
  if (URL_PROBE(input.index)) {
    for (const m of matchesAt(URL_AT, text, urlStarts(text))) {
      const url = trimUrlEnd(m[0]);
      const host = /^(?:[a-z+:]+:\/\/)?(?:[^@/]*@)?([^/:?#]+)/i.exec(url)?.[1] ?? '';
      if (!host.includes('.') && !/^(?:file|jdbc)/i.test(url)) continue;
      if (!/\.[A-Za-z]{2,}$|^\d+\.\d+\.\d+\.\d+$|\]$/.test(host) && !/^(?:file|jdbc)/i.test(url)) continue;
      push(out, 'URL', m.index, m.index + url.length, 0.6, ['url-shape']);
      spans.push([m.index, m.index + url.length]);
    }
  }
  bareDomains(text, spans, out);
};
