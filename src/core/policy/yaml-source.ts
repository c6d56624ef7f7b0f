/**
 * YAML reading with positions. Policy and test files are parsed into yaml's node tree (never
 * straight to JS objects) so that every diagnostic can point at file:line:column. Resource
 * limits live here: file size, nesting depth, alias expansions and nodes per document.
 */
import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import type { JsonObject, JsonValue } from '../json.js';
import type { PolicyDiagnostic, PolicyFile, SourcePosition } from './types.js';

export const LIMITS = {
  /** Bytes per policy or test file. */
  maxFileBytes: 8 * 1024 * 1024,
  /** Nesting of maps and lists inside one document. */
  maxDepth: 64,
  /** Alias (`*name`) resolutions per document: anchors are fine, "billion laughs" is not. */
  maxAliasCount: 100,
  /** Nodes visited per document, counting every alias expansion. */
  maxNodes: 500_000,
} as const;

export type DiagnosticCode = PolicyDiagnostic['code'];

/** Which policy, rule or limit a diagnostic is about. */
export interface DiagnosticIds {
  policy_id?: string | undefined;
  rule_id?: string | undefined;
  limit_id?: string | undefined;
}

/** One parsed file: its documents plus what is needed to turn offsets into positions. */
export class YamlSource {
  readonly file: string;
  readonly text: string;
  private readonly lines: LineCounter;

  constructor(file: string, text: string, lines: LineCounter) {
    this.file = file;
    this.text = text;
    this.lines = lines;
  }

  /** 1-based line and column of a character offset. */
  position(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { file: this.file, line, column: col };
  }

  nodePosition(node: YamlNode | null | undefined, fallback = 0): SourcePosition {
    return this.position(node?.range?.[0] ?? fallback);
  }
}

/** Collects diagnostics for one load; every one names a position. */
export class Diagnostics {
  readonly list: PolicyDiagnostic[] = [];

  add(code: DiagnosticCode, message: string, position: SourcePosition, ids: DiagnosticIds = {}): void {
    const d: PolicyDiagnostic = { code, message, position };
    if (ids.policy_id !== undefined) d.policy_id = ids.policy_id;
    if (ids.rule_id !== undefined) d.rule_id = ids.rule_id;
    if (ids.limit_id !== undefined) d.limit_id = ids.limit_id;
    this.list.push(d);
  }
}

export interface ParsedFile {
  source: YamlSource;
  documents: Array<{ doc: Document.Parsed; contents: YamlNode }>;
}

/**
 * Parses every document of a file. YAML syntax errors (including yaml's own stack-depth guard)
 * become diagnostics; documents that are empty (only comments, a trailing `---`) are dropped.
 * Never throws.
 */
export function parseYamlFile(file: PolicyFile, diags: Diagnostics): ParsedFile | null {
  const lines = new LineCounter();
  const source = new YamlSource(file.path, file.content, lines);
  if (typeof file.content !== 'string') {
    diags.add('policy_parse_error', 'file content is not text', { file: file.path, line: 1, column: 1 });
    return null;
  }
  if (file.content.length > LIMITS.maxFileBytes) {
    diags.add(
      'policy_parse_error',
      `file is larger than ${LIMITS.maxFileBytes} bytes; split it into several files`,
      { file: file.path, line: 1, column: 1 },
    );
    return null;
  }
  let parsed: Document.Parsed[];
  try {
    const out = parseAllDocuments(file.content, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      // No toJS() here, so yaml's own maxAliasCount never applies: NodeReader.resolve enforces
      // LIMITS.maxAliasCount and LIMITS.maxNodes while walking instead.
    });
    parsed = Array.isArray(out) ? out : [];
  } catch (e) {
    diags.add('policy_parse_error', `YAML could not be parsed: ${errorMessage(e)}`, source.position(0));
    return null;
  }
  let failed = false;
  const documents: ParsedFile['documents'] = [];
  for (const doc of parsed) {
    for (const e of doc.errors) {
      failed = true;
      diags.add('policy_parse_error', `YAML: ${firstLine(e.message)}`, source.position(e.pos[0]));
    }
    if (doc.contents !== null) documents.push({ doc, contents: doc.contents });
  }
  return failed ? null : { source, documents };
}

/** Walks one document's nodes, resolving aliases under the document's budget. */
export class NodeReader {
  private aliases = 0;
  private nodes = 0;
  private budgetReported = false;

  constructor(
    readonly source: YamlSource,
    private readonly doc: Document.Parsed,
    private readonly diags: Diagnostics,
    private readonly code: DiagnosticCode = 'policy_parse_error',
  ) {}

