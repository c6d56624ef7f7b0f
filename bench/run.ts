/**
 * `npm run bench [-- name ...]` runs the named benchmark suites (all when none is named). Each
 * suite lives in bench/<name>/index.ts and exports `run(): Promise<TargetCheck[]>`; it measures
 * against its baseline in the same run, prints the ratio, and returns its target checks.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printTargets, type TargetCheck } from './lib/stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'lib' && existsSync(join(here, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = wanted.length > 0 ? wanted : all;
const unknown = suites.filter((s) => !all.includes(s));
if (unknown.length > 0) {
  console.error(`unknown bench suite(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
console.log(`# Portcullis benchmarks\n\nnode ${process.version}, ${process.platform}/${process.arch}`);
const checks: TargetCheck[] = [];
for (const name of suites) {
  const mod = (await import(pathToFileURL(join(here, name, 'index.ts')).href)) as {
    run: () => Promise<TargetCheck[]>;
  };
  console.log(`\n# bench/${name}`);
  checks.push(...(await mod.run()));
}
console.log('\n# Targets');
printTargets(checks);
process.exit(0);
