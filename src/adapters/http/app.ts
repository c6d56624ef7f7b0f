/**
 * The HTTP adapter (Hono). It turns requests into pipeline inputs and decisions into responses;
 * it never decides anything itself. Errors are application/problem+json with stable codes.
 */
import { Hono, type Context } from 'hono';
import type { Credential } from '../../core/action.js';
import type { DecisionV1 } from '../../core/decision.js';
import { GatewayError } from '../../core/errors.js';
import { parseDecideRequest } from '../../core/request-schema.js';
import type { Gateway } from '../../app/create-gateway.js';
import { mountMcp } from '../mcp/http-route.js';
import { problemFromError, problemResponse } from './problem.js';
import { readJsonBody, type BodyLimits } from './read-json.js';
import { headerOf } from './read-body.js';
import { applyGuardrails, applyRequestSchema } from '../guard/guardrails-apply.js';
import { createMemoryVault } from '../../core/guardrails/index.js';
import { createAuditRoutes } from './routes/audit.js';
import { createOutcomeRoutes } from './routes/outcome.js';

export function credentialFrom(c: Context): Credential {
  const header = headerOf(c, 'authorization');
  if (header === undefined) return { type: 'none' };
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? { type: 'api_key', key: m[1]! } : { type: 'none' };
}

function decisionResponse(c: Context, decision: DecisionV1): Response {
  if (decision.code === 'unauthenticated') {
    return problemResponse(
      c,
      'unauthenticated',
      'missing, unknown or revoked credential',
      { decision_id: decision.id },
      {
        'www-authenticate': 'Bearer realm="portcullis"',
      },
    );
  }
  if (decision.code === 'rate_limited') {
    // Still a decision (deny), with the standard signal for clients to back off.
    // No Retry-After when the action can never fit (bigger than the budget, or a spent quota
    // that does not refill): retrying would never help.
    if (decision.retry_after_ms === undefined) return c.json(decision, 429);
    const seconds = Math.max(1, Math.ceil(decision.retry_after_ms / 1000));
    return c.json(decision, 429, { 'retry-after': String(seconds) });
  }
  return c.json(decision, 200);
}

/** `?wait=<seconds>`: 0 when absent, capped at the configured maximum; null when malformed. */
function waitParam(raw: string | undefined, maxSeconds: number): number | null {
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,6}$/.test(raw)) return null;
  return Math.min(Number(raw), maxSeconds) * 1000;
}

export function createHttpApp(gateway: Gateway): Hono {
  const app = new Hono();
  const server = gateway.config.server;
  const limits: BodyLimits = { maxBytes: server.body_limit_bytes, maxDepth: server.max_json_depth };

  app.onError((err, c) => {
    if (!(err instanceof GatewayError) || err.status >= 500) {
      gateway.logger.error(
        { err: err instanceof GatewayError ? err.code : err.name, path: c.req.path },
        'request failed',
      );
    }
    return problemFromError(c, err);
  });
  app.notFound((c) => problemResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const r = gateway.ready();
    return c.json(
      {
        status: r.ready ? 'ready' : 'not_ready',
        checks: r.checks,
        policy_version: gateway.policies.current()?.version ?? null,
      },
      r.ready ? 200 : 503,
    );
  });
  app.get('/metrics', async (c) => {
    const text = await gateway.metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': gateway.metrics.registry.contentType });
  });

  app.post('/v1/decide', async (c) => {
    const body = await readJsonBody(c, limits);
    const parsed = parseDecideRequest(body);
    if (!parsed.ok)
      return problemResponse(c, 'invalid_request', 'request does not match the schema', {
        errors: parsed.issues,
      });
    const credential = credentialFrom(c);
    const waitMs = waitParam(c.req.query('wait'), gateway.config.approvals.max_wait_seconds);
    if (waitMs === null)
      return problemResponse(c, 'invalid_request', 'wait must be a whole number of seconds');
    let result = await gateway.run({ credential, request: parsed.value, adapter: 'http' });
    // Long-poll: hold an escalation until its approval is decided (or the wait ends), then decide
    // the identical request again, which uses the approval or is denied.
    const pending = result.decision.approval;
    if (waitMs > 0 && result.decision.outcome === 'escalate' && pending?.status === 'pending') {
      const settled = await gateway.access.approvals.waitFor(pending.id, waitMs, c.req.raw.signal);
      if (settled !== null && settled.status !== 'pending') {
        result = await gateway.run({
          credential,
          request: parsed.value,
          adapter: 'http',
          awaitedApprovalId: pending.id,
        });
      }
    }
    return decisionResponse(c, result.decision);
  });

  app.post('/v1/decide/batch', async (c) => {
    const body = await readJsonBody(c, limits);
    if (
      typeof body !== 'object' ||
      body === null ||
      Array.isArray(body) ||
      !Array.isArray((body as { requests?: unknown }).requests)
    ) {
      return problemResponse(c, 'invalid_request', 'body must be {"requests": [ ... ]}');
    }
    const extra = Object.keys(body).filter((k) => k !== 'requests');
    if (extra.length > 0)
      return problemResponse(c, 'invalid_request', `unknown field(s): ${extra.join(', ')}`);
    const items = (body as { requests: unknown[] }).requests;
    if (items.length === 0 || items.length > server.batch_max) {
      return problemResponse(c, 'invalid_request', `requests must hold 1 to ${server.batch_max} items`);
    }
    const requests = [];
    for (const [i, item] of items.entries()) {
      const parsed = parseDecideRequest(item);
      if (!parsed.ok) {
        return problemResponse(c, 'invalid_request', `requests[${i}] does not match the schema`, {
          errors: parsed.issues.map((x) => ({ ...x, path: `requests.${i}.${x.path}` })),
        });
      }
      requests.push(parsed.value);
    }
    const credential = credentialFrom(c);
    const decisions: DecisionV1[] = [];
    for (const request of requests) {
      const { decision } = await gateway.run({ credential, request, adapter: 'http' });
      if (decision.code === 'unauthenticated') return decisionResponse(c, decision);
      decisions.push(decision);
    }
    return c.json({ decisions }, 200);
  });

  const applyVault = createMemoryVault();
  app.post('/v1/guardrails/apply', async (c) => {
    const body = await readJsonBody(c, limits);
    const who = await gateway.agentAuthenticator.authenticate(credentialFrom(c));
    if (who === null) {
      return problemResponse(
        c,
        'unauthenticated',
        'missing, unknown or revoked credential',
        {},
        { 'www-authenticate': 'Bearer realm="portcullis"' },
      );
    }
    const parsed = applyRequestSchema.safeParse(body);
    if (!parsed.success) {
      return problemResponse(c, 'invalid_request', 'request does not match the schema', {
        errors: parsed.error.issues
          .slice(0, 20)
          .map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
      });
    }
    if (gateway.guardrails === null)
      return problemResponse(c, 'guardrails_disabled', 'guardrails are turned off in the config');
    return c.json(applyGuardrails(gateway.guardrails, parsed.data, applyVault), 200);
  });

  app.route('/', gateway.access.approvalRoutes(gateway.agentAuthenticator));
  app.route(
    '/',
    gateway.access.adminRoutes(() => ({ policy_version: gateway.policies.current()?.version ?? null })),
  );
  app.route('/', createAuditRoutes(gateway));
  app.route('/', createOutcomeRoutes(gateway));
  mountMcp(app, gateway); // MCP gateway at /mcp when the config has an `mcp:` section (docs/mcp.md)

  return app;
}
