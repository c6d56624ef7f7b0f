/**
 * Client side of the stdio transport: launches an upstream MCP server as a child process. Unlike
 * the SDK's transport it inherits NO environment variables: the child gets exactly the variables
 * on the upstream's allowlist plus the ones set in config (PATH too — give an absolute command or
 * allow PATH). Messages are size-limited; garbage on stdout is reported and skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { encodeMessage, LineReader } from './line-framing.js';

export interface StdioLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  maxMessageBytes: number;
  /** Lines the child writes to stderr (for the gateway log). */
  onStderr?: (line: string) => void;
}

export class StdioClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child: ChildProcess | null = null;
  private closed = false;

  constructor(private readonly launch: StdioLaunch) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): Promise<void> {
    if (this.child !== null) return Promise.reject(new Error('stdio transport already started'));
    return new Promise((resolve, reject) => {
      const child = spawn(this.launch.command, this.launch.args, {
        cwd: this.launch.cwd,
        env: this.launch.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });
      this.child = child;
      const reader = new LineReader(this.launch.maxMessageBytes);
      child.once('error', (e) => {
        reject(e);
        this.onerror?.(e);
        this.finish();
      });
      child.once('spawn', () => resolve());
      child.once('close', () => this.finish());
      child.stdin.on('error', (e) => this.onerror?.(e));
      child.stdout.on('data', (chunk: Buffer) => {
        reader.push(chunk, (event) => {
          if (event.kind === 'message') this.onmessage?.(event.message);
          else if (event.kind === 'too_large')
            this.onerror?.(
              new Error(
                `upstream sent a message of ${event.bytes}+ bytes (limit ${this.launch.maxMessageBytes}); dropped`,
              ),
            );
          else this.onerror?.(new Error(`upstream wrote garbage on stdout: ${event.detail}`));
        });
      });
      let errLine = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        errLine += text;
        let nl: number;
        while ((nl = errLine.indexOf('\n')) !== -1) {
          this.launch.onStderr?.(errLine.slice(0, nl));
          errLine = errLine.slice(nl + 1);
        }
        if (errLine.length > 8192) errLine = errLine.slice(-8192);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (this.closed || !stdin || !stdin.writable)
      return Promise.reject(new Error('upstream process is not running'));
    return new Promise((resolve, reject) => {
      stdin.write(encodeMessage(message), (e) => (e ? reject(e) : resolve()));
    });
  }

  /** Ends stdin, then SIGTERM after 2 s and SIGKILL after 4 s if the child is still there. */
  async close(): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) {
      this.finish();
      return;
    }
    const exited = new Promise<void>((res) => child.once('close', () => res()));
    const wait = (ms: number) =>
      Promise.race([exited, new Promise<void>((res) => setTimeout(res, ms).unref())]);
    child.stdin?.end();
    await wait(2000);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await wait(2000);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.finish();
  }

  /** Kills the child at once (used when a hung upstream must be replaced). */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
