/**
 * bench/mcp: tools/call latency and throughput through the gateway (`portcullis serve`, allow-all
 * policy, the full pipeline: authenticate, guard, decide, audit, forward, guard output, outcome)
 * and directly to the same Streamable HTTP upstream (server-everything's echo), in one run, with
 * the official SDK client on both paths. Three gateway configurations run side by side: the
 * defaults (durable ledger, SSE answers), durable with `mcp.http.response: json`, and
 * `audit.durability: async` with JSON answers. CPU time per call of the gateway and of the
 * upstream processes is reported too: on a shared machine it is steadier than wall-clock latency.
 * Targets at moderate load (8 concurrent sessions): added p50 <= 0.3 ms, added p99 <= 1 ms,
 * throughput >= 80% of direct. Latency with one session is reported too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  const proc = spawn(process.execPath, [script, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await started(proc, /listening on port/, 'server-everything');
  return { proc, url: `http://127.0.0.1:${port}/mcp` };
}

async function startGateway(
  upstream: string,
  durability: 'durable' | 'async',
  response: 'sse' | 'json',
): Promise<{ proc: ChildProcess; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), `pc-bench-mcp-${durability}-${response}-`));
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
      `  http: { response: ${response} }`,
      '',
    ].join('\n'),
  );
  const proc = spawn(
    process.execPath,
    [resolve('dist/cli/main.js'), 'serve', '--config', join(dir, 'portcullis.yaml'), '--port', '0'],
    {
      env: { ...process.env, BENCH_MCP_KEY: KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const m = await started(proc, /portcullis listening on (http:\/\/\S+)/, 'portcullis serve');
  return { proc, url: `${m[1]!}/mcp` };
}

/** CPU seconds a process has used so far (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100/s)
  } catch {
    return Number.NaN;
  }
}

interface Sample {
  latencies: number[];
  rps: number;
  errors: number;
  /** CPU microseconds per call used by each watched process (gateway, upstream). */
  cpuUs: number[];
}

/** `sessions` clients, each making `calls` sequential tools/call requests after a warm-up. */
async function measure(
  url: string,
  tool: string,
  sessions: number,
  calls: number,
  pids: Array<number | undefined>,
): Promise<Sample> {
  const headers = { authorization: `Bearer ${KEY}` };
  const clients = await Promise.all(
    Array.from({ length: sessions }, async () => {
      const c = new Client({ name: 'bench', version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
      return c;
    }),
  );
  const call = (c: Client) => c.callTool({ name: tool, arguments: { message: 'bench' } });
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < 100; i++) await call(c);
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  const cpu0 = pids.map(cpuSeconds);
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
  const cpu = pids.map((p, i) => ((cpuSeconds(p) - cpu0[i]!) * 1e6) / (sessions * calls));
  // End the sessions (DELETE) so neither server accumulates them between runs.
  await Promise.all(
    clients.map(async (c) => {
      await (c.transport as StreamableHTTPClientTransport).terminateSession().catch(() => undefined);
      await c.close();
    }),
  );
  return { latencies, rps: (sessions * calls) / seconds, errors, cpuUs: cpu };
}

type Path = 'direct' | 'gateway durable+sse (default)' | 'gateway durable+json' | 'gateway async+json';
const GATEWAYS: Array<[Path, 'durable' | 'async', 'sse' | 'json']> = [
  ['gateway durable+sse (default)', 'durable', 'sse'],
  ['gateway durable+json', 'durable', 'json'],
  ['gateway async+json', 'async', 'json'],
];

export async function run(): Promise<TargetCheck[]> {
  const upstream = await startUpstream();
  const gateways = await Promise.all(
    GATEWAYS.map(([, durability, response]) => startGateway(upstream.url, durability, response)),
  );
  const paths: Array<[Path, string, string, number | undefined]> = [
    ['direct', upstream.url, 'echo', undefined],
    ...GATEWAYS.map(([name], i): [Path, string, string, number | undefined] => [
      name,
      gateways[i]!.url,
      'everything.echo',
      gateways[i]!.proc.pid,
    ]),
  ];
  type Row = { p50: number; p99: number; rps: number; errors: number; gwCpu: number; upCpu: number };
  const results = new Map<string, Row[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const sessions of [1, MODERATE]) {
        for (const [name, url, tool, pid] of paths) {
          const calls = sessions === 1 ? CALLS : Math.ceil(CALLS / 2);
          const s = await measure(url, tool, sessions, calls, [pid, upstream.proc.pid]);
          const sum = summarize(s.latencies);
          const key = `${name}|${sessions}`;
          const row = {
            p50: sum.p50,
            p99: sum.p99,
            rps: s.rps,
            errors: s.errors,
            gwCpu: s.cpuUs[0]!,
            upCpu: s.cpuUs[1]!,
          };
          results.set(key, [...(results.get(key) ?? []), row]);
        }
      }
    }
  } finally {
    await Promise.all(gateways.map((g) => stop(g.proc)));
    await stop(upstream.proc);
  }

  const med = (name: Path, sessions: number) => {
    const r = results.get(`${name}|${sessions}`)!;
    return {
      p50: median(r.map((x) => x.p50)),
      p99: median(r.map((x) => x.p99)),
      rps: median(r.map((x) => x.rps)),
      errors: r.reduce((a, x) => a + x.errors, 0),
      gwCpu: median(r.map((x) => x.gwCpu)),
      upCpu: median(r.map((x) => x.upCpu)),
    };
  };
  const rows: Array<Record<string, string | number>> = [];
  for (const sessions of [1, MODERATE]) {
    const direct = med('direct', sessions);
    for (const [name] of paths) {
      const m = med(name, sessions);
      const gw = name !== 'direct';
      rows.push({
        path: name,
        sessions,
        'p50 ms': m.p50.toFixed(3),
        'p99 ms': m.p99.toFixed(3),
        'added p50 ms': gw ? (m.p50 - direct.p50).toFixed(3) : '-',
        'added p99 ms': gw ? (m.p99 - direct.p99).toFixed(3) : '-',
        'calls/s': Math.round(m.rps),
        'vs direct': gw ? `${((m.rps / direct.rps) * 100).toFixed(0)}%` : '-',
        'gateway CPU µs/call': gw ? Math.round(m.gwCpu) : '-',
        'upstream CPU µs/call': Math.round(m.upCpu),
        errors: m.errors,
      });
    }
  }
  printTable(
    `MCP tools/call, SDK client, Streamable HTTP upstream (median of ${ROUNDS} rounds; ${CALLS} calls per session at 1 session, ${Math.ceil(CALLS / 2)} at ${MODERATE})`,
    rows,
  );

  const checks: TargetCheck[] = [];
  const direct = med('direct', MODERATE);
  for (const [name] of GATEWAYS) {
    const m = med(name, MODERATE);
    checks.push(
      {
        name: `mcp ${name}: added p50 at ${MODERATE} sessions (ms)`,
        value: m.p50 - direct.p50,
        target: '<= 0.3',
        ok: m.p50 - direct.p50 <= 0.3,
      },
      {
        name: `mcp ${name}: added p99 at ${MODERATE} sessions (ms)`,
        value: m.p99 - direct.p99,
        target: '<= 1',
        ok: m.p99 - direct.p99 <= 1,
      },
      {
        name: `mcp ${name}: throughput vs direct (%)`,
        value: (m.rps / direct.rps) * 100,
        target: '>= 80',
        ok: m.rps / direct.rps >= 0.8,
      },
      { name: `mcp ${name}: error results`, value: m.errors, target: '0', ok: m.errors === 0 },
    );
  }
  return checks;
}
