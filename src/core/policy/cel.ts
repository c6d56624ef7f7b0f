/**
 * The project's one CEL entry point (over @marcbachmann/cel-js). The policy engine, the
 * conformance script and the tests all compile and evaluate through these functions, so what the
 * conformance report measures is what policies get.
 *
 * Numbers: cel-js turns every JS number into a CEL `double`, so JSON numbers are doubles whether
 * or not they have a fraction (`20000` and `20000.5` have the same type, as a policy author
 * expects). Comparisons between a double and an int literal (`action.args.amount > 10000`) work
 * out of the box (CEL's heterogeneous numeric comparison). Arithmetic between int and double
 * (`action.args.amount * 2`) has no overload in standard CEL; we register it here, yielding a
 * double, so that integer literals never meet a no-such-overload error against JSON numbers.
 *
 * Time: `now` is a google.protobuf.Timestamp (a JS Date), so
 * `now < timestamp("2027-01-01T00:00:00Z")` and `now - duration("1h")` work.
 */
import { Environment, serialize, type ASTNode } from '@marcbachmann/cel-js';
import { err, ok, type Result } from '../result.js';

export const CEL_LIMITS = {
  /** Characters in one condition. */
  maxExpressionLength: 16_384,
  maxAstNodes: 4_096,
  maxDepth: 100,
  maxListElements: 1_000,
  maxMapEntries: 1_000,
  maxCallArguments: 32,
} as const;

/** CEL type names of the policy input's variables (PolicyInput in types.ts). */
export const POLICY_VARIABLES: Readonly<Record<string, string>> = {
  agent: 'map',
  action: 'map',
  context: 'map',
  findings: 'map',
  risk: 'map',
  usage: 'map',
  posture: 'string',
  now: 'google.protobuf.Timestamp',
};

export interface CelProgram {
  readonly text: string;
  readonly ast: ASTNode;
  /** The statically inferred result type ('bool', 'dyn', 'int', ...). */
  readonly type: string;
  /** Runs the program; throws on evaluation errors (callers catch). */
  readonly run: (activation: Record<string, unknown>) => unknown;
}

export interface CelError {
  message: string;
  /** 0-based offset inside the expression where the problem is, when known. */
  offset: number | null;
}

export interface CelEnvironmentOptions {
  /** Undeclared identifiers are dyn instead of a compile error (conformance tests need it). */
  unlistedVariablesAreDyn?: boolean;
  /** Extra functions (conformance type environments). */
  functions?: ReadonlyArray<{ signature: string; handler: (...args: never[]) => unknown }>;
  /**
   * The policy extensions to standard CEL (default true): int ⊕ double arithmetic and mixed-type
   * list/map literals such as `[100, 250.5]`. Only the conformance script turns them off, to tell
   * these deliberate deviations apart from real gaps.
   */
  extensions?: boolean;
}

/**
 * A CEL environment with the project's settings: optional types (`a.?b.orValue(x)`),
 * heterogeneous list/map literals, structural limits and mixed int/double arithmetic.
 * Building one is slow (milliseconds): build once, compile many.
 */
export function createCelEnvironment(
  variables: Readonly<Record<string, string>>,
  options: CelEnvironmentOptions = {},
): Environment {
  const { maxExpressionLength: _, ...limits } = CEL_LIMITS;
  const extensions = options.extensions !== false;
  const env = new Environment({
    unlistedVariablesAreDyn: options.unlistedVariablesAreDyn ?? false,
    homogeneousAggregateLiterals: !extensions,
    enableOptionalTypes: true,
    limits,
  });
  for (const [name, type] of Object.entries(variables)) env.registerVariable(name, type);
  if (extensions) registerMixedArithmetic(env);
  for (const f of options.functions ?? []) env.registerFunction(f.signature, f.handler);
  return env;
}

function registerMixedArithmetic(env: Environment): void {
  const num = (x: bigint | number): number => (typeof x === 'bigint' ? Number(x) : x);
  const ops: Array<[string, (a: number, b: number) => number]> = [
    ['+', (a, b) => a + b],
    ['-', (a, b) => a - b],
    ['*', (a, b) => a * b],
    ['/', (a, b) => a / b],
  ];
  for (const [op, f] of ops) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => f(a, num(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => f(num(a), b));
  }
}

let policyEnv: Environment | null = null;

/** The environment policy conditions compile in (built on first use, then shared). */
export function policyEnvironment(): Environment {
  policyEnv ??= createCelEnvironment(POLICY_VARIABLES);
  return policyEnv;
}

