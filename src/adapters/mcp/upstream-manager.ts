/**
 * All upstreams of one gateway: starts and stops them, keeps the pins file loaded (and reloads it
 * when it changes on disk), and resolves qualified names and resource URIs to an upstream.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { resolvePath } from '../../app/config-loader.js';
import { GatewayError } from '../../core/errors.js';
import type { CatalogTool } from '../../core/mcp/catalog.js';
import { splitQualifiedName } from '../../core/mcp/names.js';
import { emptyPins, parsePins, type PinsFileV1 } from '../../core/mcp/pins.js';
import type { McpHost } from './host.js';
import { Upstream, type CatalogKind, type UpstreamListener } from './upstream.js';

export type ChangeListener = (kind: CatalogKind) => void;
export type ResourceListener = (uri: string) => void;

/** Reads the pins file; a missing file means "no pins", an invalid one is an error. */
export function loadPinsFile(path: string): PinsFileV1 {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyPins();
    throw new GatewayError('mcp_pins_invalid', `cannot read pins file ${path}`, { cause: e });
  }
  const parsed = parsePins(text);
  if (!parsed.ok)
    throw new GatewayError('mcp_pins_invalid', `${path}: ${parsed.error}`, { location: { file: path } });
  return parsed.value;
}

export class UpstreamManager {
  readonly upstreams = new Map<string, Upstream>();
  readonly pinsPath: string;
  private pins: PinsFileV1;
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly resourceListeners = new Set<ResourceListener>();
  private watching = false;

  constructor(private readonly host: McpHost) {
    this.pinsPath = resolvePath(host.baseDir, host.mcp.pins.file);
    this.pins = loadPinsFile(this.pinsPath);
    const listener: UpstreamListener = {
      changed: (_u, kind) => this.changeListeners.forEach((l) => l(kind)),
      resourceUpdated: (_u, uri) => this.resourceListeners.forEach((l) => l(uri)),
    };
    for (const config of host.mcp.upstreams) {
      if (config.enabled)
        this.upstreams.set(config.name, new Upstream(config, host, () => this.pins, listener));
    }
  }

  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onResourceUpdated(listener: ResourceListener): () => void {
    this.resourceListeners.add(listener);
    return () => this.resourceListeners.delete(listener);
  }

  /** Connects every upstream; resolves when all have connected or startup_wait_ms has passed. */
  async start(): Promise<void> {
    this.watchPins();
    const all = Promise.all([...this.upstreams.values()].map((u) => u.start()));
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<void>((res) => {
      timer = setTimeout(res, this.host.mcp.startup_wait_ms);
    });
    await Promise.race([all, wait]);
    clearTimeout(timer);
    for (const u of this.upstreams.values()) {
      if (u.state !== 'ready')
        this.host.logger.warn(
          { upstream: u.name, state: u.state, error: u.lastError },
          'mcp upstream not connected at startup; retrying in the background',
        );
    }
  }

  async close(): Promise<void> {
    if (this.watching) unwatchFile(this.pinsPath);
    this.watching = false;
    await Promise.all([...this.upstreams.values()].map((u) => u.close()));
  }

  /** Re-reads the pins file; on error the previous pins stay in force. */
  reloadPins(): void {
    try {
      this.pins = loadPinsFile(this.pinsPath);
    } catch (e) {
      this.host.logger.error(
        { file: this.pinsPath, err: e instanceof GatewayError ? e.detail : String(e) },
        'pins file invalid; previous pins stay in force',
      );
      return;
    }
    for (const u of this.upstreams.values()) u.rebuildCatalog();
    this.host.logger.info({ file: this.pinsPath }, 'mcp pins reloaded');
    this.changeListeners.forEach((l) => l('tools'));
  }

  private watchPins(): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.pinsPath, { interval: 1000, persistent: false }, (curr, prev) => {
      if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size) this.reloadPins();
    });
  }

  /** Every tool of every connected upstream, in config order. */
  tools(): CatalogTool[] {
    const out: CatalogTool[] = [];
    for (const u of this.upstreams.values()) if (u.state === 'ready') out.push(...u.tools);
    return out;
  }

  /** The upstream a qualified name points at, or null when the upstream part names none. */
  upstreamFor(qualified: string): { upstream: Upstream; name: string } | null {
    const parts = splitQualifiedName(qualified);
    if (parts === null) return null;
    const upstream = this.upstreams.get(parts.upstream);
    return upstream === undefined ? null : { upstream, name: parts.name };
  }

  /**
   * The connected upstream that offers `uri` (listed, or matching one of its templates). When
   * several claim it the first in config order is used and the others are reported in the log.
   */
  upstreamForResource(uri: string): Upstream | null {
    const claims = [...this.upstreams.values()].filter((u) => u.state === 'ready' && u.matchesResource(uri));
    if (claims.length > 1) {
      this.host.logger.warn(
        { uri, upstreams: claims.map((u) => u.name) },
        'several mcp upstreams claim one resource URI; the first in config order serves it',
      );
    }
    return claims[0] ?? null;
  }
}
