/**
 * Lists what an upstream offers — tools, prompts, resources, resource templates — following
 * pagination cursors, with a timeout per page and a cap on the number of items. A capability the
 * upstream did not declare lists as empty.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { Prompt, Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamTool } from '../../core/mcp/catalog.js';

export interface ListerOptions {
  timeoutMs: number;
  max: number;
  onTruncated: (kind: string) => void;
}

type Page<T> = (params: { cursor: string } | undefined) => Promise<[T[], string | undefined]>;

export class UpstreamLister {
  constructor(
    private readonly client: Client,
    private readonly options: ListerOptions,
  ) {}

  private get caps() {
    return this.client.getServerCapabilities() ?? {};
  }

  private get opts() {
    return { timeout: this.options.timeoutMs };
  }

  tools(): Promise<UpstreamTool[]> {
    if (!this.caps.tools) return Promise.resolve([]);
    return this.all('tools', (c) =>
      this.client.listTools(c, this.opts).then((r) => [r.tools as UpstreamTool[], r.nextCursor]),
    );
  }

  prompts(): Promise<Prompt[]> {
    if (!this.caps.prompts) return Promise.resolve([]);
    return this.all('prompts', (c) =>
      this.client.listPrompts(c, this.opts).then((r) => [r.prompts, r.nextCursor]),
    );
  }

  resources(): Promise<Resource[]> {
    if (!this.caps.resources) return Promise.resolve([]);
    return this.all('resources', (c) =>
      this.client.listResources(c, this.opts).then((r) => [r.resources, r.nextCursor]),
    );
  }

  /** Templates with their matcher; one the SDK cannot parse cannot be routed and is left out. */
  async templates(): Promise<Array<{ template: ResourceTemplate; matcher: UriTemplate }>> {
    if (!this.caps.resources) return [];
    const list = await this.all('resource templates', (c) =>
      this.client.listResourceTemplates(c, this.opts).then((r) => [r.resourceTemplates, r.nextCursor]),
    );
    return list.flatMap((template) => {
      try {
        return [{ template, matcher: new UriTemplate(template.uriTemplate) }];
      } catch {
        return [];
      }
    });
  }

  private async all<T>(kind: string, page: Page<T>): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const [items, next] = await page(cursor === undefined ? undefined : { cursor });
      out.push(...items);
      if (out.length >= this.options.max) {
        this.options.onTruncated(kind);
        return out.slice(0, this.options.max);
      }
      if (next === undefined || next === cursor) break;
      cursor = next;
    }
    return out;
  }
}
