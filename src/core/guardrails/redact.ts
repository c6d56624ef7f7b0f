/**
 * Applies ANONYMIZE actions to one part's original text. Overlapping spans are merged (the most
 * confident finding names the merged span). Modes:
 *   mask      "4111 1111 1111 1111" -> "***************1111" (keepLast 4)
 *   tag       "<EMAIL_1>", numbered per distinct value across the whole scan
 *   hash      "<EMAIL:9f2c1a7b3d0e4f11>", keyed HMAC-SHA256 (needs the key)
 *   tokenize  "tok_EMAIL_9f2c...", reversible through the vault for the session
 */
import type { AnonymizeConfig } from './config.js';
import type { TokenVault, Tokenizer } from './tokenize.js';

export interface Redaction {
  start: number;
  end: number;
  type: string;
  confidence: number;
  anonymize: AnonymizeConfig;
}

/** Shared across the parts of one scan, so tags and tokens stay consistent between parts. */
export interface RedactionContext {
  tokenizer: Tokenizer | undefined;
  vault: TokenVault | undefined;
  session: string;
  /** type -> value -> tag number */
  tags: Map<string, Map<string, number>>;
}

export function newRedactionContext(
  tokenizer: Tokenizer | undefined,
  vault: TokenVault | undefined,
  session: string,
): RedactionContext {
  return { tokenizer, vault, session, tags: new Map() };
}

function tagFor(ctx: RedactionContext, type: string, value: string): string {
  let byValue = ctx.tags.get(type);
  if (!byValue) ctx.tags.set(type, (byValue = new Map<string, number>()));
  let n = byValue.get(value);
  if (n === undefined) byValue.set(value, (n = byValue.size + 1));
  return `<${type}_${n}>`;
}

function replacement(ctx: RedactionContext, r: Redaction, value: string): string {
  switch (r.anonymize.mode) {
    case 'mask': {
      const keep = Math.min(r.anonymize.keepLast, Math.max(0, value.length - 4));
      return r.anonymize.maskChar.repeat(value.length - keep) + value.slice(value.length - keep);
    }
    case 'tag':
      return tagFor(ctx, r.type, value);
    case 'hash':
      if (!ctx.tokenizer) throw new Error('hash anonymisation needs a key');
      return `<${r.type}:${ctx.tokenizer.hash(value, r.type).slice(0, 16)}>`;
    case 'tokenize':
      if (!ctx.tokenizer || !ctx.vault) throw new Error('tokenisation needs a key and a vault');
      return ctx.tokenizer.tokenize(value, r.type, ctx.session, ctx.vault);
  }
}

/** Merges overlapping redactions; the merged span keeps the settings of its most confident member. */
export function mergeRedactions(list: readonly Redaction[]): Redaction[] {
  const sorted = [...list].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Redaction[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start < last.end) {
      const lead = r.confidence > last.confidence ? r : last;
      out[out.length - 1] = { ...lead, start: last.start, end: Math.max(last.end, r.end) };
    } else out.push({ ...r });
  }
  return out;
}

export function applyRedactions(
  text: string,
  redactions: readonly Redaction[],
  ctx: RedactionContext,
): string {
  if (redactions.length === 0) return text;
  const merged = mergeRedactions(redactions);
  let out = '';
  let last = 0;
  for (const r of merged) {
    out += text.slice(last, r.start) + replacement(ctx, r, text.slice(r.start, r.end));
    last = r.end;
  }
  return out + text.slice(last);
}
