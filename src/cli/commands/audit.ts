/**
 * `portcullis audit verify|export|verify-bundle|trace|key export|key rotate`.
 *
 * verify, export and trace open the ledger read-only (SQLite WAL lets them run next to a live
 * gateway); verify-bundle needs no config and no database (what an external auditor runs); key
 * rotate writes, so it refuses while another process (the gateway) has the ledger open.
 * Exit codes: 0 ok, 1 verification failed or an error, 2 wrong usage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { rotateLedgerKey } from '../../app/audit-key.js';
import { LeafHasher } from '../../adapters/storage/audit-ledger/leaf-hasher.js';
import { openAuditLedger, openAuditLedgerReadOnly, readWitnessCheckpoints } from '../../app/audit-ledger.js';
import {
  exportBundle,
  serializeBundle,
  verifyBundle,
  verifyLedger,
  type LedgerProblem,
  type LedgerVerification,
} from '../../core/audit/index.js';
import { GatewayError } from '../../core/errors.js';
import type { AuditStore } from '../../ports/audit-store.js';
import { EXIT } from '../exit-codes.js';
import { printJson, reportError } from '../output.js';
import {
  assertLedgerNotInUse,
  ledgerSettings,
  readKeyArgument,
  requireLedgerFile,
  retiredKeyFiles,
  trustedKeys,
  verifierKeyOf,
} from './audit-support.js';
import { formatTrace } from './audit-trace.js';

/** Below this many events a terminal gets no progress bar (it would only flicker). */
const PROGRESS_FROM = 50_000;

const index =
  (name: string) =>
  (v: string): number => {
    if (!/^(0|[1-9][0-9]{0,14})$/.test(v))
      throw new InvalidArgumentError(`${name} must be a non-negative whole number`);
    return Number(v);
  };
const collect = (v: string, all: string[]): string[] => [...all, v];