/**
 * Parses and (unless `check` is false) type-checks an expression once. Never throws: parse and
 * type errors, limit violations and even stack exhaustion come back as a CelError.
 */
export function compileCel(
  env: Environment,
  text: string,
  options: { check?: boolean } = {},
): Result<CelProgram, CelError> {
  if (typeof text !== 'string') return err({ message: 'expression must be a string', offset: null });
  if (text.length > CEL_LIMITS.maxExpressionLength) {
    return err({
      message: `expression is longer than ${CEL_LIMITS.maxExpressionLength} characters`,
      offset: null,
    });
  }
  try {
    const parsed = env.parse(text);
    let type = 'dyn';
    if (options.check !== false) {
      const checked = parsed.check();
      if (!checked.valid) return err(toCelError(checked.error));
      type = checked.type ?? 'dyn';
    }
    const regexProblem = checkRegexLiterals(parsed.ast);
    if (regexProblem !== null) return err(regexProblem);
    return ok({
      text,
      ast: parsed.ast,
      type,
      run: parsed as (activation: Record<string, unknown>) => unknown,
    });
  } catch (e) {
    return err(toCelError(e));
  }
}

/** Compiles a policy condition: must be a bool (or dyn, checked when it runs). */
export function compileCondition(text: string): Result<CelProgram, CelError> {
  const compiled = compileCel(policyEnvironment(), text);
  if (!compiled.ok) return compiled;
  const { type } = compiled.value;
  if (type !== 'bool' && type !== 'dyn') {
    return err({ message: `a condition must be a bool, but this expression is of type ${type}`, offset: 0 });
  }
  return compiled;
}

export function toCelError(e: unknown): CelError {
  if (e instanceof RangeError) return { message: 'expression is nested too deeply', offset: null };
  if (e instanceof Error) {
    const withRange = e as Error & { summary?: unknown; range?: { start?: unknown } };
    const summary = typeof withRange.summary === 'string' ? withRange.summary : firstLine(e.message);
    const start = withRange.range?.start;
    return { message: summary, offset: typeof start === 'number' ? start : null };
  }
  return { message: firstLine(String(e)), offset: null };
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

/** Canonical text of an expression (whitespace and redundant parentheses normalised). */
export function canonicalCel(program: CelProgram): string {
  try {
    return serialize(program.ast);
  } catch {
    return program.text;
  }
}

/** Visits every AST node iteratively (conditions can be thousands of nodes deep in a chain). */
export function walkAst(root: ASTNode, visit: (node: ASTNode) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (const x of item) stack.push(x);
    } else if (isAstNode(item)) {
      visit(item);
      if (typeof item.args === 'object' && item.args !== null) stack.push(item.args);
    }
  }
}

function isAstNode(x: unknown): x is ASTNode {
  return typeof x === 'object' && x !== null && 'op' in x && 'args' in x;
}

/**
 * `matches()` runs JS regular expressions on request data, so patterns must be literals (never
 * taken from the input) and free of the constructs that make matching super-linear:
 * backreferences, lookaround and nested quantifiers.
 */
function checkRegexLiterals(root: ASTNode): CelError | null {
  let problem: CelError | null = null;
  walkAst(root, (node) => {
    if (problem !== null) return;
    let pattern: ASTNode | undefined;
    if (node.op === 'rcall' && node.args[0] === 'matches') pattern = node.args[2][0];
    else if (node.op === 'call' && node.args[0] === 'matches') pattern = node.args[1][1];
    if (pattern === undefined) return;
    if (pattern.op !== 'value' || typeof pattern.args !== 'string') {
      problem = { message: 'matches() needs a string literal as its pattern', offset: pattern.start };
      return;
    }
    const why = unsafeRegex(pattern.args);
    if (why !== null) problem = { message: `matches() pattern rejected: ${why}`, offset: pattern.start };
  });
  return problem;
}

export function unsafeRegex(source: string): string | null {
  try {
    new RegExp(source);
  } catch (e) {
    return `invalid regular expression (${e instanceof Error ? e.message : String(e)})`;
  }
  if (/\\[1-9]|\\k</.test(source)) return 'backreferences are not allowed';
  if (/\(\?<?[=!]/.test(source)) return 'lookahead and lookbehind are not allowed';
  if (/\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{]/.test(source)) {
    return 'nested quantifiers (like (a+)+) can take exponential time';
  }
  return null;
}
