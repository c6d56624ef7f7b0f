/**
 * User-supplied patterns run on a linear-time engine: the pattern is compiled to a Thompson NFA and
 * simulated Pike-VM style, so matching costs O(text length x program size) whatever the pattern
 * (no catastrophic backtracking is possible). Constructs a finite automaton cannot express are
 * rejected at load: backreferences and lookaround. Counted repetition is expanded, with the
 * compiled program capped in size.
 *
 * Supported: literals and escapes (\d \D \w \W \s \S \b \B \t \n \r \xHH \uHHHH), classes [...],
 * ., ^, $, groups ( ), (?: ), (?<name> ), alternation, * + ? {n} {n,} {n,m} (greedy and lazy),
 * flags i, m, s (u and g are accepted and ignored).
 */

export class PatternError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'PatternError';
  }
}

type Pred = (c: number) => boolean;
type Node =
  | { t: 'char'; pred: Pred }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number; lazy: boolean }
  | { t: 'assert'; kind: 'bol' | 'eol' | 'wordb' | 'nwordb' };

const MAX_PROGRAM = 20_000;
const MAX_COUNT = 1000;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWord = (c: number): boolean =>
  isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (c: number): boolean =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0xfeff ||
  c === 0x2028 ||
  c === 0x2029 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x1680 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000;

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly flags: { i: boolean; s: boolean },
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) throw new PatternError(`unexpected '${this.src[this.i]}'`, this.i);
    return node;
  }

  private alternation(): Node {
    const items = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      items.push(this.quantified());
    }
    return { t: 'seq', items };
  }

  private quantified(): Node {
    const start = this.i;
    const atom = this.atom();
    const c = this.src[this.i];
    let min = -1;
    let max = -1;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (m) {
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT))
          throw new PatternError(`repetition count above ${MAX_COUNT}`, this.i);
        if (max < min) throw new PatternError('repetition {n,m} with m < n', this.i);
        this.i += m[0].length - 1;
      }
    }
    if (min < 0) return atom;
    if (atom.t === 'assert') throw new PatternError('quantifier on an assertion', start);
    this.i++;
    const lazy = this.src[this.i] === '?';
    if (lazy) this.i++;
    return { t: 'rep', node: atom, min, max, lazy };
  }

  private atom(): Node {
    const c = this.src[this.i]!;
    const pos = this.i;
    switch (c) {
      case '(': {
        this.i++;
        if (this.src.startsWith('?:', this.i)) this.i += 2;
        else if (/^\?<[A-Za-z_$][\w$]*>/.test(this.src.slice(this.i)))
          this.i = this.src.indexOf('>', this.i) + 1;
        else if (this.src[this.i] === '?')
          throw new PatternError(
            'lookaround and inline modifiers are not supported (no linear-time equivalent)',
            pos,
          );
        const inner = this.alternation();
        if (this.src[this.i] !== ')') throw new PatternError('unclosed group', pos);
        this.i++;
        return inner;
      }
      case ')':
        throw new PatternError('unmatched )', pos);
      case '[':
        return this.charClass();
      case '.':
        this.i++;
        return {
          t: 'char',
          pred: this.flags.s ? () => true : (x) => x !== 10 && x !== 13 && x !== 0x2028 && x !== 0x2029,
        };
      case '^':
        this.i++;
        return { t: 'assert', kind: 'bol' };
      case '$':
        this.i++;
        return { t: 'assert', kind: 'eol' };
      case '\\':
        return this.escape(false);
      case '*':
      case '+':
      case '?':
        throw new PatternError(`nothing to repeat before '${c}'`, pos);
      default:
        this.i++;
        return this.literal(c.charCodeAt(0));
    }
  }

  private literal(code: number): Node {
    if (!this.flags.i) return { t: 'char', pred: (x) => x === code };
    const lo = String.fromCharCode(code).toLowerCase().charCodeAt(0);
    const up = String.fromCharCode(code).toUpperCase().charCodeAt(0);
    return { t: 'char', pred: (x) => x === lo || x === up };
  }

  /** An escape outside or (inClass) inside a character class. */
  private escape(inClass: boolean): Node {
    const pos = this.i;
    const e = this.src[this.i + 1];
    if (e === 'b' && !inClass) {
      this.i += 2;
      return { t: 'assert', kind: 'wordb' };
    }
    if (e === 'B' && !inClass) {
      this.i += 2;
      return { t: 'assert', kind: 'nwordb' };
    }
    const atom = this.escapeAtom(inClass);
    if (typeof atom === 'number') return this.literal(atom);
    if (pos === this.i) throw new PatternError('bad escape', pos);
    return { t: 'char', pred: atom };
  }

  /** One escaped character (its code) or class escape (its predicate); advances past it. */
  private escapeAtom(inClass: boolean): number | Pred {
    const pos = this.i;
    const e = this.src[this.i + 1];
    if (e === undefined) throw new PatternError('trailing backslash', pos);
    this.i += 2;
    const simple: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, v: 11, '0': 0 };
    if (simple[e] !== undefined) return simple[e];
    if (e === 'b' && inClass) return 8;
    const classes: Record<string, Pred> = {
      d: isDigit,
      D: (x) => !isDigit(x),
      w: isWord,
      W: (x) => !isWord(x),
      s: isSpace,
      S: (x) => !isSpace(x),
    };
    if (classes[e]) return classes[e];
    if (e === 'x' || e === 'u') {
      const len = e === 'x' ? 2 : 4;
      const h = new RegExp(`^[0-9A-Fa-f]{${len}}`).exec(this.src.slice(this.i));
      if (!h) throw new PatternError(`bad \\${e} escape`, pos);
      this.i += len;
      return parseInt(h[0], 16);
    }
    if (e === 'k' || /[1-9]/.test(e))
      throw new PatternError('backreferences are not supported (no linear-time equivalent)', pos);
    if (/[A-Za-z]/.test(e)) throw new PatternError(`unknown escape \\${e}`, pos);
    return e.charCodeAt(0);
  }

  private charClass(): Node {
    const pos = this.i;
    this.i++;
    const negate = this.src[this.i] === '^';
    if (negate) this.i++;
    const preds: Pred[] = [];
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      const lo = this.classAtom();
      if (
        this.src[this.i] === '-' &&
        this.src[this.i + 1] !== ']' &&
        this.i + 1 < this.src.length &&
        typeof lo === 'number'
      ) {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi !== 'number') throw new PatternError('bad range in class', this.i);
        if (hi < lo) throw new PatternError('range out of order in class', this.i);
        preds.push(this.rangePred(lo, hi));
      } else {
        preds.push(typeof lo === 'number' ? this.rangePred(lo, lo) : lo);
      }
    }
    if (this.src[this.i] !== ']') throw new PatternError('unclosed character class', pos);
    this.i++;
    const any: Pred = (x) => preds.some((p) => p(x));
    return { t: 'char', pred: negate ? (x) => !any(x) : any };
  }

  private classAtom(): number | Pred {
    if (this.src[this.i] === '\\') return this.escapeAtom(true);
    return this.src.charCodeAt(this.i++);
  }

  private rangePred(lo: number, hi: number): Pred {
    if (!this.flags.i) return (x) => x >= lo && x <= hi;
    return (x) => {
      if (x >= lo && x <= hi) return true;
      const ch = String.fromCharCode(x);
      const l = ch.toLowerCase().charCodeAt(0);
      const u = ch.toUpperCase().charCodeAt(0);
      return (l >= lo && l <= hi) || (u >= lo && u <= hi);
    };
  }
}

