/**
 * Secrets recognised by where they sit rather than by their format: a literal assigned to a name
 * that means "secret" (`password = ...`, `"api_key": "..."`, `client_secret := ...`, comparisons,
 * setter calls, `<add key="Password" value="...">`), credentials in URLs (`scheme://user:pw@host`),
 * `curl -u user:pw`, Authorization headers and the data of Kubernetes Secret manifests.
 * Placeholders, templates and code references are not secrets (see plausible.ts).
 */
import { mapLiteral } from '../../gram-index.js';
import { matchesAt, probeOf, type TextIndex } from '../../text-index.js';
import type { RawFinding } from '../../types.js';
import { entropy, plausibleSecret } from './plausible.js';

/** Words that alone make a name secret. */
const STRONG_WORD =
  /^(?:pass|pw|pwd|passwd|passphrase|passcode|passwort|secret|secrets|secrete|apikey|privatekey|secretkey|clientsecret|accesskey|signingkey|encryptionkey|masterkey|authkey|appsecret)$/;
/** Stems that make a word secret wherever they occur inside it ("dbpassword", "mysecret"). */
const STRONG_STEM = /password|passwd|secret/;
/** A qualifier followed by "key" or "secret": api key, access key, private key... */
const KEY_QUALIFIER =
  /^(?:api|access|private|secret|client|signing|encryption|master|app|auth|account|shared|consumer)$/;
/** Words that make a value a credential only when it also looks generated. */
const WEAK_WORD =
  /^(?:token|tokens|auth|credential|credentials|creds|bearer|cookie|sessionid|sessionkey)$|(?:access|auth|refresh|bearer|api|session|bot|user|app|oauth|id)token$/;
/** Last words that make a secret-looking name mean something else (its id, file, length...). */
const NOT_SECRET_LAST = new Set(
  (
    'id ids name names file files path paths url uri uris type types length len size version field fields env var ' +
    'header headers prefix suffix format count enabled disabled required policy label manager provider service store ' +
    'endpoint expiry expires expiration ttl timeout regex pattern method mode strength hint reset salt rotation ' +
    'lifetime location dir directory arn ref reference param params parameter option options description desc ' +
    'placeholder title text message error validator validation input output column generator hash variable ' +
    'algorithm algo scheme kind style class template event events handler callback changed change results result ' +
    'selector pressed down up char chars hashes ring storage'
  ).split(' '),
);
const NOT_SECRET_ANY = new Set([
  'public',
  'csrf',
  'xsrf',
  'nonce',
  'forgot',
  'confirm',
  'show',
  'hide',
  'toggle',
  'max',
  'min',
  'num',
  'is',
  'has',
  'not',
  'no',
]);

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export type NameStrength = 'strong' | 'weak' | 'vendor';

/** How much a variable name says its value is a secret (undefined: not at all). */
export function secretName(name: string): NameStrength | undefined {
  const words = nameWords(name);
  if (words.length === 0) return undefined;
  if (NOT_SECRET_LAST.has(words[words.length - 1]!)) return undefined;
  if (words.some((w) => NOT_SECRET_ANY.has(w))) return undefined;
  if (words.some((w) => STRONG_WORD.test(w) || STRONG_STEM.test(w))) return 'strong';
  for (let i = 0; i + 1 < words.length; i++) {
    if (KEY_QUALIFIER.test(words[i]!) && /^(?:key|keys|secret)$/.test(words[i + 1]!)) return 'strong';
  }
  if (words.some((w) => WEAK_WORD.test(w))) return 'weak';
  // "<vendor>_key" (HEROKU_KEY, stripeKey): a key named after something; needs a generated-looking value.
  if (words.length === 2 && words[1] === 'key') return 'vendor';
  return undefined;
}

/** A weak name ("token") needs a value that looks generated: letters and digits, some entropy. */
function credentialLike(v: string): boolean {
  return v.length >= 10 && /[A-Za-z]/.test(v) && /\d/.test(v) && entropy(v) >= 2.5;
}

