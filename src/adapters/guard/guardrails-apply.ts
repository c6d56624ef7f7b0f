/**
 * `POST /v1/guardrails/apply` and `portcullis scan`: run the guardrails on free text outside a
 * decision. Request {source: INPUT | OUTPUT, content: [{text}] | [string]}; answer the action
 * (NONE | INTERVENED), findings with spans (never values), coverage and the anonymised texts.
 */
import { z } from 'zod';
import type { Guardrails, TokenVault } from '../../core/guardrails/index.js';
import type { ScanResult } from '../../core/guardrails/types.js';

const MAX_PARTS = 100;

export const applyRequestSchema = z.strictObject({
  source: z.enum(['INPUT', 'OUTPUT']),
  content: z
    .array(z.union([z.string(), z.strictObject({ text: z.string() })]))
    .min(1)
    .max(MAX_PARTS),
  session_id: z.string().min(1).max(256).optional(),
});
export type ApplyRequest = z.infer<typeof applyRequestSchema>;

export interface ApplyResponse {
  action: 'NONE' | 'INTERVENED';
  blocked: boolean;
  /** A scanner failed: treat the text as not scanned (callers must not pass it on). */
  failed: boolean;
  reasons: string[];
  outputs: Array<{ text: string; changed: boolean }>;
  findings: Array<{
    part: number;
    type: string;
    detector: string;
    start: number;
    end: number;
    confidence: number;
    evidence: string[];
    action: string;
    via?: string[];
  }>;
  injection: ScanResult['findings']['injection'];
  coverage: ScanResult['coverage'];
}

export function applyGuardrails(g: Guardrails, req: ApplyRequest, vault: TokenVault): ApplyResponse {
  const parts = req.content.map((c, i) => ({
    part: `content[${i}]`,
    text: typeof c === 'string' ? c : c.text,
  }));
  const direction = req.source === 'INPUT' ? 'input' : 'output';
  const r = g.scan(parts, direction, { session: req.session_id ?? 'default', vault });
  const index = new Map(parts.map((p, i) => [p.part, i]));
  return {
    action: r.failed ? 'INTERVENED' : r.action,
    blocked: r.blocked || r.failed,
    failed: r.failed,
    reasons: r.blockReasons,
    outputs: r.parts.map((p) => ({ text: p.text, changed: p.changed })),
    findings: r.parts.flatMap((p) =>
      p.findings.map((f) => ({
        part: index.get(f.part) ?? 0,
        type: f.type,
        detector: f.detector,
        start: f.start,
        end: f.end,
        confidence: f.confidence,
        evidence: f.evidence,
        action: f.action,
        ...(f.via ? { via: f.via } : {}),
      })),
    ),
    injection: r.findings.injection,
    coverage: r.coverage,
  };
}
