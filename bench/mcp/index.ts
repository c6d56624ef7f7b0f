/**
 * bench/mcp: tools/call latency and throughput through the gateway (`portcullis serve`, allow-all
 * policy, the full pipeline: authenticate, guard, decide, audit, forward, guard output, outcome)
 * and directly to the same Streamable HTTP upstream (server-everything's echo), in one run, with
 * the official SDK client on both paths. The gateway runs twice: with the durable ledger
 * (default) and with `audit.durability: async`.
 * Targets at moderate load (8 concurrent sessions): added p50 <= 0.3 ms, added p99 <= 1 ms,
 * throughput >= 80% of direct. Latency with one session is reported too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { median, printTable, summarize, type TargetCheck } from '../lib/stats.js';

const KEY = 'pcs_bench_mcp_key_not_secret';
const MODERATE = Number(process.env.BENCH_MCP_CONCURRENCY ?? 8);
const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 1500);
const ROUNDS = Number(process.env.BENCH_MCP_ROUNDS ?? 3);

function started(proc: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  let text = '';
  return new Promise((res, rej) => {
    proc.stderr!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = pattern.exec(text);
      if (m) res(m);
    });
    proc.once('exit', (code) => rej(new Error(`${what} exited ${code}: ${text}`)));
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (proc.exitCode !== null) return res();
    proc.once('exit', () => res());
    proc.kill('SIGTERM');
  });
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function startUpstream(): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const script = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
  const proc = spawn(process.execPath, [script, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await started(proc, /listening on port/, 'server-everything');
  return { proc, url: `http://127.0.0.1:${port}/mcp` };
}

async function startGateway(upstream: string, durability: 'durable' | 'async'): Promise<{ proc: ChildProcess; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), `pc-bench-mcp-${durability}-`));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies', 'allow.yaml'),
    'apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata: { id: bench, version: 1.0.0 }\nrules:\n' +
      '  - { id: echo, target: { kinds: [tool_call], tools: [everything.echo] }, effect: allow, reason: bench }\n',
  );
  writeFileSync(
    join(dir, 'portcullis.yaml'),
    [
      'version: 1',
      'log: { level: warn }',
      'policies: { paths: [policies], watch: false }',
      `audit: { path: ${join(dir, 'ledger.db')}, signing_key_path: ${join(dir, 'signing.key')}, durability: ${durability} }`,
      'agents:',
      '  - id: bench-agent',
      '    api_key: { env: BENCH_MCP_KEY }',
      'mcp:',
      '  upstreams:',
      `    - { name: everything, http: { url: "${upstream}" } }`,
      '',
    ].join('\n'),
  );
  const proc = spawn(process.execPath, [resolve('dist/cli/main.js'), 'serve', '--config', join(dir, 'portcullis.yaml'), '--port', '0'], {
    env: { ...process.env, BENCH_MCP_KEY: KEY },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const m = await started(proc, /portcullis listening on (http:\/\/\S+)/, 'portcullis serve');
  return { proc, url: `${m[1]!}/mcp` };
}

interface Sample {
  latencies: number[];
  rps: number;
  errors: number;
}

/** `sessions` clients, each making `calls` sequential tools/call requests after a warm-up. */
async function measure(url: string, tool: string, sessions: number, calls: number): Promise<Sample> {
  const headers = { authorization: `Bearer ${KEY}` };
  const clients = await Promise.all(
    Array.from({ length: sessions }, async () => {
      const c = new Client({ name: 'bench', version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
      return c;
    }),
  );
  const call = (c: Client) => c.callTool({ name: tool, arguments: { message: 'bench' } });
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < 100; i++) await call(c);
  }));
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < calls; i++) {
        const s = performance.now();
        const r = await call(c);
        latencies.push(performance.now() - s);
        if (r.isError === true) errors++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  return { latencies, rps: (sessions * calls) / seconds, errors };
}

type Path = 'direct' | 'gateway (durable)' | 'gateway (async)';

export async function run(): Promise<TargetCheck[]> {
  const upstream = await startUpstream();
  const durable = await startGateway(upstream.url, 'durable');
  const async_ = await startGateway(upstream.url, 'async');
  const paths: Array<[Path, string, string]> = [
    ['direct', upstream.url, 'echo'],
    ['gateway (durable)', durable.url, 'everything.echo'],
    ['gateway (async)', async_.url, 'everything.echo'],
  ];
  const results = new Map<string, Array<{ p50: number; p99: number; rps: number; errors: number }>>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const sessions of [1, MODERATE]) {
        for (const [name, url, tool] of paths) {
          const s = await measure(url, tool, sessions, sessions === 1 ? CALLS : Math.ceil(CALLS / 2));
          const sum = summarize(s.latencies);
          const key = `${name}|${sessions}`;
          results.set(key, [...(results.get(key) ?? []), { p50: sum.p50, p99: sum.p99, rps: s.rps, errors: s.errors }]);
        }
      }
    }
  } finally {
    await Promise.all([stop(durable.proc), stop(async_.proc)]);
    await stop(upstream.proc);
  }

  const med = (name: Path, sessions: number) => {
    const r = results.get(`${name}|${sessions}`)!;
    return { p50: median(r.map((x) => x.p50)), p99: median(r.map((x) => x.p99)), rps: median(r.map((x) => x.rps)), errors: r.reduce((a, x) => a + x.errors, 0) };
  };
  const rows: Array<Record<string, string | number>> = [];
  for (const sessions of [1, MODERATE]) {
    const direct = med('direct', sessions);
    for (const [name] of paths) {
      const m = med(name, sessions);
      rows.push({
        path: name,
        sessions,
        'p50 ms': m.p50.toFixed(3),
        'p99 ms': m.p99.toFixed(3),
        'added p50 ms': name === 'direct' ? '-' : (m.p50 - direct.p50).toFixed(3),
        'added p99 ms': name === 'direct' ? '-' : (m.p99 - direct.p99).toFixed(3),
        'calls/s': Math.round(m.rps),
        'vs direct': name === 'direct' ? '-' : `${((m.rps / direct.rps) * 100).toFixed(0)}%`,
        errors: m.errors,
      });
    }
  }
  printTable(`MCP tools/call, SDK client, Streamable HTTP upstream (median of ${ROUNDS} rounds, ${CALLS} calls per session at 1, ${Math.ceil(CALLS / 2)} at ${MODERATE})`, rows);

  const checks: TargetCheck[] = [];
  const direct = med('direct', MODERATE);
  for (const name of ['gateway (durable)', 'gateway (async)'] as const) {
    const m = med(name, MODERATE);
    checks.push(
      { name: `mcp ${name}: added p50 at ${MODERATE} sessions (ms)`, value: m.p50 - direct.p50, target: '<= 0.3', ok: m.p50 - direct.p50 <= 0.3 },
      { name: `mcp ${name}: added p99 at ${MODERATE} sessions (ms)`, value: m.p99 - direct.p99, target: '<= 1', ok: m.p99 - direct.p99 <= 1 },
      { name: `mcp ${name}: throughput vs direct (%)`, value: (m.rps / direct.rps) * 100, target: '>= 80', ok: m.rps / direct.rps >= 0.8 },
      { name: `mcp ${name}: error results`, value: m.errors, target: '0', ok: m.errors === 0 },
    );
  }
  return checks;
}
