import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join, relative } from 'node:path';
import { GatewayError } from '../core/errors.js';
import { loadPolicySet } from '../core/policy/index.js';
import type { CompiledPolicySet, PolicyDiagnostic, PolicyFile } from '../core/policy/types.js';

/** Reads every *.yaml / *.yml file under the given files or directories, sorted by path. */
export function readPolicyFiles(paths: string[], baseDir: string): PolicyFile[] {
  const found = new Set<string>();
  const visit = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch (cause) {
      throw new GatewayError('policy_parse_error', `policy path ${p} does not exist`, {
        cause,
        location: { file: p },
      });
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        const child = join(p, name);
        if (statSync(child).isDirectory() || /\.ya?ml$/i.test(name)) visit(child);
      }
    } else found.add(p);
  };
  for (const p of paths) visit(p);
  return [...found]
    .sort()
    .map((file) => ({ path: relative(baseDir, file) || file, content: readFileSync(file, 'utf8') }));
}

export function formatDiagnostics(diags: PolicyDiagnostic[]): string {
  return diags
    .map((d) => {
      const rule =
        d.rule_id !== undefined
          ? ` [rule ${d.policy_id ?? '?'}/${d.rule_id}]`
          : d.limit_id !== undefined
            ? ` [limit ${d.policy_id ?? '?'}/${d.limit_id}]`
            : '';
      return `${d.position.file}:${d.position.line}:${d.position.column}: ${d.code}: ${d.message}${rule}`;
    })
    .join('\n');
}

/** Compiles the files under `paths`; throws a GatewayError naming file:line:column on failure. */
export function compilePolicyPaths(paths: string[], baseDir: string): CompiledPolicySet {
  const files = readPolicyFiles(paths, baseDir);
  if (files.length === 0)
    throw new GatewayError('policy_parse_error', `no policy files (*.yaml) under ${paths.join(', ')}`);
  const result = loadPolicySet(files);
  if (!result.ok) {
    const first = result.error[0]!;
    throw new GatewayError(first.code, formatDiagnostics(result.error), {
      location: {
        file: first.position.file,
        line: first.position.line,
        column: first.position.column,
        ...(first.rule_id ? { rule: first.rule_id } : {}),
      },
      extra: { diagnostics: result.error },
    });
  }
  return result.value;
}

export interface ReloadEvent {
  ok: boolean;
  previousVersion: string | null;
  version: string | null;
  trigger: 'start' | 'watch' | 'signal' | 'api';
  error?: GatewayError;
}

/**
 * Holds the active policy set. A reload compiles the files from scratch and swaps the whole set
 * in one assignment; a broken set never goes live and the previous one stays active.
 */
export class PolicyHolder {
  private active: CompiledPolicySet | null = null;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly paths: string[],
    private readonly baseDir: string,
    private readonly onReload: (e: ReloadEvent) => void,
  ) {}

  current(): CompiledPolicySet | null {
    return this.active;
  }

  reload(trigger: ReloadEvent['trigger']): ReloadEvent {
    const previousVersion = this.active?.version ?? null;
    let event: ReloadEvent;
    try {
      const next = compilePolicyPaths(this.paths, this.baseDir);
      this.active = next;
      event = { ok: true, previousVersion, version: next.version, trigger };
    } catch (e) {
      const error =
        e instanceof GatewayError ? e : new GatewayError('policy_parse_error', String(e), { cause: e });
      event = { ok: false, previousVersion, version: previousVersion, trigger, error };
    }
    this.onReload(event);
    return event;
  }

  /** Reloads (debounced) when any file under the policy paths changes. */
  watch(): void {
    for (const p of this.paths) {
      try {
        const w = watch(p, { recursive: statSync(p).isDirectory(), persistent: false }, () =>
          this.schedule(),
        );
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // A path that cannot be watched still reloads on SIGHUP.
      }
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reload('watch');
    }, 100);
    this.timer.unref();
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearTimeout(this.timer);
  }
}
