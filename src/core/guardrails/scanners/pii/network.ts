/** IPv4 / IPv6 addresses (with CIDR suffix), MAC addresses and crypto wallet addresses. */
import { base58CheckValid, bech32AddressValid, ipv4Valid, ipv6Valid, macValid } from '../../validators.js';
import { nearContext, push, type Recognizer } from './context.js';

const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?(?![\w]|\.\d)/g;
const VERSION_CONTEXT = /\b(?:version|ver|v|release|build)\.?\s*$/;

function isPrivateV4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

export const recognizeIpv4: Recognizer = (input, out) => {
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(input.text); m; m = IPV4.exec(input.text)) {
    const [addr, prefix] = m[0].split('/') as [string, string | undefined];
    if (!ipv4Valid(addr) || (prefix !== undefined && Number(prefix) > 32)) continue;
    const end = m.index + m[0].length;
    const version = VERSION_CONTEXT.test(input.lower.slice(Math.max(0, m.index - 12), m.index));
    push(out, 'IP_ADDRESS', m.index, end, version ? 0.3 : 0.85, ['ipv4', ...(isPrivateV4(addr) ? ['private'] : [])]);
  }
};

const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:\/\d{1,3})?(?![\w:])/g;

export const recognizeIpv6: Recognizer = (input, out) => {
  if (input.text.indexOf(':') < 0) return;
  IPV6.lastIndex = 0;
  for (let m = IPV6.exec(input.text); m; m = IPV6.exec(input.text)) {
    const [addr, prefix] = m[0].split('/') as [string, string | undefined];
    if (!/\d/.test(addr) || !ipv6Valid(addr) || (prefix !== undefined && Number(prefix) > 128)) continue;
    push(out, 'IP_ADDRESS', m.index, m.index + m[0].length, 0.85, ['ipv6']);
  }
};

const MAC =
  /(?<![\w:.-])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){0,2}(?![\w:-])|(?<![\w.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w.])/g;
const MAC_CONTEXT = /\b(?:mac|hardware address|physical address|ethernet|wifi|bssid)\b/;

export const recognizeMac: Recognizer = (input, out) => {
  MAC.lastIndex = 0;
  for (let m = MAC.exec(input.text); m; m = MAC.exec(input.text)) {
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

const BTC_BASE58 = /(?<![A-Za-z0-9])[13mn2][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])/g;
const BTC_BECH32 = /(?<![A-Za-z0-9])(?:bc1|tb1|BC1|TB1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}(?![A-Za-z0-9])/g;
const ETH = /(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])/g;
const WALLET_CONTEXT = /\b(?:wallet|address|btc|bitcoin|eth|ether|ethereum|crypto|send|pay)\b/;

export const recognizeCryptoWallet: Recognizer = (input, out) => {
  const text = input.text;
  BTC_BASE58.lastIndex = 0;
  for (let m = BTC_BASE58.exec(text); m; m = BTC_BASE58.exec(text)) {
    if (base58CheckValid(m[0])) push(out, 'CRYPTO_WALLET', m.index, m.index + m[0].length, 0.95, ['base58check', 'btc']);
  }
  BTC_BECH32.lastIndex = 0;
  for (let m = BTC_BECH32.exec(text); m; m = BTC_BECH32.exec(text)) {
    if (bech32AddressValid(m[0])) push(out, 'CRYPTO_WALLET', m.index, m.index + m[0].length, 0.95, ['bech32', 'btc']);
  }
  ETH.lastIndex = 0;
  for (let m = ETH.exec(text); m; m = ETH.exec(text)) {
    const end = m.index + 42;
    const ctx = nearContext(input, m.index, end, WALLET_CONTEXT);
    push(out, 'CRYPTO_WALLET', m.index, end, ctx ? 0.9 : 0.7, ['eth-format', ...(ctx ? ['context'] : [])]);
  }
};
