/**
 * An HTTP witness. Protocol (docs/audit.md#witnesses):
 *   POST <url>  body: the signed checkpoint note, Content-Type: text/plain; charset=utf-8
 *               2xx = accepted (also for a note it already holds); 409 = it holds a different
 *               checkpoint for the same size (a fork); anything else = try again later.
 *   GET  <url>  200 application/json: {"checkpoints": ["<note>", ...]}
 */
import { GatewayError } from '../../core/errors.js';
import type { CheckpointWitness } from '../../ports/audit-store.js';

export interface HttpWitnessOptions {
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Extra headers, e.g. an Authorization header the witness requires. */
  headers?: Record<string, string>;
}

export class HttpWitness implements CheckpointWitness {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly options: HttpWitnessOptions = {},
  ) {
    this.name = `http:${new URL(url).origin}${new URL(url).pathname}`;
  }

  async submit(note: string): Promise<void> {
    const res = await this.request('POST', note);
    if (res.status === 409) {
      throw new GatewayError(
        'audit_witness_unavailable',
        `${this.name} holds a different checkpoint for the same size: the ledger may have been rewritten`,
      );
    }
    if (!res.ok) throw new GatewayError('audit_witness_unavailable', `${this.name} answered ${res.status}`);
  }

  async list(): Promise<string[]> {
    const res = await this.request('GET');
    if (!res.ok) throw new GatewayError('audit_witness_unavailable', `${this.name} answered ${res.status}`);
    const body = (await res.json()) as { checkpoints?: unknown };
    if (!Array.isArray(body.checkpoints) || !body.checkpoints.every((c) => typeof c === 'string')) {
      throw new GatewayError(
        'audit_witness_unavailable',
        `${this.name} did not answer {"checkpoints": [...]}`,
      );
    }
    return body.checkpoints;
  }

  private async request(method: 'GET' | 'POST', body?: string): Promise<Response> {
    try {
      return await fetch(this.url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'text/plain; charset=utf-8' }),
          ...this.options.headers,
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (e) {
      throw new GatewayError('audit_witness_unavailable', `${this.name} is unreachable`, { cause: e });
    }
  }
}
