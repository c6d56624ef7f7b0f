/**
 * A small built-in check of tool definitions for tool poisoning: instructions aimed at the model
 * hidden in descriptions or schemas, and characters a person reviewing the tool cannot see. It is
 * the fallback used until the guardrails' `scanToolDescription` is wired in (see
 * src/adapters/mcp/tool-scan.ts); it looks at every string in the definition, not only the
 * description, because schemas (property descriptions, defaults, enums) reach the model too.
 */

export interface ToolScanSignal {
  name: string;
  /** JSON path of the string in the definition, e.g. `inputSchema.properties.path.description`. */
  path: string;
}

export interface ToolScanReport {
  suspicious: boolean;
  signals: ToolScanSignal[];
}

/** Invisible or direction-changing characters: zero-width, bidi controls, Unicode tags. */
const HIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}\u0000-\u0008\u000B\u000C\u000E-\u001F]/u;

const PATTERNS: Array<[string, RegExp]> = [
  ['instruction_tag', /<\s*\/?\s*(important|system|instructions?|secret|hidden)\s*>/i],
  [
    'ignore_instructions',
    /\b(ignore|disregard|forget)\b[^.\n]{0,40}\b(previous|prior|above|earlier|other|all)\b[^.\n]{0,20}\b(instructions?|rules|prompts?)\b/i,
  ],
  [
    'conceal_from_user',
    /\b(do\s+not|don'?t|never)\s+(tell|mention|inform|reveal|show|let)\b[^.\n]{0,30}\b(user|human|operator)\b/i,
  ],
  [
    'sensitive_path',
    /(~\/\.ssh|\bid_(rsa|ed25519|ecdsa)\b|\/etc\/(passwd|shadow)|\.aws\/credentials|\bmcp\.json\b|\.env\b)/i,
  ],
  [
    'cross_tool_instruction',
    /\b(before|after|instead of)\s+(using|calling|invoking)\s+(this|any|the\s+\w+)\s+tool\b/i,
  ],
  [
    'exfiltration',
    /\b(send|post|upload|forward|include)\b[^.\n]{0,40}\b(contents?|secrets?|keys?|tokens?|passwords?|credentials?)\b[^.\n]{0,40}\b(to|in)\b/i,
  ],
  ['html_comment', /<!--/],
];

function* strings(value: unknown, path: string, depth: number): Generator<[string, string]> {
  if (depth > 64) return;
  if (typeof value === 'string') {
    yield [path, value];
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* strings(v, `${path}[${i}]`, depth + 1);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      yield [`${path === '' ? '' : `${path}.`}${k}`, k];
      yield* strings(v, path === '' ? k : `${path}.${k}`, depth + 1);
    }
  }
}

export function scanToolDefinition(definition: unknown): ToolScanReport {
  const signals: ToolScanSignal[] = [];
  for (const [path, text] of strings(definition, '', 0)) {
    if (HIDDEN.test(text)) signals.push({ name: 'hidden_characters', path });
    for (const [name, re] of PATTERNS) if (re.test(text)) signals.push({ name, path });
  }
  return { suspicious: signals.length > 0, signals };
}
