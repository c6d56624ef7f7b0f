/**
 * An in-process gateway with the approval, admin and decision APIs on one real HTTP server,
 * composed the way the composition root is meant to (createAccessControls + createGateway with
 * its ports replaced), plus an asynchronous CLI runner (the server shares this process, so the
 * CLI must not block the event loop).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { createHttpApp } from '../../src/adapters/http/app.js';
import { listen, type RunningServer } from '../../src/adapters/http/server.js';
import { ApiKeyAuthenticator, hashApiKey } from '../../src/adapters/identity/api-key-authenticator.js';
import { createAccessControls, type AccessControls } from '../../src/app/config-access.js';
import { readSecret, resolvePath, validateConfig } from '../../src/app/config-loader.js';
import type { GatewayConfigInput } from '../../src/app/config-schema.js';
import { createGateway, sequenceIds, systemClock, type Gateway } from '../../src/app/create-gateway.js';
import { createLogger } from '../../src/app/logger.js';
import type { AuditEventV1 } from '../../src/core/audit/event.js';
import type { Clock } from '../../src/core/clock.js';
import type { ControlEvent } from '../../src/ports/approval-store.js';
import type { AuditSink } from '../../src/ports/audit-sink.js';
import { CLI } from './cli-harness.js';

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
export const AGENT_KEY = 'pcs_e2e_pay_bot_key';
export const opKey = (id: string): string => `pcs_e2e_operator_${id}`;

export const OPERATORS = [
  { id: 'alice', roles: ['approver', 'treasury-approver'], api_key_sha256: sha(opKey('alice')) },
  { id: 'bob', roles: ['approver', 'treasury-approver'], api_key_sha256: sha(opKey('bob')) },
  {
    id: 'carol',
    roles: ['approver', 'treasury-approver'],
    aliases: ['carol@bank.example'],
    api_key_sha256: sha(opKey('carol')),
  },
  { id: 'adam', roles: ['admin'], api_key_sha256: sha(opKey('adam')) },
  { id: 'audrey', roles: ['auditor'], api_key_sha256: sha(opKey('audrey')) },
];

class MemorySink implements AuditSink {
  readonly name = 'e2e-memory-ledger';
  readonly events: AuditEventV1[] = [];
  append(e: AuditEventV1) {
    this.events.push(e);
    return Promise.resolve({ index: this.events.length - 1, id: e.id });
  }
  ready() {
    return true;
  }
  close() {
    return Promise.resolve();
  }
}

export interface Running {
  url: string;
  gateway: Gateway;
  access: AccessControls;
  records: ControlEvent[];
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startInProcess(
  input: Omit<GatewayConfigInput, 'version'>,
  baseDir: string,
  clock: Clock = systemClock,
): Promise<Running> {
  const config = validateConfig({ version: 1, log: { level: 'silent' }, ...input });
  const records: ControlEvent[] = [];
  const access = await createAccessControls(config, {
    baseDir,
    clock,
    ids: sequenceIds(1),
    record: (e) => void records.push(e),
    readSecret: (ref) => readSecret(ref, baseDir),
    resolvePath: (p) => resolvePath(baseDir, p),
    agentKeyHashes: config.agents.map((a) => a.api_key_sha256!),
  });
  const apiKeys = new ApiKeyAuthenticator(
    config.agents.map((a) => ({
      identity: { id: a.id, roles: a.roles, permissions: a.permissions, attributes: a.attributes },
      keyHash: Buffer.from(a.api_key_sha256!, 'hex'),
      disabled: a.disabled,
    })),
  );
  const authenticator = access.agentAuthenticator(apiKeys);
  const gateway = await createGateway(config, {
    baseDir,
    clock,
    logger: createLogger('silent'),
    auditSink: new MemorySink(),
    approvals: access.approvals,
    enricher: access.enricher,
    authenticator,
  });
  const app = new Hono();
  app.route('/', access.approvalRoutes(authenticator));
  app.route(
    '/',
    access.adminRoutes(() => ({ policy_version: gateway.policies.current()?.version ?? null })),
  );
  app.route('/', createHttpApp(gateway));
  const server = await listen(app, '127.0.0.1', 0);
  return {
    url: server.url,
    gateway,
    access,
    records,
    server,
    async stop() {
      await server.close();
      await gateway.close();
      await access.close();
    },
  };
}

export { hashApiKey };

/** `portcullis <args>` without blocking this process's event loop. */
export function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, PORTCULLIS_OPERATOR_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.once('error', reject);
    p.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
