/**
 * `npm run conformance:mcp`: runs the official MCP conformance runner (@modelcontextprotocol/
 * conformance, server mode) against server-everything directly, then against Portcullis in front
 * of the same server (allow-all policy), and writes the comparison into docs/mcp.md. Every
 * scenario that passes directly must pass through the gateway; the script exits 1 otherwise.
 *
 * The runner sends no credentials, so a small local proxy adds the agent's bearer key on the way
 * to the gateway; it forwards everything else untouched (Host and Origin included, so the
 * DNS-rebinding scenario reaches the gateway as sent). Needs `npm run build` (runs dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const RUNNER = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CLI = join(ROOT, 'dist/cli/main.js');
const KEY = 'conformance-agent-key';

export interface ScenarioOutcome {
  scenario: string;
  passed: number;
  failed: number;
}

export interface ConformanceReport {
  runner: string;
  direct: ScenarioOutcome[];
  gateway: ScenarioOutcome[];
  /** Scenarios that pass directly but not through the gateway (must be empty). */
  regressions: string[];
}

function waitForLine(
  proc: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  return new Promise((res, rej) => {
    let text = '';
    const timer = setTimeout(() => rej(new Error(`${what} did not start in time:\n${text}`)), timeoutMs);
    proc.stderr!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = pattern.exec(text);
      if (m) {
        clearTimeout(timer);
        res(m);
      }
    });
    proc.once('exit', (code) => rej(new Error(`${what} exited with ${code}:\n${text}`)));
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return res();
    proc.once('exit', () => res());
    proc.kill('SIGTERM');
  });
}

async function startEverything(): Promise<{ proc: ChildProcess; url: string }> {
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const proc = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForLine(proc, /listening on port/, 'server-everything');
  return { proc, url: `http://localhost:${port}/mcp` };
}

async function startGateway(upstreamUrl: string, dir: string): Promise<{ proc: ChildProcess; url: string }> {
  mkdirSync(join(dir, 'policies'), { recursive: true });
  writeFileSync(
    join(dir, 'policies', 'allow-all.yaml'),
    `apiVersion: portcullis.dev/v1
kind: Policy
metadata: { id: conformance-allow-all, version: 1.0.0, description: Conformance runs only }
rules:
  - id: everything
    target: { kinds: [tool_call, "mcp.*"] }
    effect: allow
    reason: allow-all for the conformance comparison
`,
  );
  writeFileSync(
    join(dir, 'portcullis.yaml'),
    `version: 1
policies: { paths: [policies], watch: false }
audit: { path: ":memory:" }
log: { level: warn }
agents:
  - id: conformance
    api_key: { env: CONFORMANCE_KEY }
mcp:
  upstreams:
    - name: everything
      http: { url: "${upstreamUrl}" }
`,
  );
  const proc = spawn(
    process.execPath,
    [CLI, 'serve', '--config', join(dir, 'portcullis.yaml'), '--port', '0'],
    {
      env: { ...process.env, CONFORMANCE_KEY: KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const m = await waitForLine(proc, /portcullis listening on (http:\/\/\S+)/, 'portcullis serve');
  return { proc, url: m[1]! };
}

/** Forwards every request to `target`, adding the bearer key; responses are streamed back. */
function authProxy(target: string): Promise<{ server: Server; url: string }> {
  const t = new URL(target);
  const server = createServer((req, res) => {
    const up = request(
      {
        host: t.hostname,
        port: t.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, authorization: `Bearer ${KEY}` },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((res) =>
    server.listen(0, '127.0.0.1', () =>
      res({ server, url: `http://localhost:${(server.address() as { port: number }).port}/mcp` }),
    ),
  );
}

async function runRunner(url: string, outDir: string): Promise<ScenarioOutcome[]> {
  const proc = spawn(process.execPath, [RUNNER, 'server', '--url', url, '-o', outDir], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await new Promise((res) => proc.once('exit', res));
  const outcomes: ScenarioOutcome[] = [];
  for (const entry of readdirSync(outDir).sort()) {
    const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry);
    const file = join(outDir, entry, 'checks.json');
    if (!m || !existsSync(file)) continue;
    const checks = JSON.parse(readFileSync(file, 'utf8')) as Array<{ status: string }>;
    outcomes.push({
      scenario: m[1]!,
      passed: checks.filter((c) => c.status === 'SUCCESS').length,
      failed: checks.filter((c) => c.status === 'FAILURE').length,
    });
  }
  return outcomes;
}

const passes = (o: ScenarioOutcome | undefined): boolean => o !== undefined && o.failed === 0 && o.passed > 0;

export async function runConformance(): Promise<ConformanceReport> {
  const work = mkdtempSync(join(tmpdir(), 'portcullis-conformance-'));
  const everything = await startEverything();
  let gateway: { proc: ChildProcess; url: string } | null = null;
  let proxy: { server: Server; url: string } | null = null;
  try {
    const direct = await runRunner(everything.url, join(work, 'direct'));
    gateway = await startGateway(everything.url, join(work, 'gateway-config'));
    proxy = await authProxy(gateway.url);
    const through = await runRunner(proxy.url, join(work, 'gateway'));
    const regressions = direct
      .filter((d) => passes(d) && !passes(through.find((g) => g.scenario === d.scenario)))
      .map((d) => d.scenario);
    const runner = (
      JSON.parse(
        readFileSync(join(ROOT, 'node_modules/@modelcontextprotocol/conformance/package.json'), 'utf8'),
      ) as { version: string }
    ).version;
    return { runner, direct, gateway: through, regressions };
  } finally {
    proxy?.server.close();
    if (gateway) await stop(gateway.proc);
    await stop(everything.proc);
  }
}

export function formatReport(r: ConformanceReport): string {
  const fmt = (o: ScenarioOutcome | undefined) =>
    o === undefined ? 'not run' : `${passes(o) ? 'pass' : 'FAIL'} (${o.passed}/${o.passed + o.failed})`;
  const rows = r.direct.map(
    (d) => `| ${d.scenario} | ${fmt(d)} | ${fmt(r.gateway.find((g) => g.scenario === d.scenario))} |`,
  );
  const directPass = r.direct.filter(passes).length;
  const gatewayPass = r.gateway.filter(passes).length;
  return [
    `Runner: @modelcontextprotocol/conformance ${r.runner} (server mode, active suite), node ${process.version}.`,
    `Server: @modelcontextprotocol/server-everything (Streamable HTTP), directly and behind \`portcullis serve\` (allow-all policy).`,
    '',
    `Scenarios passing: ${directPass}/${r.direct.length} directly, ${gatewayPass}/${r.gateway.length} through Portcullis. ` +
      `Passing directly but not through Portcullis: ${r.regressions.length === 0 ? 'none' : r.regressions.join(', ')}.`,
    '',
    '| scenario | direct (checks passed) | through Portcullis |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}

const BEGIN = '<!-- conformance:begin -->';
const END = '<!-- conformance:end -->';

async function main(): Promise<void> {
  const report = await runConformance();
  const table = formatReport(report);
  console.log(table);
  const doc = join(ROOT, 'docs/mcp.md');
  const text = readFileSync(doc, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a === -1 || b === -1) throw new Error(`docs/mcp.md lacks the ${BEGIN} ... ${END} markers`);
  writeFileSync(doc, `${text.slice(0, a + BEGIN.length)}\n${table}\n${text.slice(b)}`);
  console.log(`\nwrote ${doc}`);
  process.exit(report.regressions.length === 0 ? 0 : 1);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();
