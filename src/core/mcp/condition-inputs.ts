/**
 * Which parts of the policy input a CEL condition reads, found by scanning its tokens. Used by the
 * tools/list visibility rule: a condition that reads only "static" inputs (facts that are the same
 * when the tool is listed and when it is called) evaluates at list time exactly as it will at call
 * time; any other condition is treated as unknown.
 *
 * The scan is conservative. A root variable is static only when it is followed by `.` and one of
 * its static fields; every other use of a policy variable (a bare `action`, `action["args"]`,
 * `[agent]`, `context`, `findings`, `risk`, `usage`, `posture`, `now`) counts as dynamic.
 * Identifiers that are not policy variables (comprehension variables, function names) carry no
 * data of their own: a comprehension's variable ranges over an expression whose reads are
 * themselves scanned, so an alias cannot smuggle a dynamic value past the scan.
 */

/** Fields of each policy variable that do not change between tools/list and tools/call. */
export interface StaticFields {
  agent: ReadonlySet<string>;
  action: ReadonlySet<string>;
}

/** Agent facts come from the credential; the action's kind, tool and server from the tool name. */
export const LISTING_STATIC_FIELDS: StaticFields = {
  agent: new Set(['id', 'roles', 'permissions', 'attributes']),
  action: new Set(['kind', 'tool', 'server']),
};

/** When the arguments are known at list time as well (resources/list: the read's uri). */
export const LISTING_STATIC_FIELDS_WITH_ARGS: StaticFields = {
  agent: LISTING_STATIC_FIELDS.agent,
  action: new Set(['kind', 'tool', 'server', 'args', 'prompt']),
};

const POLICY_VARIABLES = new Set([
  'agent',
  'action',
  'context',
  'findings',
  'risk',
  'usage',
  'posture',
  'now',
]);

const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isSpace = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** Index just past a string literal starting at `i` (a quote, after any r/b prefix). */
function skipString(src: string, i: number, raw: boolean): number {
  const q = src[i]!;
  const triple = src.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  let j = i + close.length;
  while (j < src.length) {
    if (!raw && src[j] === '\\') {
      j += 2;
      continue;
    }
    if (src.startsWith(close, j)) return j + close.length;
    if (!triple && src[j] === '\n') return j; // unterminated: CEL would not compile this
    j++;
  }
  return j;
}

function skipSpace(src: string, i: number): number {
  while (i < src.length && isSpace(src[i]!)) i++;
  return i;
}

/** The identifier that follows `.` at position i (after spaces), or null. */
function memberAfter(src: string, i: number): string | null {
  let j = skipSpace(src, i);
  if (src[j] !== '.') return null;
  j = skipSpace(src, j + 1);
  const start = j;
  while (j < src.length && isIdentPart(src[j]!)) j++;
  return j > start ? src.slice(start, j) : null;
}

/**
 * True when every read of a policy variable in `condition` is one of the static fields. `true`
 * (a rule without condition) is static. Unparseable text is simply scanned: if it reads a dynamic
 * variable anywhere it is dynamic; a condition that fails to compile never reaches a live set.
 */
export function readsOnlyStaticInputs(condition: string, fields: StaticFields): boolean {
  const src = condition;
  let i = 0;
  let prevSignificant = '';
  while (i < src.length) {
    const c = src[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipString(src, i, false);
      prevSignificant = '"';
      continue;
    }
    if (isIdentStart(c)) {
      const start = i;
      while (i < src.length && isIdentPart(src[i]!)) i++;
      const word = src.slice(start, i);
      // r"..", b'..', rb"..", br'..': string prefixes.
      if (/^(r|R|b|B|rb|rB|Rb|RB|br|bR|Br|BR)$/.test(word) && (src[i] === '"' || src[i] === "'")) {
        i = skipString(src, i, /r/i.test(word));
        prevSignificant = '"';
        continue;
      }
      const isMember = prevSignificant === '.';
      prevSignificant = 'a';
      if (isMember || !POLICY_VARIABLES.has(word)) continue;
      if (word !== 'agent' && word !== 'action') return false;
      const member = memberAfter(src, i);
      if (member === null || !fields[word].has(member)) return false;
      continue;
    }
    if (/[0-9]/.test(c)) {
      // Numbers, including 1.5, 1e3, 0x1F, 3u: consume digits, letters and a fractional dot.
      while (i < src.length && /[0-9A-Za-z_]/.test(src[i]!)) {
        i++;
        if (src[i] === '.' && /[0-9]/.test(src[i + 1] ?? '')) i++;
      }
      prevSignificant = '0';
      continue;
    }
    prevSignificant = c;
    i++;
  }
  return true;
}