/** A "<something>_key" name needs more: a long random-looking value, not a version or a word list. */
function generatedLike(v: string): boolean {
  return (
    v.length >= 16 &&
    credentialLike(v) &&
    entropy(v) >= 3.2 &&
    !/\d+\.\d+$/.test(v) &&
    !/[a-z]{3,}_[A-Za-z]{3,}/.test(v)
  );
}

function acceptValue(value: string, strength: NameStrength, quoted: boolean): boolean {
  if (!plausibleSecret(value, { quoted, minLength: strength === 'strong' ? 4 : 10 })) return false;
  const v = value.trim();
  return strength === 'strong' || (strength === 'weak' ? credentialLike(v) : generatedLike(v));
}

const IDENT_BACK = /[A-Za-z0-9_.\-$]/;
const IDENT_FWD = /[A-Za-z0-9_.-]/;
const KEYWORD = /pass|pwd|pw\b|secret|key|token|auth|cred|cookie|session/gi;
/** After the name: closing quote, array brackets, an operator, an opening quote. No line breaks. */
const ASSIGN =
  /^["'`]?(?:\[\d*\])?[ \t]{0,8}(:::=|::=|\?=|=>|:=|===|!==|==|!=|\+=|=|:|\(|,)?[ \t]{0,8}(@?["'`]?)/;

function readValue(
  text: string,
  from: number,
  quote: string,
): { value: string; start: number; end: number } | undefined {
  const q = quote.replace('@', '');
  if (q !== '') {
    const close = text.indexOf(q, from);
    const nl = text.indexOf('\n', from);
    if (close < 0 || (nl >= 0 && nl < close) || close - from > 1024) return undefined;
    return { value: text.slice(from, close), start: from, end: close };
  }
  let e = from;
  while (e < text.length && e - from < 1024 && !/\s/.test(text[e]!)) e++;
  while (e > from && /[,;'"`]/.test(text[e - 1]!)) e--;
  return { value: text.slice(from, e), start: from, end: e };
}

function finding(type: string, start: number, end: number, confidence: number, evidence: string): RawFinding {
  return { type, start, end, confidence, evidence: [evidence] };
}

/**
 * What the syntax around an assignment says about its value, language by language:
 *  - a statement ending in ';' (C, C++, C#, Java, JS, PHP...) or an arrow `=>` (PHP, Ruby, Perl
 *    hashes) makes an unquoted value an expression — an identifier or a call — not a literal;
 *  - C-family declarations (`name[] = ...`, `@'...'`) make a single-quoted value a character
 *    literal, not a string: only a double-quoted value is a string there;
 *  - npm's `_authToken` is a registry-scoped key (`//host/:_authToken=`), read by the npm rule;
 *    npm ignores it anywhere else.
 * Config files (`key = value`, `key: value`) keep unquoted literals.
 */
function syntaxRulesOut(
  name: string,
  op: string,
  quote: string,
  declarator: boolean,
  rawValueEnd: string,
): boolean {
  if (/(?:^|[^A-Za-z])_authToken$/.test(name)) return true;
  if (quote === '' && (op === '=>' || rawValueEnd === ';')) return true;
  if (quote === "@'" || (declarator && quote === "'")) return true;
  return false;
}

/** KEYWORD's words, in its order; "pw" must end a word (`pw\b`). */
const KEYWORDS = ['pass', 'pwd', 'pw', 'secret', 'key', 'token', 'auth', 'cred', 'cookie', 'session'];
const KEYWORD_GRAMS = KEYWORDS.map(mapLiteral);

/** The first occurrence of keyword k at or after `from` (-1: none). */
function keywordAt(text: string, lower: string, k: number, from: number): number {
  const word = KEYWORDS[k]!;
  let p = lower.indexOf(word, from);
  if (k === 2) while (p >= 0 && isWordCode(text.charCodeAt(p + 2))) p = lower.indexOf(word, p + 1);
  return p;
}

/**
 * The matches of KEYWORD (global, case-insensitive) from `from` on, found with indexOf in the
 * lower-cased text: next(from) is the first one starting at or after `from`, as KEYWORD.exec finds
 * it with lastIndex = from. At most one of the words can match at a position, so the earliest
 * occurrence of any is the match. Words the index says are absent are not looked for; each word's
 * next occurrence is remembered, so the searches together read the text once per word.
 */
function keywordSearch(index: TextIndex): (from: number) => { index: number; length: number } | undefined {
  const { text, lower } = index;
  if (!index.wordsOfText) {
    return (from) => {
      KEYWORD.lastIndex = from;
      const m = KEYWORD.exec(text);
      return m ? { index: m.index, length: m[0].length } : undefined;
    };
  }
  const at: number[] = KEYWORDS.map((_, k) => (index.grams.mayContain(KEYWORD_GRAMS[k]!) ? -2 : -1));
  return (from) => {
    let best = -1;
    let bestK = -1;
    for (let k = 0; k < KEYWORDS.length; k++) {
      let p = at[k]!;
      if (p === -1) continue;
      if (p < from) at[k] = p = keywordAt(text, lower, k, from);
      if (p >= 0 && (best < 0 || p < best)) {
        best = p;
        bestK = k;
      }
    }
    return best < 0 ? undefined : { index: best, length: KEYWORDS[bestK]!.length };
  };
}

/** A comparison operator (== != === !==) and up to four blanks end the text before `s`. */
function comparisonBefore(text: string, s: number): boolean {
  let j = s - 1;
  while (j >= 0 && s - j <= 4 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j--;
  if (text.charCodeAt(j) !== 61) return false;
  const c = text.charCodeAt(j - 1);
  return c === 61 || c === 33;
}

function keywordAssignments(text: string, out: RawFinding[], index: TextIndex): void {
  const next = keywordSearch(index);
  for (let m = next(0); m; ) {
    let s = m.index;
    while (s > 0 && m.index - s < 64 && IDENT_BACK.test(text[s - 1]!)) s--;
    let e = m.index + m.length;
    while (e < text.length && e - m.index < 64 && IDENT_FWD.test(text[e]!)) e++;
    const resume = e;
    const name = text.slice(s, e);
    const strength = secretName(name);
    if (!strength) {
      m = next(resume);
      continue;
    }
    const evidence = `keyword:${name.toLowerCase()}`;
    const conf = strength === 'strong' ? 0.85 : 0.75;
    const after = ASSIGN.exec(text.slice(e, e + 32));
    if (after) {
      const op = after[1] ?? '';
      const quote = after[2]!;
      // Calls and argument lists, and "name value" with no operator, only count with a quoted value.
      const needsQuote = op === '' || op === '(' || op === ',';
      if (!(needsQuote && quote === '') && (op !== '' || quote !== '')) {
        const v = readValue(text, e + after[0].length, quote);
        const declarator = /^["'`]?\[/.test(after[0]);
        const rawEnd = v ? (text[v.end] ?? '') : '';
        if (
          v &&
          !syntaxRulesOut(name, op, quote, declarator, rawEnd) &&
          acceptValue(v.value, strength, quote !== '')
        ) {
          out.push(finding('SECRET_ASSIGNMENT', v.start, v.end, conf, evidence));
          m = next(v.end);
          continue;
        }
      }
    }
    // Comparison written the other way round: if ("s3cret" == password)
    const before = comparisonBefore(text, s)
      ? /(["'`])([^"'`\n]{1,512})\1[ \t]{0,4}(?:===|!==|==|!=)[ \t]{0,4}$/.exec(text.slice(Math.max(0, s - 600), s))
      : null;
    if (before && acceptValue(before[2]!, strength, true)) {
      const vs = s - before[0].length + 1;
      out.push(finding('SECRET_ASSIGNMENT', vs, vs + before[2]!.length, 0.8, evidence));
    }
    m = next(resume);
  }
}

/** <add key="Password" value="..."/> (.NET appSettings, NuGet config). */
const XML_KEY_VALUE = /<add\s+key\s*=\s*"([^"\n]{1,64})"\s+value\s*=\s*"([^"\n]{1,512})"/gi;

function xmlKeyValues(text: string, out: RawFinding[]): void {
  if (text.indexOf('<add') < 0) return;
  XML_KEY_VALUE.lastIndex = 0;
  for (let m = XML_KEY_VALUE.exec(text); m; m = XML_KEY_VALUE.exec(text)) {
    const strength = secretName(m[1]!);
    if (!strength || !acceptValue(m[2]!, strength, true)) continue;
    const start = m.index + m[0].length - 1 - m[2]!.length;
    out.push(
      finding('SECRET_ASSIGNMENT', start, start + m[2]!.length, 0.85, `keyword:${m[1]!.toLowerCase()}`),
    );
  }
}

const URL_CREDS =
  /\b[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/([^\s:@/'"`<>]{0,128}):([^\s@/'"`<>]{1,256})@(?=[A-Za-z0-9[])/g;
const URL_CREDS_AT = new RegExp(URL_CREDS.source, 'y');

const isSchemeChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 46 || c === 45;
const isLetterCode = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isWordCode = (c: number): boolean => isLetterCode(c) || (c >= 48 && c <= 57) || c === 95;

/**
 * Where a URL with credentials can start: a scheme of 2-21 characters right before a "://", at a
 * word boundary. Only those few positions are tried (see matchesAt), not every letter.
 */
function schemeStarts(text: string): number[] {
  const starts: number[] = [];
  for (let c = text.indexOf('://'); c >= 0; c = text.indexOf('://', c + 3)) {
    let q = c;
    while (q > 0 && c - q < 21 && isSchemeChar(text.charCodeAt(q - 1))) q--;
    for (let p = q; p <= c - 2; p++)
      if (isLetterCode(text.charCodeAt(p)) && (p === 0 || !isWordCode(text.charCodeAt(p - 1))))
        starts.push(p);
  }
  return starts;
}
const CURL_USER = /(?:^|\s)(?:-u|--user)[ \t]{1,4}(\S{1,300})/g;
const AUTH_HEADER =
  /\b(?:authorization|proxy-authorization)["']?[ \t]{0,4}[:=][ \t]{0,4}["']?(?:(bearer|basic|token|api-token|digest|apikey)[ \t]{1,4})?([A-Za-z0-9._~+/=:@-]{8,4096})/gi;

const same = (a: string, b: string): boolean => a.length > 0 && a.toLowerCase() === b.toLowerCase();

function credentialPairs(text: string, out: RawFinding[]): void {
  if (text.indexOf('://') >= 0) {
    for (const m of matchesAt(URL_CREDS_AT, text, schemeStarts(text))) {
      const pass = m[2]!;
      if (same(m[1]!, pass) || !plausibleSecret(pass, { quoted: true, minLength: 3 })) continue;
      const start = m.index + m[0].length - 1 - pass.length;
      out.push(finding('CONNECTION_STRING', start, start + pass.length, 0.9, 'url-credentials'));
    }
  }
  if (/\bcurl\b/.test(text)) {
    CURL_USER.lastIndex = 0;
    for (let m = CURL_USER.exec(text); m; m = CURL_USER.exec(text)) {
      const raw = m[1]!;
      const rawStart = m.index + m[0].length - raw.length;
      // user:password, possibly quoted as a whole or in parts; the secret is the password, or the
      // user field when the password is empty ("apikey:").
      const unq = raw.replace(/["']/g, '');
      if (/^<.*>$/.test(unq)) continue; // <user:password>
      const colon = unq.indexOf(':');
      if (colon < 0) continue;
      const user = unq.slice(0, colon);
      let secret = unq.slice(colon + 1);
      if (secret === '') secret = user;
      else if (same(user, secret)) continue;
      const bare = secret.replace(/^\{(.*)\}$/, '$1');
      if (
        !plausibleSecret(secret, { quoted: true, minLength: 6 }) ||
        !plausibleSecret(bare, { quoted: true, minLength: 6 })
      )
        continue;
      if (/^[a-z]+$/.test(bare)) continue; // a plain word is a placeholder ("username:token")
      const at = raw.lastIndexOf(bare);
      if (at < 0) continue;
      out.push(finding('BASIC_AUTH', rawStart + at, rawStart + at + bare.length, 0.85, 'curl-user'));
    }
  }
  if (/authorization/i.test(text)) {
    AUTH_HEADER.lastIndex = 0;
    for (let m = AUTH_HEADER.exec(text); m; m = AUTH_HEADER.exec(text)) {
      const value = m[2]!;
      if (!plausibleSecret(value, { quoted: true, minLength: 8 })) continue;
      // Basic credentials are base64 of "user:password" (RFC 7617): anything else is not one.
      if (m[1]?.toLowerCase() === 'basic' && !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) continue;
      const start = m.index + m[0].length - value.length;
      out.push(
        finding(
          'AUTH_HEADER',
          start,
          start + value.length,
          0.85,
          `authorization:${(m[1] ?? 'raw').toLowerCase()}`,
        ),
      );
    }
  }
}

const K8S_SECRET_KIND = /^[ \t]*kind:[ \t]*["']?secret["']?[ \t]*$/im;
const K8S_DATA = /^([ \t]*)(data|stringData):[ \t]*$/gm;
const K8S_ENTRY = /^([ \t]+)[\w.-]{1,253}:[ \t]*(?:["']?([^\s"'|>][^\s"']{7,})["']?|[|>][-+]?)[ \t]*$/;

function k8sValueOk(value: string, base64: boolean): boolean {
  if (base64 && !(/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0)) return false;
  if (base64 && Buffer.from(value, 'base64').length < 6) return false; // "admin", "bar"
  return plausibleSecret(value, { quoted: true, minLength: 8 });
}

/** Values under data:/stringData: of a Kubernetes Secret manifest (base64 of, or the, secret). */
function kubernetesSecrets(text: string, out: RawFinding[]): void {
  if (!K8S_SECRET_KIND.test(text)) return;
  K8S_DATA.lastIndex = 0;
  for (let m = K8S_DATA.exec(text); m; m = K8S_DATA.exec(text)) {
    const indent = m[1]!.replace(/\t/g, '    ').length;
    const base64 = m[2] === 'data';
    let pos = m.index + m[0].length + 1;
    let inBlock = false;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const lineEnd = nl < 0 ? text.length : nl;
      const line = text.slice(pos, lineEnd);
      const lineIndent = /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
      if (line.trim() !== '' && lineIndent <= indent) break;
      const entry = K8S_ENTRY.exec(line);
      const value = entry?.[2] ?? (inBlock ? line.trim() : undefined);
      inBlock = entry !== null && entry[2] === undefined;
      if (value && k8sValueOk(value, base64)) {
        const start = pos + line.lastIndexOf(value);
        out.push(finding('KUBERNETES_SECRET', start, start + value.length, 0.85, 'k8s-secret-data'));
      }
      pos = lineEnd + 1;
    }
  }
}

const KEYWORD_PROBE = probeOf(KEYWORD);
const XML_PROBE = probeOf(XML_KEY_VALUE);
const URL_CREDS_PROBE = probeOf(URL_CREDS);
const CURL_PROBE = probeOf(/\bcurl\b/);
const AUTH_PROBE = probeOf(AUTH_HEADER);
const K8S_PROBE = probeOf(K8S_SECRET_KIND);

export function scanSecretsByContext(text: string, out: RawFinding[], index: TextIndex): void {
  if (KEYWORD_PROBE(index)) keywordAssignments(text, out, index);
  if (XML_PROBE(index)) xmlKeyValues(text, out);
  if (URL_CREDS_PROBE(index) || CURL_PROBE(index) || AUTH_PROBE(index)) credentialPairs(text, out);
  if (K8S_PROBE(index)) kubernetesSecrets(text, out);
}
