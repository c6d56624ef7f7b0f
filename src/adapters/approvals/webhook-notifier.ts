/**
 * Tells approvers about approvals: POSTs JSON with a Slack-compatible `text` field (and the
 * approval's facts under `approval`) to a webhook. Delivery retries with exponential backoff on
 * network errors, 429 and 5xx; it never blocks a decision. With a secret, each request is signed:
 * `X-Portcullis-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Neither the URL (Slack URLs embed a token) nor the secret is ever logged; action arguments are
 * not sent (they may hold personal data): approvers read them through the API.
 */
import { createHmac } from 'node:crypto';
import type { ApprovalChange } from '../../core/approvals/types.js';

export interface WebhookOptions {
  url: string;
  secret?: string;
  /** Attempts in total (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each time (default 500 ms, capped at 30 s). */
  baseDelayMs?: number;
  timeoutMs?: number;
  /** Link shown in the message: `<publicUrl>/v1/approvals/<id>`. */
  publicUrl?: string;
  fetch?: typeof fetch;
  onFailure?: (info: { approvalId: string; attempts: number; status: number | null }) => void;
  /** Seconds since the epoch for signatures (tests). */
  nowSeconds?: () => number;
}

export class WebhookNotifier {
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly options: WebhookOptions) {
    const u = new URL(options.url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('webhook url must be http(s)');
  }

  /** Starts delivery in the background; `drain` awaits all deliveries (shutdown, tests). */
  notify(change: ApprovalChange): void {
    if (change.event === 'consumed') return;
    const p = this.deliver(change).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  private async deliver(change: ApprovalChange): Promise<void> {
    const body = JSON.stringify(payloadOf(change, this.options.publicUrl));
    const max = this.options.maxAttempts ?? 5;
    const doFetch = this.options.fetch ?? fetch;
    let status: number | null = null;
    for (let attempt = 1; attempt <= max; attempt++) {
      try {
        const res = await doFetch(this.options.url, {
          method: 'POST',
          headers: this.headers(body),
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
          redirect: 'error',
        });
        status = res.status;
        await res.body?.cancel();
        if (res.ok) return;
        if (res.status < 500 && res.status !== 429 && res.status !== 408) break;
      } catch {
        status = null;
      }
      if (attempt < max)
        await sleep(Math.min(30_000, (this.options.baseDelayMs ?? 500) * 2 ** (attempt - 1)));
    }
    this.options.onFailure?.({ approvalId: change.approval.id, attempts: max, status });
  }

  private headers(body: string): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'portcullis-approvals',
    };
    if (this.options.secret !== undefined) {
      const t = Math.floor(this.options.nowSeconds?.() ?? Date.now() / 1000);
      const mac = createHmac('sha256', this.options.secret).update(`${t}.${body}`).digest('hex');
      h['x-portcullis-signature'] = `t=${t},v1=${mac}`;
    }
    return h;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

export function payloadOf(change: ApprovalChange, publicUrl?: string): Record<string, unknown> {
  const a = change.approval;
  const what = [a.action.kind, a.action.tool].filter((x) => x !== undefined && x !== '').join(' ');
  const needs = a.requirements.map((r) => `${r.count} × ${r.roles.join('/')}`).join(' and ');
  const link = publicUrl === undefined ? '' : `\n${publicUrl.replace(/\/$/, '')}/v1/approvals/${a.id}`;
  const who = `${a.agent_id}${a.on_behalf_of === null ? '' : ` (for ${a.on_behalf_of})`}`;
  const head =
    change.event === 'created'
      ? `Approval needed: ${who} wants ${what}. Needs ${needs} before ${new Date(a.expires_at).toISOString()}.`
      : `Approval ${a.id} is ${change.to}${change.by === null ? '' : ` (${change.by})`}: ${who}, ${what}.`;
  const reasons = a.reasons.length === 0 ? '' : `\nWhy: ${a.reasons.join('; ')}`;
  return {
    text: `${head}${reasons}\nApproval ${a.id}${link}`,
    event: `approval.${change.event !== 'vote' ? change.event : change.to === 'pending' ? 'vote' : change.to}`,
    approval: {
      id: a.id,
      status: a.status,
      agent_id: a.agent_id,
      on_behalf_of: a.on_behalf_of,
      kind: a.action.kind,
      tool: a.action.tool ?? null,
      server: a.action.server ?? null,
      action_hash: a.action_hash,
      requirements: a.requirements,
      reasons: a.reasons,
      created_at: a.created_at,
      expires_at: a.expires_at,
      approvals: a.votes.filter((v) => v.decision === 'approve').length,
    },
  };
}