// ---- compilation to a Pike VM program ----

type Inst =
  | { op: 'char'; pred: Pred }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: 'bol' | 'eol' | 'wordb' | 'nwordb' }
  | { op: 'match' };

function emit(node: Node, prog: Inst[]): void {
  if (prog.length > MAX_PROGRAM)
    throw new PatternError(`pattern too large (over ${MAX_PROGRAM} instructions)`, 0);
  switch (node.t) {
    case 'char':
      prog.push({ op: 'char', pred: node.pred });
      return;
    case 'assert':
      prog.push({ op: 'assert', kind: node.kind });
      return;
    case 'seq':
      for (const n of node.items) emit(n, prog);
      return;
    case 'alt': {
      const jumps: Array<{ op: 'jmp'; x: number }> = [];
      node.items.forEach((item, k) => {
        if (k < node.items.length - 1) {
          const split = { op: 'split' as const, x: prog.length + 1, y: -1 };
          prog.push(split);
          emit(item, prog);
          const j = { op: 'jmp' as const, x: -1 };
          prog.push(j);
          jumps.push(j);
          split.y = prog.length;
        } else emit(item, prog);
      });
      for (const j of jumps) j.x = prog.length;
      return;
    }
    case 'rep': {
      for (let k = 0; k < node.min; k++) emit(node.node, prog);
      if (node.max === Infinity) {
        const split = { op: 'split' as const, x: -1, y: -1 };
        const at = prog.length;
        prog.push(split);
        emit(node.node, prog);
        prog.push({ op: 'jmp', x: at });
        const body = at + 1;
        const out = prog.length;
        [split.x, split.y] = node.lazy ? [out, body] : [body, out];
      } else {
        const splits: Array<{ op: 'split'; x: number; y: number }> = [];
        for (let k = node.min; k < node.max; k++) {
          const split = { op: 'split' as const, x: -1, y: -1 };
          splits.push(split);
          prog.push(split);
          const body = prog.length;
          emit(node.node, prog);
          if (node.lazy) split.y = body;
          else split.x = body;
        }
        for (const s of splits) {
          if (node.lazy) s.x = prog.length;
          else s.y = prog.length;
        }
      }
      return;
    }
  }
}