/** Runs a command body: errors print as `error[code]: detail` and exit 1. */
async function run(fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

async function withReadOnlyLedger<T>(configFile: string, fn: (store: AuditStore) => Promise<T>): Promise<T> {
  const s = ledgerSettings(configFile);
  requireLedgerFile(s);
  const store = openAuditLedgerReadOnly(s.path);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

interface Progress {
  onProgress?: (done: number, total: number) => void;
  stop(): void;
}

/** A cli-progress bar on stderr: on a terminal for large ledgers, always with --progress. */
async function progressBar(force: boolean): Promise<Progress> {
  if (!force && process.stderr.isTTY !== true) return { stop: () => undefined };
  const { SingleBar, Presets } = await import('cli-progress');
  let bar: InstanceType<typeof SingleBar> | null = null;
  return {
    onProgress: (done, total) => {
      if (bar === null) {
        if (!force && total < PROGRESS_FROM) return;
        bar = new SingleBar(
          {
            stream: process.stderr,
            format: 'verifying {bar} {percentage}% | {value}/{total} events | eta {eta_formatted}',
            noTTYOutput: process.stderr.isTTY !== true,
            notTTYSchedule: 1000,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

function problemLine(p: LedgerProblem): string {
  const range = p.end === undefined ? '' : ` (somewhere in [${p.index}, ${p.end}))`;
  const cp = p.checkpoint === undefined ? '' : ` (checkpoint ${p.checkpoint})`;
  return `index ${p.index}: ${p.kind} ${p.subject.replace('_', ' ')}${range}${cp}: ${p.message}`;
}

function verificationReport(r: LedgerVerification, witness: string | undefined): string {
  const lines: string[] = [];
  if (r.ok) lines.push(`ok: ${r.size} events, root ${r.root}`);
  else {
    const first = r.firstProblem!;
    lines.push(`FAILED at index ${first.index}: ${first.kind} ${first.subject.replace('_', ' ')}`);
    lines.push(`  ${first.message}`);
    const rest = r.problems.slice(1);
    if (rest.length > 0) {
      lines.push(`  ${rest.length} further problem(s):`);
      for (const p of rest.slice(0, 20)) lines.push(`  - ${problemLine(p)}`);
    }
    lines.push(`  read ${r.size} events, recomputed root ${r.root}`);
  }
  const cp = r.checkpoints;
  lines.push(
    `  checkpoints: ${cp.verified} of ${cp.total} verified` +
      (cp.total > 0 ? `, the newest verified covers ${cp.latestVerifiedSize} events` : '') +
      (r.unsignedTail > 0 ? `; ${r.unsignedTail} later event(s) not signed yet` : ''),
  );
  if (witness !== undefined)
    lines.push(
      `  witness ${witness}: ${r.witnessed.verified} of ${r.witnessed.total} checkpoint(s) consistent`,
    );
  if (r.content) lines.push('  content: every event checked for canonical form, id and index columns');
  return `${lines.join('\n')}\n`;
}

function registerVerify(audit: Command): void {
  audit
    .command('verify')
    .description(
      'recompute every leaf hash, the Merkle tree and every signed checkpoint; name the first bad index and what is wrong',
    )
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .option(
      '--witness <dir|url>',
      'also prove the ledger consistent with every checkpoint this witness holds',
    )
    .option(
      '--content',
      "also check each event's canonical form, id and index columns (several times slower)",
    )
    .option(
      '--key <key>',
      'trust this verifier key (or a file holding one) instead of the configured key files; repeatable',
      collect,
      [],
    )
    .option('--progress', 'show a progress bar on stderr even when it is not a terminal')
    .option('--json', 'print the result as JSON')
    .action(
      (opts: {
        config: string;
        witness?: string;
        content?: boolean;
        key: string[];
        progress?: boolean;
        json?: boolean;
      }) =>
        run(async () => {
          const s = ledgerSettings(opts.config);
          const keys = await trustedKeys(s, opts.key);
          const witnessed =
            opts.witness === undefined ? undefined : await readWitnessCheckpoints(opts.witness);
          if (witnessed !== undefined && witnessed.length === 0)
            process.stderr.write(
              `warning: the witness ${opts.witness} holds no checkpoints; there is nothing to compare\n`,
            );
          const progress = await progressBar(opts.progress === true);
          const result = await withReadOnlyLedger(opts.config, async (store) => {
            // Leaf hashes, most of the work, are shared with a second thread.
            const leafHasher = new LeafHasher();
            try {
              return await verifyLedger(store, {
                keys,
                origin: s.origin,
                content: opts.content === true,
                leafHasher,
                ...(witnessed === undefined ? {} : { witnessed }),
                ...(progress.onProgress === undefined ? {} : { onProgress: progress.onProgress }),
              });
            } finally {
              leafHasher.close();
              progress.stop();
            }
          });
          if (opts.json) printJson(result);
          else process.stdout.write(verificationReport(result, opts.witness));
          if (s.witness !== undefined && opts.witness === undefined && !opts.json)
            process.stdout.write(
              `  (a witness is configured: add --witness ${s.witness} to check against it)\n`,
            );
          return result.ok ? EXIT.ok : EXIT.failure;
        }),
    );
}

function registerExport(audit: Command): void {
  audit
    .command('export')
    .description(
      'write events [from, to), a signed checkpoint and a range proof as one self-contained bundle',
    )
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .option('--from <index>', 'first event index (default 0)', index('--from'))
    .option(
      '--to <index>',
      'end index, exclusive (default: the size of the newest checkpoint)',
      index('--to'),
    )
    .requiredOption('--out <bundle>', 'bundle file to write')
    .option('--force', 'overwrite the bundle file if it exists')
    .action((opts: { config: string; from?: number; to?: number; out: string; force?: boolean }) =>
      run(async () => {
        const bundle = await withReadOnlyLedger(opts.config, (store) =>
          exportBundle(store, {
            ...(opts.from === undefined ? {} : { from: opts.from }),
            ...(opts.to === undefined ? {} : { to: opts.to }),
          }),
        );
        const text = serializeBundle(bundle);
        try {
          writeFileSync(opts.out, text, { flag: opts.force ? 'w' : 'wx', mode: 0o600 });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST')
            throw new GatewayError(
              'invalid_request',
              `${opts.out} exists; choose another name or pass --force`,
            );
          throw e;
        }
        process.stdout.write(
          `exported events [${bundle.from}, ${bundle.to}) of a tree of ${bundle.tree_size} to ${opts.out} (${Buffer.byteLength(text)} bytes)\n` +
            `an auditor checks it with: portcullis audit verify-bundle ${opts.out} --key '${bundle.verifier_key}'\n`,
        );
        return EXIT.ok;
      }),
    );
}

function registerVerifyBundle(audit: Command): void {
  audit
    .command('verify-bundle')
    .description('check an exported bundle offline with nothing but the verifier key: no config, no database')
    .argument('<bundle>', 'bundle file written by "portcullis audit export"')
    .requiredOption('--key <key>', 'the verifier key you trust, or a file holding it')
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { key: string; json?: boolean }) =>
      run(() => {
        const key = readKeyArgument(opts.key);
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (e) {
          throw new GatewayError('invalid_request', `cannot read ${file}`, { cause: e });
        }
        const r = verifyBundle(bytes, key);
        if (opts.json) printJson(r.ok ? { ok: true, ...r.value } : { ok: false, ...r.error });
        else if (r.ok)
          process.stdout.write(
            `ok: events [${r.value.from}, ${r.value.to}) (${r.value.events}) of ${r.value.origin} are in the tree of ${r.value.treeSize} signed by ${r.value.verifierKey}\n`,
          );
        else
          process.stdout.write(
            `FAILED${r.error.index === undefined ? '' : ` at index ${r.error.index}`}: ${r.error.message}\n`,
          );
        return Promise.resolve(r.ok ? EXIT.ok : EXIT.failure);
      }),
    );
}

function registerTrace(audit: Command): void {
  audit
    .command('trace')
    .description(
      'print one decision as a report: its six layers (inputs, policy, decision, action, outcome, impact) and its outcome and approval events',
    )
    .argument('<decision-id>', 'the decision id (dec_...) from the decision answer')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .option('--json', 'print the events as JSON')
    .action((decisionId: string, opts: { config: string; json?: boolean }) =>
      run(async () => {
        if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(decisionId))
          throw new GatewayError('invalid_request', 'a decision id looks like dec_ and 32 hex digits');
        const events = await withReadOnlyLedger(opts.config, (store) => store.getDecisionEvents(decisionId));
        if (events.length === 0)
          throw new GatewayError('not_found', `the ledger holds no events for ${decisionId}`);
        if (opts.json)
          printJson({
            decision_id: decisionId,
            events: events.map((e) => ({ index: e.index, event: e.event })),
          });
        else process.stdout.write(formatTrace(decisionId, events));
        return EXIT.ok;
      }),
    );
}

function actorName(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function registerKey(audit: Command): void {
  const key = audit.command('key').description("the ledger's checkpoint signing key");
  key
    .command('export')
    .description('print the verifier key auditors need (verify-bundle --key); it is public')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .option('--json', 'also list the keys retired by rotation')
    .action((opts: { config: string; json?: boolean }) =>
      run(async () => {
        const s = ledgerSettings(opts.config);
        const current = await verifierKeyOf(s.keyPath, s.origin);
        if (!opts.json) process.stdout.write(`${current}\n`);
        else {
          const retired: string[] = [];
          for (const f of retiredKeyFiles(s.keyPath)) retired.push(await verifierKeyOf(f, s.origin));
          printJson({ verifier_key: current, origin: s.origin, retired });
        }
        return EXIT.ok;
      }),
    );
  key
    .command('rotate')
    .description(
      'make a new signing key: a key_rotation event naming both keys is signed off by the old key; stop the gateway first',
    )
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .option('--actor <name>', 'who rotates (recorded in the ledger; default cli:<user>)')
    .option('--json', 'print the result as JSON')
    .action((opts: { config: string; actor?: string; json?: boolean }) =>
      run(async () => {
        const s = ledgerSettings(opts.config);
        assertLedgerNotInUse(s.path);
        const { store } = await openAuditLedger({
          path: s.path,
          origin: s.origin,
          signingKeyPath: s.keyPath,
          checkpointEveryEvents: s.checkpointEveryEvents,
          checkpointEveryMs: s.checkpointEveryMs,
          witness: s.witness,
          baseDir: s.baseDir,
        });
        try {
          const r = await rotateLedgerKey(store, s.keyPath, s.origin, {
            time: Date.now(),
            instance: s.instance,
            sequence: (await store.size()) + 1,
            actor: opts.actor ?? actorName(),
          });
          const summary = {
            previous_key: r.previous,
            new_key: r.next.verifierKey,
            checkpoint: { seq: r.checkpoint.seq, size: r.checkpoint.size },
          };
          if (opts.json) printJson(summary);
          else
            process.stdout.write(
              `rotated: checkpoint ${r.checkpoint.seq} (size ${r.checkpoint.size}), signed by the old key, records the new key\n` +
                `  previous key: ${r.previous}\n  new key:      ${r.next.verifierKey}\n` +
                'checkpoints from the next one on are signed by the new key: give it to auditors (portcullis audit key export)\n',
            );
        } finally {
          await store.close();
        }
        return EXIT.ok;
      }),
    );
}

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('verify, export, trace and key management for the tamper-evident audit ledger');
  registerVerify(audit);
  registerExport(audit);
  registerVerifyBundle(audit);
  registerTrace(audit);
  registerKey(audit);
}
