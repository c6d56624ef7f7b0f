/**
 * Output guardrails over what an upstream returned: every text an agent (and its model) will read
 * — text content, embedded text resources, every string in structured content, prompt messages,
 * resource contents — goes through gateway.guardOutput, which redacts and flags indirect injection.
 * Binary content (images, audio, blobs) passes unscanned.
 */
import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject } from '../../core/json.js';
import type { McpHost } from './host.js';

export interface GuardedOutput<T> {
  value: T;
  findings: JsonObject;
  /** Why the result may not reach the agent, or null. */
  blocked: string | null;
}

interface Slot {
  part: string;
  text: string;
  /** Writes the redacted text back. */
  set(text: string): void;
}

async function guardSlots<T>(
  host: McpHost,
  value: T,
  slots: Slot[],
  session: string | undefined,
): Promise<GuardedOutput<T>> {
  if (slots.length === 0) return { value, findings: {}, blocked: null };
  const result = await host.guardOutput(
    slots.map(({ part, text }) => ({ part, text })),
    session,
  );
  if (result.blocked)
    return {
      value,
      findings: result.findings,
      blocked: result.reasons.join('; ') || 'blocked by an output guardrail',
    };
  for (const [i, slot] of slots.entries()) {
    const next = result.parts[i];
    if (next === undefined)
      return {
        value,
        findings: result.findings,
        blocked: 'the output guard returned fewer parts than it was given',
      };
    if (next !== slot.text) slot.set(next);
  }
  return { value, findings: result.findings, blocked: null };
}

/** Every string inside a JSON value, each its own slot: redaction can never break the structure. */
function stringLeaves(node: unknown, path: string, slots: Slot[]): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => {
      if (typeof v === 'string')
        slots.push({
          part: `${path}[${i}]`,
          text: v,
          set: (t) => {
            node[i] = t;
          },
        });
      else stringLeaves(v, `${path}[${i}]`, slots);
    });
  } else if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'string')
        slots.push({
          part: `${path}.${k}`,
          text: v,
          set: (t) => {
            obj[k] = t;
          },
        });
      else stringLeaves(v, `${path}.${k}`, slots);
    }
  }
}

/** Guards a tool result in place (it is the gateway's own copy). */
export function guardToolResult(
  host: McpHost,
  result: CallToolResult,
  session?: string,
): Promise<GuardedOutput<CallToolResult>> {
  const slots: Slot[] = [];
  for (const [i, item] of result.content.entries()) {
    if (item.type === 'text') {
      slots.push({
        part: `content[${i}].text`,
        text: item.text,
        set: (t) => {
          item.text = t;
        },
      });
    } else if (item.type === 'resource' && 'text' in item.resource) {
      const res = item.resource;
      slots.push({
        part: `content[${i}].resource.text`,
        text: res.text,
        set: (t) => {
          res.text = t;
        },
      });
    }
  }
  if (result.structuredContent !== undefined)
    stringLeaves(result.structuredContent, 'structuredContent', slots);
  return guardSlots(host, result, slots, session);
}

export function guardResourceResult(
  host: McpHost,
  result: ReadResourceResult,
  session?: string,
): Promise<GuardedOutput<ReadResourceResult>> {
  const slots: Slot[] = [];
  for (const [i, item] of result.contents.entries()) {
    if ('text' in item && typeof item.text === 'string') {
      const c = item as { text: string };
      slots.push({
        part: `contents[${i}].text`,
        text: c.text,
        set: (t) => {
          c.text = t;
        },
      });
    }
  }
  return guardSlots(host, result, slots, session);
}

export function guardPromptResult(
  host: McpHost,
  result: GetPromptResult,
  session?: string,
): Promise<GuardedOutput<GetPromptResult>> {
  const slots: Slot[] = [];
  if (result.description !== undefined) {
    slots.push({
      part: 'description',
      text: result.description,
      set: (t) => {
        result.description = t;
      },
    });
  }
  for (const [i, message] of result.messages.entries()) {
    const content = message.content;
    if (content.type === 'text') {
      slots.push({
        part: `messages[${i}].content.text`,
        text: content.text,
        set: (t) => {
          content.text = t;
        },
      });
    } else if (content.type === 'resource' && 'text' in content.resource) {
      const res = content.resource;
      slots.push({
        part: `messages[${i}].content.resource.text`,
        text: res.text,
        set: (t) => {
          res.text = t;
        },
      });
    }
  }
  return guardSlots(host, result, slots, session);
}
