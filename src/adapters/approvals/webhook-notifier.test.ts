import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApproval } from '../../core/approvals/state.js';
import type { ApprovalChange } from '../../core/approvals/types.js';
import { WebhookNotifier } from './webhook-notifier.js';

const approval = createApproval(
  {
    id: 'apr_1',
    decisionId: 'dec_1',
    agentId: 'pay-bot',
    onBehalfOf: 'carol',
    action: {
      kind: 'tool_call',
      tool: 'payments.transfer',
      args: { iban: 'DE89370400440532013000', amount: 20000 },
    },
    context: null,
    actionHash: 'sha256:abc',
    requirements: [{ roles: ['treasury'], count: 2 }],
    reasons: ['Transfers over 10,000 need two treasury approvers'],
  },
  {
    defaultExpiryMs: 3_600_000,
    maxExpiryMs: 86_400_000,
    useWithinMs: 1,
    defaultRequirement: { roles: ['approver'], count: 1 },
  },
  Date.UTC(2026, 0, 1),
);
const created: ApprovalChange = { approval, from: null, to: 'pending', event: 'created', by: null };

let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function receiver(
  statuses: number[],
): Promise<{ url: string; got: Array<{ body: string; headers: IncomingMessage['headers'] }> }> {
  const got: Array<{ body: string; headers: IncomingMessage['headers'] }> = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ body, headers: req.headers });
      res.statusCode = statuses[got.length - 1] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/T000/SECRET`, got };
}

describe('WebhookNotifier', () => {
  it('posts a Slack-compatible text, retries server errors with backoff, and signs the body', async () => {
    const { url, got } = await receiver([500, 503, 200]);
    const n = new WebhookNotifier({
      url,
      secret: 'hook-secret',
      baseDelayMs: 10,
      nowSeconds: () => 1_767_225_600,
    });
    n.notify(created);
    await n.drain();
    expect(got).toHaveLength(3);
    const body = JSON.parse(got[2]!.body) as {
      text: string;
      event: string;
      approval: Record<string, unknown>;
    };
    expect(body.text).toContain('Approval needed: pay-bot (for carol) wants tool_call payments.transfer');
    expect(body.text).toContain('2 × treasury');
    expect(body.event).toBe('approval.created');
    expect(body.approval).toMatchObject({ id: 'apr_1', action_hash: 'sha256:abc' });
    // Arguments (personal data) never leave in a notification.
    expect(got[2]!.body).not.toContain('DE89370400440532013000');
    const mac = createHmac('sha256', 'hook-secret').update(`1767225600.${got[2]!.body}`).digest('hex');
    expect(got[2]!.headers['x-portcullis-signature']).toBe(`t=1767225600,v1=${mac}`);
  });

  it('does not retry a client error, and reports the failure without the URL', async () => {
    const { url, got } = await receiver([404]);
    const failures: unknown[] = [];
    const n = new WebhookNotifier({ url, baseDelayMs: 1, onFailure: (f) => failures.push(f) });
    n.notify(created);
    await n.drain();
    expect(got).toHaveLength(1);
    expect(failures).toEqual([{ approvalId: 'apr_1', attempts: 5, status: 404 }]);
    expect(JSON.stringify(failures)).not.toContain('SECRET');
  });

  it('gives up after max attempts when nobody answers', async () => {
    const failures: unknown[] = [];
    const n = new WebhookNotifier({
      url: 'http://127.0.0.1:1/hook',
      baseDelayMs: 1,
      maxAttempts: 3,
      onFailure: (f) => failures.push(f),
    });
    n.notify({ ...created, event: 'vote', to: 'approved', by: 'alice' });
    await n.drain();
    expect(failures).toEqual([{ approvalId: 'apr_1', attempts: 3, status: null }]);
  });
});
