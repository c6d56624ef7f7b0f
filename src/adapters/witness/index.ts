import { isAbsolute, resolve } from 'node:path';
import type { CheckpointWitness } from '../../ports/audit-store.js';
import { DirectoryWitness } from './directory-witness.js';
import { HttpWitness, type HttpWitnessOptions } from './http-witness.js';

export { DirectoryWitness } from './directory-witness.js';
export { HttpWitness, type HttpWitnessOptions } from './http-witness.js';

/** An http(s) URL gives an HTTP witness; anything else is a directory (relative to baseDir). */
export function createWitness(
  target: string,
  options: { baseDir?: string; http?: HttpWitnessOptions } = {},
): CheckpointWitness {
  if (/^https?:\/\//i.test(target)) return new HttpWitness(target, options.http);
  return new DirectoryWitness(isAbsolute(target) ? target : resolve(options.baseDir ?? '.', target));
}