export interface SafePattern {
  readonly source: string;
  /** All non-overlapping leftmost-first matches; `tick` is called periodically (may throw). */
  findAll(text: string, tick?: () => void): Array<{ start: number; end: number }>;
}

export function compileSafePattern(source: string, flags = ''): SafePattern {
  for (const f of flags) if (!'imsgu'.includes(f)) throw new PatternError(`unsupported flag '${f}'`, 0);
  const f = { i: flags.includes('i'), s: flags.includes('s'), m: flags.includes('m') };
  const ast = new Parser(source, f).parse();
  const prog: Inst[] = [];
  emit(ast, prog);
  prog.push({ op: 'match' });
  return { source, findAll: (text, tick) => findAll(prog, f.m, text, tick) };
}

function assertHolds(
  kind: 'bol' | 'eol' | 'wordb' | 'nwordb',
  text: string,
  i: number,
  multiline: boolean,
): boolean {
  const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
  const next = i < text.length ? text.charCodeAt(i) : -1;
  switch (kind) {
    case 'bol':
      return i === 0 || (multiline && (prev === 10 || prev === 13));
    case 'eol':
      return i === text.length || (multiline && (next === 10 || next === 13));
    case 'wordb':
      return (prev >= 0 && isWord(prev)) !== (next >= 0 && isWord(next));
    case 'nwordb':
      return (prev >= 0 && isWord(prev)) === (next >= 0 && isWord(next));
  }
}

/** Pike VM: thread lists ordered by priority, one start position per thread (leftmost-first). */
function findAll(
  prog: Inst[],
  multiline: boolean,
  text: string,
  tick?: () => void,
): Array<{ start: number; end: number }> {
  const n = prog.length;
  const matches: Array<{ start: number; end: number }> = [];
  let clist = { pcs: new Int32Array(n), starts: new Int32Array(n), len: 0 };
  let nlist = { pcs: new Int32Array(n), starts: new Int32Array(n), len: 0 };
  const mark = new Int32Array(n).fill(-1);
  let gen = 0;
  const stack: number[] = [];

  // Adds pc (following jumps, splits and assertions) at text position i, in priority order.
  const add = (list: typeof clist, pc0: number, start: number, i: number): void => {
    stack.push(pc0);
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc]!;
      if (inst.op === 'jmp') stack.push(inst.x);
      else if (inst.op === 'split') stack.push(inst.y, inst.x);
      else if (inst.op === 'assert') {
        if (assertHolds(inst.kind, text, i, multiline)) stack.push(pc + 1);
      } else {
        list.pcs[list.len] = pc;
        list.starts[list.len] = start;
        list.len++;
      }
    }
  };

  // Each search is linear; a pattern whose searches keep re-reading the same text (leftmost-first
  // restarts) is stopped by a work budget linear in text x program, and fails the scan.
  const budget = 16 * (text.length + 1) * (n + 1) + 100_000;
  let work = 0;
  let pos = 0;
  let steps = 0;
  while (pos <= text.length) {
    let matched: { start: number; end: number } | undefined;
    clist.len = 0;
    gen++;
    add(clist, 0, pos, pos);
    let i = pos;
    for (;;) {
      nlist.len = 0;
      gen++;
      const c = i < text.length ? text.charCodeAt(i) : -1;
      for (let k = 0; k < clist.len; k++) {
        const pc = clist.pcs[k]!;
        const inst = prog[pc]!;
        if (inst.op === 'match') {
          matched = { start: clist.starts[k]!, end: i };
          break; // lower-priority threads are cut
        }
        if (inst.op === 'char' && c >= 0 && inst.pred(c)) add(nlist, pc + 1, clist.starts[k]!, i + 1);
      }
      if ((++steps & 0xfff) === 0) tick?.();
      // No match yet: a new thread starting at the next position joins with the lowest priority.
      if (!matched && i + 1 <= text.length) {
        add(nlist, 0, i + 1, i + 1);
      }
      [clist, nlist] = [nlist, clist];
      i++;
      work += clist.len + 1;
      if (work > budget) throw new PatternError('pattern exceeded its matching budget on this text', 0);
      if ((clist.len === 0 && matched) || i > text.length) break;
    }
    if (!matched) break;
    matches.push(matched);
    pos = matched.end > matched.start ? matched.end : matched.end + 1;
  }
  return matches;
}
