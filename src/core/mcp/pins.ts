/**
 * Tool-definition pins (rug-pull protection). A pin is the SHA-256 of a tool definition's
 * canonical JSON (RFC 8785), exactly as the upstream sent it: name, title, description, input and
 * output schemas, annotations and _meta. Any change to what the model is shown changes the hash.
 *
 * The pins file is JSON (`portcullis mcp pin` writes it; people review it in code review):
 *   { "version": 1, "upstreams": { "<upstream>": { "tools": { "<tool>": "sha256:<hex>" } } } }
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { err, ok, type Result } from '../result.js';

export type DefinitionHash = `sha256:${string}`;

export function hashToolDefinition(definition: unknown): DefinitionHash {
  return `sha256:${createHash('sha256').update(canonicalJson(definition)).digest('hex')}`;
}

export interface PinsFileV1 {
  version: 1;
  upstreams: Record<string, { tools: Record<string, DefinitionHash> }>;
}

export function emptyPins(): PinsFileV1 {
  return { version: 1, upstreams: {} };
}

const HASH = /^sha256:[0-9a-f]{64}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a pins file; the message names the first thing wrong. */
export function parsePins(text: string): Result<PinsFileV1, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return err(`not valid JSON: ${(e as Error).message}`);
  }
  if (!isRecord(raw) || raw.version !== 1 || !isRecord(raw.upstreams)) {
    return err('expected {"version": 1, "upstreams": {...}}');
  }
  const pins = emptyPins();
  for (const [upstream, entry] of Object.entries(raw.upstreams)) {
    if (!isRecord(entry) || !isRecord(entry.tools))
      return err(`upstreams.${upstream}: expected {"tools": {...}}`);
    const tools: Record<string, DefinitionHash> = {};
    for (const [tool, hash] of Object.entries(entry.tools)) {
      if (typeof hash !== 'string' || !HASH.test(hash))
        return err(`upstreams.${upstream}.tools.${tool}: expected "sha256:<64 hex>"`);
      tools[tool] = hash as DefinitionHash;
    }
    pins.upstreams[upstream] = { tools };
  }
  return ok(pins);
}

/** Stable text (sorted keys, one entry per line) so that a re-pin shows as a small diff. */
export function formatPins(pins: PinsFileV1): string {
  const sorted: PinsFileV1 = { version: 1, upstreams: {} };
  for (const upstream of Object.keys(pins.upstreams).sort()) {
    const tools = pins.upstreams[upstream]!.tools;
    const out: Record<string, DefinitionHash> = {};
    for (const name of Object.keys(tools).sort()) out[name] = tools[name]!;
    sorted.upstreams[upstream] = { tools: out };
  }
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/**
 * How a tool stands against the pins:
 * - `pinned`: the upstream has pins and this definition matches its pin;
 * - `changed`: the upstream has pins and the definition differs from its pin (a rug pull?);
 * - `new`: the upstream has pins but none for this tool (appeared after pinning);
 * - `unpinned`: the upstream has no pins at all.
 */
export type PinStatus = 'pinned' | 'changed' | 'new' | 'unpinned';

export function pinStatus(pins: PinsFileV1, upstream: string, tool: string, hash: DefinitionHash): PinStatus {
  const entry = pins.upstreams[upstream];
  if (entry === undefined) return 'unpinned';
  const pinned = entry.tools[tool];
  if (pinned === undefined) return 'new';
  return pinned === hash ? 'pinned' : 'changed';
}

/** Replaces one upstream's pins with the given hashes (the other upstreams are kept). */
export function withUpstreamPins(
  pins: PinsFileV1,
  upstream: string,
  hashes: Record<string, DefinitionHash>,
): PinsFileV1 {
  return { version: 1, upstreams: { ...pins.upstreams, [upstream]: { tools: { ...hashes } } } };
}
