import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { configJsonSchema } from '../../app/config-schema.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('configuration helpers');
  config
    .command('schema')
    .description('print (or write) the JSON Schema of the config file, for editors')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action((opts: { out?: string }) => {
      const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
      if (opts.out) writeFileSync(opts.out, text);
      else process.stdout.write(text);
    });
}
