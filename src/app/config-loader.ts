import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { GatewayError } from '../core/errors.js';
import { configSchema, type GatewayConfig, type SecretRef } from './config-schema.js';

export interface LoadedConfig {
  config: GatewayConfig;
  /** Absolute path of the file, or null when the config came from an object. */
  file: string | null;
  /** Directory that relative paths in the config resolve against. */
  baseDir: string;
}

/** Reads, parses and validates a YAML config file; errors name file:line:column. */
export function loadConfigFile(path: string): LoadedConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new GatewayError('config_not_found', `cannot read config file ${file}`, { cause });
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, file: string): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new GatewayError(
      'config_invalid',
      `${file}:${pos?.line ?? 1}:${pos?.col ?? 1}: ${e.message.split('\n')[0]}`,
      {
        location: { file, line: pos?.line ?? 1, column: pos?.col ?? 1 },
      },
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new GatewayError('config_invalid', `${file}: ${(cause as Error).message}`, {
      cause,
      location: { file },
    });
  }
  return { config: validateConfig(raw, file, doc, lines), file, baseDir: dirname(file) };
}

/** Validates an in-memory config object (library use). */
export function validateConfig(
  raw: unknown,
  file = '<config>',
  doc?: Document,
  lines?: LineCounter,
): GatewayConfig {
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const pos = doc && lines ? positionOf(doc, lines, issue.path) : undefined;
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const field = path.length > 0 ? path.join('.') : '(root)';
    const extra =
      issue.code === 'unrecognized_keys' ? ` (${(issue as { keys: string[] }).keys.join(', ')})` : '';
    return `${where}: ${field}: ${issue.message}${extra}`;
  });
  const first = parsed.error.issues[0];
  const firstPos = doc && lines && first ? positionOf(doc, lines, first.path) : undefined;
  throw new GatewayError('config_invalid', messages.join('\n'), {
    location: { file, ...(firstPos ? { line: firstPos.line, column: firstPos.col } : {}) },
    extra: { issues: messages },
  });
}

function positionOf(
  doc: Document,
  lines: LineCounter,
  path: ReadonlyArray<PropertyKey>,
): { line: number; col: number } | undefined {
  // Walk up the path until a node exists (a missing key points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]);
  }
  return undefined;
}

export function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** Reads a secret from its env var or file. Files readable by group or others are refused. */
export function readSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v === '')
      throw new GatewayError('config_invalid', `environment variable ${ref.env} is not set`);
    return v;
  }
  const file = resolvePath(baseDir, ref.file);
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (cause) {
    throw new GatewayError('config_invalid', `secret file ${file} cannot be read`, { cause });
  }
  if ((mode & 0o077) !== 0) {
    throw new GatewayError('config_invalid', `secret file ${file} is readable by others: chmod 600 it`);
  }
  const v = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (v === '') throw new GatewayError('config_invalid', `secret file ${file} is empty`);
  return v;
}
