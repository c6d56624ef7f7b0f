/**
 * Runs the official CEL conformance suite (../shared/corpora/cel-spec-conformance, JSON
 * conversion) through the project's own CEL entry point (src/core/policy/cel.ts: the same
 * createCelEnvironment / compileCel that policy conditions go through, with the same options and
 * limits) and writes docs/cel-conformance.md.
 *
 *   node --import tsx scripts/cel-conformance.ts        (npm run eval:cel)
 *
 * Per test: declarations from type_env become variables (and functions), bindings become the
 * activation, the expression is compiled (type-checked unless disable_check) and run. The
 * expectation is `value` (compared exactly, type included: int vs uint vs double), `eval_error`
 * (any compile or evaluation error passes), `typed_result` (value and deduced type), or `true`
 * when none is given (the suite's default).
 *
 * Skipped, with the count written to the report: tests that need the suite's protobuf test
 * messages (TestAllTypes and friends, their enums and packages). A policy input is JSON, so no
 * policy can ever carry or construct those messages and no message types are registered.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { compileCel, createCelEnvironment } from '../src/core/policy/cel.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = resolve(root, '../shared/corpora/cel-spec-conformance');
const jsonDir = join(corpus, 'json');
const outFile = join(root, 'docs/cel-conformance.md');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JObj = { [k: string]: Json };

interface TestCase {
  name: string;
  expr: string;
  container?: string;
  type_env?: JObj[];
  bindings?: Record<string, { value?: JObj }>;
  disable_check?: boolean;
  check_only?: boolean;
  value?: JObj;
  eval_error?: JObj;
  typed_result?: { result?: JObj; deduced_type?: JObj };
}

/** `vacuous`: an expected error that came from something the engine lacks (unknown function, syntax). */
type Outcome =
  { status: 'pass'; vacuous?: boolean } | { status: 'fail'; why: string } | { status: 'skip'; why: string };

const MISSING_FEATURE =
  /no matching overload|Unknown variable|Unexpected (token|character)|Expected [A-Z]+, got/;

function errorPass(message: string): Outcome {
  return { status: 'pass', vacuous: MISSING_FEATURE.test(message) };
}

const PROTO_MARKERS =
  /TestAllTypes|NestedTestAllTypes|TestRequired|GlobalEnum|NestedEnum|NestedMessage|cel\.expr\.conformance/;

function skipReason(t: TestCase): string | null {
  const text = JSON.stringify({
    expr: t.expr,
    container: t.container,
    type_env: t.type_env,
    bindings: t.bindings,
    value: t.value,
    typed_result: t.typed_result,
  });
  if (PROTO_MARKERS.test(text)) return 'protobuf test messages (TestAllTypes, its enums and package)';
  return null;
}

// ---- types: conformance type JSON -> cel-js type names ----

const PRIMITIVES: Record<string, string> = {
  INT64: 'int',
  UINT64: 'uint',
  DOUBLE: 'double',
  STRING: 'string',
  BOOL: 'bool',
  BYTES: 'bytes',
};
const WELL_KNOWN: Record<string, string> = {
  TIMESTAMP: 'google.protobuf.Timestamp',
  DURATION: 'google.protobuf.Duration',
};
const MESSAGES: Record<string, string> = {
  'google.protobuf.Timestamp': 'google.protobuf.Timestamp',
  'google.protobuf.Duration': 'google.protobuf.Duration',
};

function typeName(t: JObj | undefined): string | null {
  if (t === undefined) return null;
  if (typeof t.primitive === 'string') return PRIMITIVES[t.primitive] ?? null;
  if ('dyn' in t) return 'dyn';
  if ('null' in t) return 'null';
  if (typeof t.well_known === 'string') return WELL_KNOWN[t.well_known] ?? null;
  if (typeof t.message_type === 'string') return MESSAGES[t.message_type] ?? null;
  if ('type' in t) return 'type';
  const list = t.list_type as JObj | undefined;
  if (list !== undefined) {
    const e = typeName(list.elem_type as JObj);
    return e === null ? null : `list<${e}>`;
  }
  const map = t.map_type as JObj | undefined;
  if (map !== undefined) {
    const k = typeName(map.key_type as JObj);
    const v = typeName(map.value_type as JObj);
    return k === null || v === null ? null : `map<${k}, ${v}>`;
  }
  const abs = t.abstract_type as JObj | undefined;
  if (abs !== undefined && abs.name === 'optional_type') {
    const p = typeName((abs.parameter_types as JObj[])[0]);
    return p === null ? null : `optional<${p}>`;
  }
  return null;
}

