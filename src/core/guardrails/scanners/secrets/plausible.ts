/**
 * Is a candidate value a real credential, or a placeholder, a template, a variable or a code
 * reference? Shared by the vendor rules and the keyword-assignment rule.
 */

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const PLACEHOLDER_WORD =
  /^(?:null|none|nil|undefined|true|false|yes|no|on|off|changeme|change_me|changeit|password|passwd|secret|token|pass|pwd|pw|key|apikey|api_key|username|user|test|testing|example|sample|dummy|fake|placeholder|redacted|hidden|masked|todo|tbd|empty|string|value|default|required|optional|unknown|n\/a)$/i;
/** Case-sensitive: "fake" in a random token ("lFaKe") is chance, "fake"/"FAKE" is a word. */
const PLACEHOLDER_PART = /fake|FAKE|Fake/;
const PLACEHOLDER_PART_CI =
  /example|placeholder|your[_-]|insert|replace[_-]?me|changeme|dummy|not[_-]?(?:a[_-]?)?(?:real|secret|password)|redacted|<[a-z _-]+>|\.\.\.|here$|^enc\[/;

/** A whole value that is one template or variable reference: ${X}, {{x}}, $(cmd), $VAR, %VAR%, <x>, [X]. */
const TEMPLATE =
  /^(?:\$\{[^{}]*\}|\{[A-Za-z_][A-Za-z_.]*\}|\$\d|\$\(.*|`[a-z][\w-]* .*|\{\{[^{}]*\}\}|\$\{\{[^{}]*\}\}|\$\([^()]*\)|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|<[^<>]*>|\[[A-Za-z_ -]+\]|%\(?\w*\)?s|#\{[^{}]*\})$/;
const TEMPLATE_ANY =
  /\$\{[^{}]*\}|\{\{[^{}]*\}\}|\$\([^()]*\)|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|%\(?\w*\)?s/g;

/** Unquoted values that are code: dotted references, calls, snake_case words, CONSTANT_NAMES. */
const CODE_REF =
  /^(?:[A-Za-z_$][\w$]*(?:\.[\w$]+)+|[A-Za-z_$][\w$.]*\(.*\)|[a-z]+(?:[_-][a-z]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[\w.]+\[['"][\w.-]+['"]\])$/;

/**
 * An identifier, not a credential: two or three lower-case words joined by '_' or '-' and nothing
 * else ("real_key", "read-only", "default_value"), the way names and enum values are written.
 */
const IDENTIFIER = /^[a-z]{2,12}(?:[_-][a-z]{2,12}){1,2}$/;

/** The body is one character repeated (xxxx, ****, 0000): the conventional redaction filler. */
export function isFiller(s: string): boolean {
  return s.length > 0 && /^(.)\1*$/.test(s) && /[xX*.#0_-]/.test(s[0]!);
}

/** Mostly one repeated character once separators are removed ("pnu_XXXX", "glc_1111...="). */
export function mostlyFiller(s: string): boolean {
  const body = s.replace(/[-_.~:/=+]/g, '');
  if (body.length < 8) return false;
  const counts = new Map<string, number>();
  let max = 0;
  for (const ch of body) {
    const c = (counts.get(ch) ?? 0) + 1;
    counts.set(ch, c);
    if (c > max) max = c;
  }
  return max / body.length >= 0.6;
}

/** A short unit repeated over the whole body ("123123123123", "abab..."). */
export function periodic(s: string): boolean {
  return s.length >= 8 && /^(.{1,4})\1+.{0,3}$/.test(s);
}

/** A run of 10+ consecutive alphabet or digit characters ("abcdefghij", "0123456789"). */
export function hasLongSequence(s: string): boolean {
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    run = s.charCodeAt(i) === s.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= 10) return true;
  }
  return false;
}

export interface ValueCheck {
  quoted: boolean;
  minLength: number;
}

/** A literal value that could be a real secret (not a placeholder, template or code reference). */
export function plausibleSecret(value: string, check: ValueCheck): boolean {
  const v = value.trim();
  if (v.length < check.minLength) return false;
  if (!/[A-Za-z0-9]/.test(v)) return false;
  if (PLACEHOLDER_WORD.test(v) || TEMPLATE.test(v) || isFiller(v) || mostlyFiller(v) || hasLongSequence(v))
    return false;
  if (PLACEHOLDER_PART.test(v) || PLACEHOLDER_PART_CI.test(v.toLowerCase())) return false;
  if (/^(.{1,4})\1+$/.test(v) && v.length < 12) return false; // "abab", "xyxyxy"
  if (!check.quoted && CODE_REF.test(v)) return false;
  if (IDENTIFIER.test(v)) return false;
  // Templates with a few literal characters around them ("${user}:${pass}").
  const rest = v.replace(TEMPLATE_ANY, '');
  if (rest.length !== v.length && (rest.match(/[A-Za-z0-9]/g) ?? []).length < 4) return false;
  return true;
}
