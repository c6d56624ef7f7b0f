import { createHash, randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { printJson } from '../output.js';

/** A new agent API key: 256 random bits, prefixed so that secret scanners recognise it. */
export function newApiKey(): { key: string; sha256: string } {
  const key = `pcs_${randomBytes(32).toString('base64url')}`;
  return { key, sha256: createHash('sha256').update(key).digest('hex') };
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('agent API keys');
  keys
    .command('new')
    .description(
      'generate an agent API key; put its sha256 in the config as api_key_sha256 and give the key to the agent',
    )
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      const k = newApiKey();
      if (opts.json) printJson(k);
      else process.stdout.write(`key:    ${k.key}\nsha256: ${k.sha256}\n`);
    });
  keys
    .command('hash')
    .description('print the sha256 of a key read from stdin (for api_key_sha256)')
    .action(async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const key = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '');
      process.stdout.write(`${createHash('sha256').update(key).digest('hex')}\n`);
    });
}