// ---- values: conformance value JSON <-> JS values as cel-js represents them ----

function toJs(v: JObj): unknown {
  if ('int64_value' in v) return BigInt(v.int64_value as string);
  if ('uint64_value' in v) return new UnsignedInt(BigInt(v.uint64_value as string));
  if ('double_value' in v) return Number(v.double_value);
  if ('string_value' in v) return v.string_value;
  if ('bool_value' in v) return v.bool_value;
  if ('null_value' in v) return null;
  if ('bytes_value' in v) return new Uint8Array(Buffer.from(v.bytes_value as string, 'base64'));
  if ('list_value' in v) return (((v.list_value as JObj).values as JObj[] | undefined) ?? []).map(toJs);
  if ('map_value' in v) {
    const m = new Map<unknown, unknown>();
    for (const e of ((v.map_value as JObj).entries as JObj[] | undefined) ?? [])
      m.set(toJs(e.key as JObj), toJs(e.value as JObj));
    return m;
  }
  if ('object_value' in v) {
    const o = v.object_value as JObj;
    const type = typeof o['@type'] === 'string' ? o['@type'] : '';
    if (type.endsWith('google.protobuf.Timestamp')) return new Date(o.value as string);
    if (type.endsWith('google.protobuf.Duration')) return parseDuration(o.value as string);
  }
  throw new Error(`unsupported binding value ${JSON.stringify(v).slice(0, 80)}`);
}

/** "123.450s" (protobuf JSON) → Duration(seconds, nanos). */
function parseDuration(text: string): Duration {
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (m === null) throw new Error(`unsupported duration ${text}`);
  const sign = m[1] === '-' ? -1 : 1;
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return new Duration(BigInt(sign) * BigInt(m[2]!), sign * nanos);
}

function describe(x: unknown): string {
  if (typeof x === 'bigint') return `${x} (int)`;
  if (x instanceof UnsignedInt) return `${x.value}u`;
  if (typeof x === 'number') return `${x} (double)`;
  if (x instanceof Uint8Array) return `bytes(${x.length})`;
  if (x instanceof Map) return `map(${x.size})`;
  if (Array.isArray(x)) return `list(${x.length})`;
  try {
    return JSON.stringify(x)?.slice(0, 60) ?? String(x);
  } catch {
    return String(x);
  }
}

/** Does the engine's result equal the expected conformance value, type included? */
function equals(actual: unknown, v: JObj): boolean {
  if ('int64_value' in v) return typeof actual === 'bigint' && actual === BigInt(v.int64_value as string);
  if ('uint64_value' in v)
    return actual instanceof UnsignedInt && actual.value === BigInt(v.uint64_value as string);
  if ('double_value' in v) {
    const want = Number(v.double_value);
    return typeof actual === 'number' && (Number.isNaN(want) ? Number.isNaN(actual) : actual === want);
  }
  if ('string_value' in v) return actual === v.string_value;
  if ('bool_value' in v) return actual === v.bool_value;
  if ('null_value' in v) return actual === null;
  if ('bytes_value' in v) {
    const want = Buffer.from(v.bytes_value as string, 'base64');
    return actual instanceof Uint8Array && Buffer.from(actual).equals(want);
  }
  if ('type_value' in v) {
    const name = (actual as { name?: unknown } | null)?.name;
    const want = v.type_value === 'null_type' ? 'null' : v.type_value;
    return typeof name === 'string' && name === want;
  }
  if ('list_value' in v) {
    const want = ((v.list_value as JObj).values as JObj[] | undefined) ?? [];
    return (
      Array.isArray(actual) && actual.length === want.length && want.every((w, i) => equals(actual[i], w))
    );
  }
  if ('map_value' in v) {
    const want = ((v.map_value as JObj).entries as JObj[] | undefined) ?? [];
    const entries: Array<[unknown, unknown]> =
      actual instanceof Map
        ? [...actual.entries()]
        : actual !== null && typeof actual === 'object' && !Array.isArray(actual)
          ? Object.entries(actual)
          : [];
    if (
      entries.length !== want.length ||
      (!(actual instanceof Map) && (actual === null || typeof actual !== 'object'))
    )
      return false;
    return want.every((w) => {
      const key = w.key as JObj;
      const keyText = JSON.stringify(Object.values(key)[0]).replace(/^"|"$/g, '');
      const hit = entries.find(([k]) => (actual instanceof Map ? equals(k, key) : k === keyText));
      return hit !== undefined && equals(hit[1], w.value as JObj);
    });
  }
  if ('object_value' in v) {
    const o = v.object_value as JObj;
    const type = typeof o['@type'] === 'string' ? o['@type'] : '';
    if (type.endsWith('google.protobuf.Timestamp'))
      return actual instanceof Date && actual.getTime() === new Date(o.value as string).getTime();
    if (type.endsWith('google.protobuf.Duration')) return String(actual) === o.value;
    return false;
  }
  return false;
}

