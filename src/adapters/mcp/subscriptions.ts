/**
 * resources/subscribe across sessions. The gateway holds one connection per upstream, so it
 * subscribes upstream once per URI (first subscriber) and fans `notifications/resources/updated`
 * out to the sessions that subscribed; the last unsubscribe (or session end) unsubscribes upstream.
 * A URI is sent to the upstream that offers it; a URI no upstream lists (a resource that does not
 * exist yet) goes to every upstream that supports subscriptions. `mayRead` filters the targets:
 * an agent can only watch what it may be allowed to read.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { REFUSED, RESOURCE_NOT_FOUND } from '../../core/mcp/refusals.js';
import type { UpstreamManager } from './upstream-manager.js';
import type { Upstream } from './upstream.js';

export type Notify = (uri: string) => void;
export type MayRead = (upstream: Upstream, uri: string) => boolean;

export class SubscriptionHub {
  /** uri -> subscriber -> notify */
  private readonly byUri = new Map<string, Map<object, Notify>>();
  private readonly targetsOf = new Map<string, Upstream[]>();

  constructor(private readonly manager: UpstreamManager) {
    manager.onResourceUpdated((uri) => {
      for (const notify of this.byUri.get(uri)?.values() ?? []) notify(uri);
    });
  }

  async subscribe(subscriber: object, uri: string, notify: Notify, mayRead: MayRead): Promise<void> {
    let subs = this.byUri.get(uri);
    if (subs === undefined) {
      const owner = this.manager.upstreamForResource(uri);
      const candidates =
        owner !== null
          ? [owner]
          : [...this.manager.upstreams.values()].filter((u) => u.state === 'ready' && u.supportsSubscribe);
      if (candidates.length === 0)
        throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, {
          code: 'mcp_resource_not_found',
          uri,
        });
      const allowed = candidates.filter((u) => mayRead(u, uri));
      if (allowed.length === 0) {
        throw new McpError(
          REFUSED,
          `Portcullis refused to subscribe to ${uri}: policy does not allow reading it`,
          { code: 'no_rule_matched', uri },
        );
      }
      const results = await Promise.allSettled(allowed.map((u) => u.subscribe(uri)));
      const targets = allowed.filter((_, i) => results[i]!.status === 'fulfilled');
      if (targets.length === 0) throw (results[0] as PromiseRejectedResult).reason;
      subs = this.byUri.get(uri) ?? new Map();
      this.byUri.set(uri, subs);
      this.targetsOf.set(uri, targets);
    } else if (!(this.targetsOf.get(uri) ?? []).some((u) => mayRead(u, uri))) {
      throw new McpError(
        REFUSED,
        `Portcullis refused to subscribe to ${uri}: policy does not allow reading it`,
        { code: 'no_rule_matched', uri },
      );
    }
    subs.set(subscriber, notify);
  }

  async unsubscribe(subscriber: object, uri: string): Promise<void> {
    const subs = this.byUri.get(uri);
    if (subs === undefined || !subs.delete(subscriber) || subs.size > 0) return;
    this.byUri.delete(uri);
    const targets = this.targetsOf.get(uri) ?? [];
    this.targetsOf.delete(uri);
    await Promise.all(
      targets.filter((u) => u.state === 'ready').map((u) => u.unsubscribe(uri).catch(() => undefined)),
    );
  }

  /** A session ended: drop all its subscriptions. */
  async drop(subscriber: object): Promise<void> {
    const uris = [...this.byUri.entries()].filter(([, subs]) => subs.has(subscriber)).map(([uri]) => uri);
    await Promise.all(uris.map((uri) => this.unsubscribe(subscriber, uri)));
  }
}
