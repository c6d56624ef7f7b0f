import { GatewayError, formatLocation } from '../core/errors.js';
import { EXIT } from './exit-codes.js';

/** Prints an error for a person (stderr) and returns the exit code to use. */
export function reportError(err: unknown): number {
  if (err instanceof GatewayError) {
    const where = formatLocation(err.location);
    const first = err.detail.includes(where) || where === '' ? '' : `${where}: `;
    process.stderr.write(`error[${err.code}]: ${first}${err.detail}\n`);
    return EXIT.failure;
  }
  process.stderr.write(`error[internal_error]: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.failure;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