// ---- running ----

const envCache = new Map<string, Environment>();

function environmentFor(t: TestCase, extensions: boolean): Environment | string {
  const variables: Record<string, string> = {};
  const functions: Array<{ signature: string; handler: () => null }> = [];
  for (const decl of t.type_env ?? []) {
    const name = decl.name as string;
    const ident = decl.ident as JObj | undefined;
    const fn = decl.function as JObj | undefined;
    if (ident !== undefined) {
      const type = typeName(ident.type as JObj);
      if (type === null)
        return `declaration of ${name} has a type the engine does not model: ${JSON.stringify(ident.type)}`;
      variables[name] = type;
    } else if (fn !== undefined) {
      for (const o of (fn.overloads as JObj[] | undefined) ?? []) {
        const params = ((o.params as JObj[] | undefined) ?? []).map(typeName);
        const result = typeName(o.result_type as JObj);
        if (params.includes(null) || result === null)
          return `function ${name} uses types the engine does not model`;
        functions.push({ signature: `${name}(${params.join(', ')}): ${result}`, handler: () => null });
      }
    }
  }
  for (const b of Object.keys(t.bindings ?? {})) variables[b] ??= 'dyn';
  const key = JSON.stringify([variables, functions.map((f) => f.signature), extensions]);
  let env = envCache.get(key);
  if (env === undefined) {
    try {
      env = createCelEnvironment(variables, { functions, extensions });
    } catch (e) {
      return `environment rejected: ${(e as Error).message.split('\n')[0]}`;
    }
    envCache.set(key, env);
  }
  return env;
}

function runTest(t: TestCase, extensions = true): Outcome {
  const skip = skipReason(t);
  if (skip !== null) return { status: 'skip', why: skip };
  const env = environmentFor(t, extensions);
  if (typeof env === 'string') return { status: 'fail', why: env };
  const compiled = compileCel(env, t.expr, { check: t.disable_check !== true });
  const wantsError = t.eval_error !== undefined;
  if (!compiled.ok)
    return wantsError
      ? errorPass(compiled.error.message)
      : { status: 'fail', why: `compile: ${compiled.error.message}` };
  if (t.typed_result?.deduced_type !== undefined && t.disable_check !== true) {
    const want = typeName(t.typed_result.deduced_type);
    if (want === null || want !== compiled.value.type)
      return {
        status: 'fail',
        why: `deduced type ${compiled.value.type}, expected ${JSON.stringify(t.typed_result.deduced_type)}`,
      };
  }
  if (t.check_only === true)
    return wantsError ? { status: 'fail', why: 'expected a check error' } : { status: 'pass' };
  let activation: Record<string, unknown>;
  try {
    activation = Object.fromEntries(
      Object.entries(t.bindings ?? {}).map(([k, b]) => [k, toJs(b.value ?? {})]),
    );
  } catch (e) {
    return { status: 'fail', why: (e as Error).message };
  }
  let result: unknown;
  try {
    result = compiled.value.run(activation);
  } catch (e) {
    const message = (e as Error).message.split('\n')[0]!;
    return wantsError ? errorPass(message) : { status: 'fail', why: `evaluation: ${message}` };
  }
  if (wantsError) return { status: 'fail', why: `expected an error, got ${describe(result)}` };
  const want = t.value ?? t.typed_result?.result ?? { bool_value: true };
  return equals(result, want)
    ? { status: 'pass' }
    : { status: 'fail', why: `got ${describe(result)}, expected ${JSON.stringify(want).slice(0, 80)}` };
}

