/**
 * Where the evaluation corpora live (../shared/corpora) and how they are read.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPORA = resolve(ROOT, '..', 'shared', 'corpora');

export const readJson = <T>(p: string): T => JSON.parse(readFileSync(join(CORPORA, p), 'utf8')) as T;
export const readLines = (p: string): string[] =>
  readFileSync(join(CORPORA, p), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
export const readText = (p: string): string => readFileSync(join(CORPORA, p), 'utf8');
export const pct = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines in quotes) into header-keyed rows. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  return body
    .filter((r) => r.length > 1)
    .map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}
