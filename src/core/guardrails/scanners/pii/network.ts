/** IPv4 / IPv6 addresses (with CIDR suffix), MAC addresses and crypto wallet addresses. */
import { matchesAt, probeOf } from '../../text-index.js';
import { base58CheckValid, bech32AddressValid, ipv4Valid, ipv6Valid, macValid } from '../../validators.js';
import {
  boundaryBefore,
  matchesWithBoundary,
  nearContext,
  push,
  type PiiInput,
  type Recognizer,
} from './context.js';

const IPV4 = /(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?(?![\w]|\.\d)/y;
const VERSION_CONTEXT = /\b(?:version|ver|v|release|build)\.?\s*$/;

function isPrivateV4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254)
  );
}

/**
 * Where an IPv4 address can start: a dotted quad is four digit groups joined by '.', so it starts at
 * a group of a number run followed by three '.'-separated groups (every digit that follows a
 * non-word character begins or continues a run; see number-runs.ts).
 */
function* ipv4Starts(input: PiiInput): Generator<number> {
  for (const run of input.runs) {
    const g = run.groups;
    for (let k = 0; k + 3 < g.length; k++) {
      if (g[k + 1]!.sep === '.' && g[k + 2]!.sep === '.' && g[k + 3]!.sep === '.' && !g[k]!.paren)
        yield g[k]!.start;
    }
  }
}

export const recognizeIpv4: Recognizer = (input, out) => {
  const starts = [...ipv4Starts(input)].filter((i) => boundaryBefore(input.text, i, '.'));
  for (const m of matchesAt(IPV4, input.text, starts)) {
    const [addr, prefix] = m[0].split('/') as [string, string | undefined];
    if (!ipv4Valid(addr) || (prefix !== undefined && Number(prefix) > 32)) continue;
    const end = m.index + m[0].length;
    const version = VERSION_CONTEXT.test(input.lower.slice(Math.max(0, m.index - 12), m.index));
    push(out, 'IP_ADDRESS', m.index, end, version ? 0.3 : 0.85, [
      'ipv4',
      ...(isPrivateV4(addr) ? ['private'] : []),
    ]);
  }
};

const IPV6 =
  /(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?:%[\w.]{1,16})?(?:\/\d{1,3})?(?![\w:.])/y;

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * Where an IPv6 address can start: it opens with at most four hex digits and a ':', and (as a
 * whole token) not after a word character, ':' or '.'. So each colon gives at most one start: the
 * beginning of the hex digits right before it.
 */
function ipv6Starts(text: string): number[] {
  const starts: number[] = [];
  let last = -1;
  for (let c = text.indexOf(':'); c >= 0; c = text.indexOf(':', c + 1)) {
    let p = c;
    while (p > 0 && c - p < 4 && isHex(text.charCodeAt(p - 1))) p--;
    if (p > last && boundaryBefore(text, p, ':.')) starts.push((last = p));
  }
  return starts;
}

export const recognizeIpv6: Recognizer = (input, out) => {
  if (input.text.indexOf(':') < 0) return;
  for (const m of matchesAt(IPV6, input.text, ipv6Starts(input.text))) {
    const [withZone, prefix] = m[0].split('/') as [string, string | undefined];
    const addr = withZone.split('%')[0]!;
    if (!/\d/.test(addr) || !ipv6Valid(addr) || (prefix !== undefined && Number(prefix) > 128)) continue;
    push(out, 'IP_ADDRESS', m.index, m.index + m[0].length, 0.85, ['ipv6']);
  }
};

const MAC =
  /(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){0,2}(?![\w:-])|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w.])/g;
const MAC_CONTEXT = /\b(?:mac|hardware address|physical address|ethernet|wifi|bssid)\b/;

export const recognizeMac: Recognizer = (input, out) => {
  // Five separators between hex pairs, or a dotted hex quad: present in every MAC (GramIndex.macLike).
  if (!input.index.grams.macLike) return;
  for (const m of matchesWithBoundary(MAC, input.text, (i) => boundaryBefore(input.text, i, ':.-'))) {
    const s = m[0];
    const groups = s.split(/[:-]/);
    if (groups.length !== 1 && groups.length !== 6 && groups.length !== 8) continue;
    if (!macValid(s)) continue;
    const hex = s.replace(/[:.-]/g, '').toLowerCase();
    if (/^(?:0+|f+)$/.test(hex)) continue; // null and broadcast addresses identify nobody
    const end = m.index + s.length;
    const ctx = nearContext(input, m.index, end, MAC_CONTEXT);
    push(out, 'MAC_ADDRESS', m.index, end, ctx ? 0.9 : 0.75, ['mac-format', ...(ctx ? ['context'] : [])]);
  }
};

const BTC_BASE58 = /[13mn2][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])/g;
const BTC_BECH32 = /(?:bc1|tb1|BC1|TB1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}(?![A-Za-z0-9])/g;
const ETH = /0x[0-9a-fA-F]{40}(?![A-Za-z0-9])/g;
const BECH32_PROBE = probeOf(BTC_BECH32);
const ETH_PROBE = probeOf(ETH);
const WALLET_CONTEXT = /\b(?:wallet|address|btc|bitcoin|eth|ether|ethereum|crypto|send|pay)\b/;

/** No letter or digit right before i (a word boundary, or '_'). */
function noAlnumBefore(text: string, i: number): boolean {
  return boundaryBefore(text, i, '') || text[i - 1] === '_';
}

export const recognizeCryptoWallet: Recognizer = (input, out) => {
  const text = input.text;
  // Each pattern needs its alphabet run or its prefix: skip the ones the text cannot hold.
  if (input.index.grams.alnumRun >= 26) {
    for (const m of matchesWithBoundary(BTC_BASE58, text, (i) => noAlnumBefore(text, i))) {
      if (base58CheckValid(m[0]))
        push(out, 'CRYPTO_WALLET', m.index, m.index + m[0].length, 0.95, ['base58check', 'btc']);
    }
  }
  if (BECH32_PROBE(input.index)) {
    for (const m of matchesWithBoundary(BTC_BECH32, text, (i) => noAlnumBefore(text, i))) {
      if (bech32AddressValid(m[0]))
        push(out, 'CRYPTO_WALLET', m.index, m.index + m[0].length, 0.95, ['bech32', 'btc']);
    }
  }
  if (!ETH_PROBE(input.index)) return;
  for (const m of matchesWithBoundary(ETH, text, (i) => noAlnumBefore(text, i))) {
    const end = m.index + 42;
    const ctx = nearContext(input, m.index, end, WALLET_CONTEXT);
    push(out, 'CRYPTO_WALLET', m.index, end, ctx ? 0.9 : 0.7, ['eth-format', ...(ctx ? ['context'] : [])]);
  }
};