interface Tally {
  total: number;
  skipped: number;
  passed: number;
  /** Passes of expected-error tests where the error came from a missing feature. */
  vacuous: number;
  deviations: number;
}

function main(): void {
  if (!existsSync(jsonDir)) {
    console.error(`conformance corpus not found at ${jsonDir}`);
    process.exit(2);
  }
  const source = readFileSync(join(corpus, 'SOURCE.txt'), 'utf8').split('\n')[0]!.trim();
  const celJsVersion = (
    JSON.parse(readFileSync(join(root, 'node_modules/@marcbachmann/cel-js/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const files = readdirSync(jsonDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const perFile: Array<[string, Tally]> = [];
  const perSection: Array<[string, Tally]> = [];
  const deviations: string[] = [];
  const failures: string[] = [];
  const skipReasons = new Map<string, number>();
  const all: Tally = { total: 0, skipped: 0, passed: 0, vacuous: 0, deviations: 0 };
  for (const file of files) {
    const data = JSON.parse(readFileSync(join(jsonDir, file), 'utf8')) as {
      section?: Array<{ name: string; test?: TestCase[] }>;
    };
    const ft: Tally = { total: 0, skipped: 0, passed: 0, vacuous: 0, deviations: 0 };
    for (const section of data.section ?? []) {
      const st: Tally = { total: 0, skipped: 0, passed: 0, vacuous: 0, deviations: 0 };
      for (const t of section.test ?? []) {
        const o = runTest(t);
        for (const tally of [st, ft, all]) tally.total++;
        if (o.status === 'skip') {
          for (const tally of [st, ft, all]) tally.skipped++;
          skipReasons.set(o.why, (skipReasons.get(o.why) ?? 0) + 1);
        } else if (o.status === 'pass') {
          for (const tally of [st, ft, all]) {
            tally.passed++;
            if (o.vacuous === true) tally.vacuous++;
          }
        } else if (runTest(t, false).status === 'pass') {
          for (const tally of [st, ft, all]) tally.deviations++;
          deviations.push(`${file.replace('.json', '')}/${section.name}/${t.name}: ${code(t.expr)}`);
        } else {
          failures.push(
            `${file.replace('.json', '')}/${section.name}/${t.name}: ${code(t.expr)}: ${code(o.why.slice(0, 140))}`,
          );
        }
      }
      if (st.total > 0) perSection.push([`${file.replace('.json', '')}/${section.name}`, st]);
    }
    perFile.push([file.replace('.json', ''), ft]);
  }
  writeFileSync(
    outFile,
    render({ source, celJsVersion, perFile, perSection, all, deviations, failures, skipReasons }),
  );
  const run = all.total - all.skipped;
  console.log(
    `CEL conformance: ${all.passed}/${run} run tests pass (${pct(all.passed, run)}; ${all.vacuous} of them vacuous error passes); ${all.skipped} skipped; ${all.deviations} deliberate deviations; ${all.passed}/${all.total} of all (${pct(all.passed, all.total)})`,
  );
  console.log(`wrote ${outFile}`);
}

/** An expression as a Markdown code span: control characters escaped, backticks allowed. */
function code(expr: string): string {
  const clean = [...expr]
    .map((c) => {
      const n = c.charCodeAt(0);
      return n < 0x20 || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029
        ? `\\u${n.toString(16).padStart(4, '0')}`
        : c;
    })
    .join('');
  const short = clean.length > 90 ? `${clean.slice(0, 90)}…` : clean;
  return `\`\` ${short} \`\``;
}

function pct(a: number, b: number): string {
  return b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`;
}

function render(r: {
  source: string;
  celJsVersion: string;
  perFile: Array<[string, Tally]>;
  perSection: Array<[string, Tally]>;
  all: Tally;
  deviations: string[];
  failures: string[];
  skipReasons: Map<string, number>;
}): string {
  const run = r.all.total - r.all.skipped;
  const core = { passed: 0, run: 0 };
  for (const [name, t] of r.perFile) {
    if (/_ext$|^optionals$|^macros2$/.test(name)) continue;
    core.passed += t.passed;
    core.run += t.total - t.skipped;
  }
  const lines: string[] = [
    '# CEL conformance',
    '',
    'Generated by `npm run eval:cel` (scripts/cel-conformance.ts); do not edit by hand.',
    '',
    `The official CEL conformance suite (${r.source}, JSON conversion, ${r.all.total} tests) run through`,
    "Portcullis' own CEL entry point (`src/core/policy/cel.ts`: the environment, options and limits",
    `that policy conditions are compiled with) on @marcbachmann/cel-js ${r.celJsVersion}.`,
    '',
    '## Overall',
    '',
    '| | tests |',
    '| --- | --- |',
    `| in the suite | ${r.all.total} |`,
    `| skipped (see below) | ${r.all.skipped} |`,
    `| run | ${run} |`,
    `| **passed** | **${r.all.passed} (${pct(r.all.passed, run)} of run, ${pct(r.all.passed, r.all.total)} of all)** |`,
    `| of the passes: an expected error that came from a missing feature (unknown function, syntax) | ${r.all.vacuous} |`,
    `| failed only because of a deliberate policy extension | ${r.all.deviations} |`,
    `| failed | ${run - r.all.passed - r.all.deviations} |`,
    `| core language only (files other than *_ext, optionals and macros2): passed / run | ${core.passed} / ${core.run} (${pct(core.passed, core.run)}) |`,
    '',
    'Skipped, and why:',
    '',
  ];
  for (const [why, n] of r.skipReasons) {
    lines.push(
      `- ${n} tests need ${why}. Policy input is JSON, so a policy can never receive or build these messages; the engine registers no message types.`,
    );
  }
  lines.push(
    '',
    'Deliberate extensions (they make the tests below fail, and pass with the extensions off):',
    'int and double mix in arithmetic (`action.args.amount * 2`, where JSON numbers are doubles), and',
    'list and map literals may mix types (`[100, 250.5]`). Standard CEL rejects both.',
    '',
    '## Per file',
    '',
    '| file | tests | skipped | run | passed | pass rate (run) | of which vacuous | deviations |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const [name, t] of r.perFile) {
    const n = t.total - t.skipped;
    lines.push(
      `| ${name} | ${t.total} | ${t.skipped} | ${n} | ${t.passed} | ${pct(t.passed, n)} | ${t.vacuous} | ${t.deviations} |`,
    );
  }
  const runnable = r.perSection.filter(([, t]) => t.total > t.skipped);
  const complete = runnable.filter(([, t]) => t.passed === t.total - t.skipped);
  const partial = runnable.filter(([, t]) => t.passed < t.total - t.skipped);
  lines.push(
    '',
    '## Feature areas (suite sections)',
    '',
    `All run tests pass in ${complete.length} of ${runnable.length} sections:`,
    '',
  );
  lines.push(
    complete
      .map(([name, t]) => `\`${name}\` (${t.passed}${t.vacuous > 0 ? `, ${t.vacuous} vacuous` : ''})`)
      .join(', '),
    '',
  );
  lines.push(
    'Sections with failures:',
    '',
    '| section | passed / run | of which vacuous | deviations |',
    '| --- | --- | --- | --- |',
  );
  for (const [name, t] of partial)
    lines.push(`| ${name} | ${t.passed} / ${t.total - t.skipped} | ${t.vacuous} | ${t.deviations} |`);
  lines.push('', '## Deliberate deviations', '');
  for (const d of r.deviations) lines.push(`- ${d}`);
  lines.push(
    '',
    '## Failures',
    '',
    '<details><summary>' + `${r.failures.length} failing tests` + '</summary>',
    '',
  );
  for (const f of r.failures) lines.push(`- ${f}`);
  lines.push('', '</details>', '');
  return lines.join('\n');
}

main();