  error(message: string, node: YamlNode | null | undefined, ids?: DiagnosticIds): void {
    this.diags.add(this.code, message, this.source.nodePosition(node), ids);
  }

  /** Follows an alias to its anchored node; null when the budget is spent or the alias dangles. */
  resolve(node: unknown): YamlNode | null {
    if (!this.count(node as YamlNode)) return null;
    if (!isAlias(node)) return (node as YamlNode | null) ?? null;
    if (++this.aliases > LIMITS.maxAliasCount) {
      this.budget(node, `more than ${LIMITS.maxAliasCount} alias expansions in one document`);
      return null;
    }
    const target = node.resolve(this.doc);
    if (target === undefined) {
      this.error(`unresolved alias *${node.source}`, node);
      return null;
    }
    return target;
  }

  private count(node: YamlNode | null): boolean {
    if (++this.nodes > LIMITS.maxNodes) {
      this.budget(node, `document expands to more than ${LIMITS.maxNodes} nodes`);
      return false;
    }
    return true;
  }

  private budget(node: YamlNode | null, message: string): void {
    if (this.budgetReported) return;
    this.budgetReported = true;
    this.error(message, node);
  }

  /** Key → (key node, value node) of a map, with keys that are plain strings. */
  entries(map: YAMLMap): Array<{ key: string; keyNode: YamlNode; value: YamlNode | null }> {
    const out: Array<{ key: string; keyNode: YamlNode; value: YamlNode | null }> = [];
    for (const pair of map.items) {
      if (!isPair(pair)) continue;
      const keyNode = this.resolve(pair.key);
      if (keyNode === null) continue;
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        this.error('map keys must be plain strings', keyNode);
        continue;
      }
      const value = pair.value === null || pair.value === undefined ? null : this.resolve(pair.value);
      out.push({ key: String(keyNode.value), keyNode, value });
    }
    return out;
  }

  /**
   * Converts a node to JSON with positions for what JSON cannot hold (NaN, non-string keys) and
   * limits on depth and size. Returns undefined after reporting an error.
   */
  toJson(node: YamlNode | null, depth = 0): JsonValue | undefined {
    if (node === null) return null;
    if (depth > LIMITS.maxDepth) {
      this.error(`nesting is deeper than ${LIMITS.maxDepth} levels`, node);
      return undefined;
    }
    const n = this.resolve(node);
    if (n === null) return undefined;
    if (isScalar(n)) return this.scalarToJson(n);
    if (isSeq(n)) {
      const out: JsonValue[] = [];
      for (const item of n.items) {
        const v = this.toJson((item as YamlNode | null) ?? null, depth + 1);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    if (isMap(n)) {
      const out: JsonObject = {};
      for (const { key, value } of this.entries(n)) {
        const v = this.toJson(value, depth + 1);
        if (v === undefined) return undefined;
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    this.error('unsupported YAML node', n);
    return undefined;
  }

  private scalarToJson(n: Scalar): JsonValue | undefined {
    const v: unknown = n.value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return v;
      this.error(`${String(v)} is not a JSON number`, n);
      return undefined;
    }
    this.error(`unsupported scalar value ${typeof v}`, n);
    return undefined;
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return firstLine(e.message);
  return firstLine(String(e));
}

export function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i < 0 ? s : s.slice(0, i)).trim();
}

/** Closest candidate by edit distance, for "did you mean" hints on misspelt keys. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDist = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase(), bestDist);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Position in the file of character `offset` of a CEL expression written as a scalar (a rule's
 * `when`, a limit's `key` or `amount`). The scalar's source text and its value differ by quotes,
 * block headers, indentation and line folding, so walk both in step: whitespace runs correspond
 * to whitespace runs, other characters to themselves (an escape sequence in a quoted string is
 * skipped over). Exact for plain, quoted and block scalars without escapes; close otherwise.
 */
export function conditionOffsetPosition(
  source: YamlSource,
  node: YamlNode,
  value: string,
  offset: number,
): SourcePosition {
  const start = node.range?.[0] ?? 0;
  const end = node.range?.[1] ?? source.text.length;
  const text = source.text;
  let j = start;
  const first = text[j];
  if (first === '|' || first === '>') {
    while (j < end && text[j] !== '\n') j++;
  } else if (first === '"' || first === "'") {
    j++;
  }
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (j < end && isSpace(text[j])) j++;
  let i = 0;
  while (i < offset && i < value.length && j < end) {
    if (isSpace(value[i])) {
      while (i < value.length && isSpace(value[i])) i++;
      while (j < end && isSpace(text[j])) j++;
    } else if (value[i] === text[j]) {
      i++;
      j++;
    } else {
      j++;
    }
  }
  return source.position(j);
}
