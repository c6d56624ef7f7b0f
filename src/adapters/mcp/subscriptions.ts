/**
 * resources/subscribe across sessions. The gateway holds one connection per upstream, so it
 * subscribes upstream once per URI (first subscriber) and fans `notifications/resources/updated`
 * out to the sessions that subscribed; the last unsubscribe (or session end) unsubscribes upstream.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { RESOURCE_NOT_FOUND } from '../../core/mcp/refusals.js';
import type { UpstreamManager } from './upstream-manager.js';
import type { Upstream } from './upstream.js';

export type Notify = (uri: string) => void;

export class SubscriptionHub {
  /** uri -> subscriber -> notify */
  private readonly byUri = new Map<string, Map<object, Notify>>();
  private readonly upstreamOf = new Map<string, Upstream>();

  constructor(private readonly manager: UpstreamManager) {
    manager.onResourceUpdated((uri) => {
      for (const notify of this.byUri.get(uri)?.values() ?? []) notify(uri);
    });
  }

  async subscribe(subscriber: object, uri: string, notify: Notify): Promise<void> {
    const upstream = this.manager.upstreamForResource(uri);
    if (upstream === null) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { code: 'mcp_resource_not_found', uri });
    let subs = this.byUri.get(uri);
    if (subs === undefined) {
      await upstream.subscribe(uri);
      subs = this.byUri.get(uri) ?? new Map();
      this.byUri.set(uri, subs);
      this.upstreamOf.set(uri, upstream);
    }
    subs.set(subscriber, notify);
  }

  async unsubscribe(subscriber: object, uri: string): Promise<void> {
    const subs = this.byUri.get(uri);
    if (subs === undefined || !subs.delete(subscriber) || subs.size > 0) return;
    this.byUri.delete(uri);
    const upstream = this.upstreamOf.get(uri);
    this.upstreamOf.delete(uri);
    if (upstream?.state === 'ready') await upstream.unsubscribe(uri).catch(() => undefined);
  }

  /** A session ended: drop all its subscriptions. */
  async drop(subscriber: object): Promise<void> {
    const uris = [...this.byUri.entries()].filter(([, subs]) => subs.has(subscriber)).map(([uri]) => uri);
    await Promise.all(uris.map((uri) => this.unsubscribe(subscriber, uri)));
  }
}
