import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createGuardrails, createMemoryVault, guardrailsConfigSchema } from '../../core/guardrails/index.js';
import { GatewayError } from '../../core/errors.js';
import { applyGuardrails } from '../../adapters/guard/guardrails-apply.js';
import { loadConfigFile } from '../../app/config-loader.js';
import { EXIT } from '../exit-codes.js';
import { printJson, reportError } from '../output.js';

const MAX_BYTES = 16 * 1024 * 1024;

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description(
      'scan text for PII, secrets, prompt injection and denied content; print findings (never the values)',
    )
    .argument('[file]', 'text file to scan; stdin when absent or -')
    .option(
      '-c, --config <file>',
      "use this gateway config's guardrails section (default: the built-in defaults)",
    )
    .option(
      '--source <direction>',
      'INPUT (prompt, tool arguments) or OUTPUT (tool results, model answers)',
      'INPUT',
    )
    .option('--json', 'print the full result as JSON, with the anonymised text')
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing found, 3 findings or intervention, 1 error (or a scanner failed), 2 usage.',
    )
    .action((file: string | undefined, opts: { config?: string; source: string; json?: boolean }) => {
      try {
        const source = opts.source.toUpperCase();
        if (source !== 'INPUT' && source !== 'OUTPUT')
          throw new GatewayError('invalid_request', '--source must be INPUT or OUTPUT');
        const buf = readFileSync(file === undefined || file === '-' ? 0 : file);
        if (buf.length > MAX_BYTES)
          throw new GatewayError('payload_too_large', `input is over ${MAX_BYTES} bytes`);
        const text = buf.toString('utf8');
        const cfg = opts.config
          ? loadConfigFile(opts.config).config.guardrails
          : guardrailsConfigSchema.parse({});
        const g = createGuardrails(
          { ...cfg, enabled: true },
          { hmacKey: randomBytes(32), now: () => performance.now() },
        );
        const r = applyGuardrails(g, { source, content: [text] }, createMemoryVault());
        if (opts.json) printJson(r);
        else {
          for (const f of r.findings) {
            const via = f.via ? ` via ${f.via.join('>')}` : '';
            process.stdout.write(
              `${f.start}-${f.end}\t${f.detector}\t${f.type}\t${f.confidence.toFixed(2)}\t${f.evidence.join(',')}${via}\t${f.action}\n`,
            );
          }
          const inj = r.injection;
          process.stdout.write(
            `injection score ${inj.score.toFixed(2)} (threshold ${inj.strength_threshold}) ${inj.detected ? 'DETECTED' : 'not detected'}\n`,
          );
          process.stdout.write(
            `${r.findings.length} finding(s); action ${r.action}${r.blocked ? ' (blocked)' : ''}\n`,
          );
        }
        process.exitCode = r.failed
          ? EXIT.failure
          : r.findings.length > 0 || r.action !== 'NONE' || r.injection.detected
            ? EXIT.deny
            : EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
